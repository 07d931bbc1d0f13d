"""Open a report page in a real headless browser (Debian's `chromium`) and report what a reader
sees: the visible text, images that failed to load, the page's width at a 1280 px window, and
the verdict cells. The page is copied with a probe script and a <base> pointing at its folder
(so the built tree is not touched and relative links still resolve)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

WIDTH = 1280
PROBE = """<script>
window.addEventListener('load', () => {
  // code blocks (params YAML) are shown as written; the reader-facing prose is the rest
  document.querySelectorAll('pre').forEach(e => { e.style.display = 'none'; });
  const out = {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    images: document.images.length,
    broken: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
      .map(i => i.getAttribute('src')),
    text: document.body.innerText,
    verdicts: [...document.querySelectorAll('table.comparison .verdict')]
      .map(e => [e.textContent, getComputedStyle(e).backgroundColor]),
    cells: [...document.querySelectorAll('td')].map(e => e.textContent.trim()),
  };
  const pre = document.createElement('pre');
  pre.id = 'dlrepro-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is needed to test the report (.ci/run installs it)"
    return path


def open_page(page: Path, scratch: Path) -> dict:
    html = page.read_text()
    base = f'<base href="{page.parent.resolve().as_uri()}/">'
    probe = scratch / f"probe-{page.name}"
    probe.write_text(
        html.replace("<head>", f"<head>{base}", 1).replace("</body>", f"{PROBE}</body>")
    )
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={WIDTH},900", "--allow-file-access-from-files",
         "--virtual-time-budget=10000", f"--user-data-dir={scratch / 'chromium-profile'}",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    m = re.search(r'<pre id="dlrepro-probe">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"no probe result from chromium for {page.name}:\n{proc.stderr[-2000:]}"
    import html as html_lib

    return json.loads(html_lib.unescape(m.group(1)))


# what raw Markdown looks like once it reaches the reader: emphasis markers, link syntax, table
# rules, headings and list items that a renderer did not turn into elements
RAW_MARKDOWN = {
    "emphasis": re.compile(r"(?<![\w*])\*\*?\w[^*\n]*\*\*?(?![\w*])"),
    "link": re.compile(r"\]\([^)\s]+\)"),
    "table rule": re.compile(r"\|\s*-{3,}"),
    "heading": re.compile(r"^#{1,6} ", re.M),
    "list item": re.compile(r"^\s*[-*+] \S", re.M),
    "code span": re.compile(r"`[^`\n]+`"),
    # rendered HTML shown as text (escaped by the template): the reader would see the tags
    "HTML tag": re.compile(r"</?(?:p|em|strong|ul|ol|li|code|a|h[1-6]|table|tr|td)\b[^>\n]*>"),
}
