"""DVC's own views of a built tree, as a user runs them: `dvc plots show` renders offline in a
real browser (one titled chart per metric, no default duplicates), and `dlrepro summary` is the
readable form of `dvc metrics show`."""

from __future__ import annotations

import json
import re
import subprocess

import yaml
from conftest import PARITY_STUDIES, read_comparison, run
from report_browser import chromium

CHART_PROBE = """<script>
// vega-embed draws asynchronously: poll until every chart has its canvas (or give up)
window.addEventListener('load', () => {
  const ids = [...document.querySelectorAll('div[id]')].map(d => d.id);
  let tries = 0;
  const probe = () => {
    const out = ids.map(id => {
      const c = document.getElementById(id).querySelector('canvas, svg');
      return [id, c ? [c.clientWidth || c.width, c.clientHeight || c.height] : null];
    });
    if (out.some(([, size]) => size === null) && ++tries < 50) { setTimeout(probe, 200); return; }
    const pre = document.createElement('pre');
    pre.id = 'dlrepro-probe';
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  };
  probe();
});
</script>"""


def test_plots_are_one_titled_chart_per_metric(dvc_smoke_build):
    doc = yaml.safe_load((dvc_smoke_build / "dvc.yaml").read_text())
    charts = {name: spec for entry in doc["plots"] for name, spec in entry.items()}
    assert charts, "no plots in dvc.yaml"
    for name, spec in charts.items():
        assert spec["x_label"] == "epoch" and spec["y_label"] and "(run 0)" in name
        assert len(set(spec["y"].values())) == 1  # one metric per chart
        assert all("/0/" in f or "/runs/" not in f for f in spec["y"])
    # no stage declares `plots:` (DVC would draw a default chart per file on top of these)
    assert not any("plots" in stage for stage in doc["stages"].values())


def test_dvc_plots_show_renders_offline(dvc_smoke_build, tmp_path):
    out = tmp_path / "plots"
    run(["dvc", "plots", "show", "-o", str(out)], dvc_smoke_build)
    page = (out / "index.html").read_text()
    assert "cdn.jsdelivr" not in page and "<script src=" not in page  # nothing fetched
    probe = out / "probe.html"
    head, tail = page.rsplit("</body>", 1)  # the last one: the inlined Vega code has others
    probe.write_text(head + CHART_PROBE + "</body>" + tail)
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
         "--virtual-time-budget=15000", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    m = re.search(r'<pre id="dlrepro-probe">(.*?)</pre>', proc.stdout, re.S)
    assert m, proc.stderr[-2000:]
    drawn = json.loads(m.group(1))
    doc = yaml.safe_load((dvc_smoke_build / "dvc.yaml").read_text())
    assert len(drawn) == len(doc["plots"])
    assert all(size and size[0] > 100 and size[1] > 50 for _, size in drawn), drawn
    # the axis titles are in the specs the page draws
    assert '"title": "epoch"' in page or '"title":"epoch"' in page


def test_summary_is_a_short_table_per_study(dvc_smoke_build):
    text = run(["dlrepro", "summary", *PARITY_STUDIES], dvc_smoke_build).stdout
    for study in PARITY_STUDIES:
        comparison = read_comparison(dvc_smoke_build, study)
        block = text.split(f"== {study}: ", 1)[1].split("\n\n", 1)[0]
        assert len(block.splitlines()) == 2 + len(comparison)  # headline, header, one per claim
        assert all(v in block for v in comparison["verdict"])
    assert max(map(len, text.splitlines())) < 200
    missing = run(["dlrepro", "summary", "nosuchstudy"], dvc_smoke_build, check=False)
    assert missing.returncode == 2 and "unknown study" in missing.stderr
