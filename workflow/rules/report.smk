# The report: one page per study + index, Markdown and HTML (results/report/).


def report_text(study):
    """Hand-written text the page includes: discussion, claims, figure captions."""
    folder = f"src/dlrepro/studies/{study}"
    return [f"{folder}/page.md", f"{folder}/claims.yaml", *sorted(glob(f"workflow/report/{study}/*.rst"))]


rule report:
    input:
        results=[f for s in STUDIES for f in REPORT_INPUTS[s]],
        text=[f for s in STUDIES for f in report_text(s)],
        code=code("report/__init__.py", "report/build.py"),
    output:
        index="results/report/index.html",
        index_md="results/report/index.md",
        pages=expand("results/report/{study}.{ext}", study=STUDIES, ext=["html", "md"]),
    threads: 1
    shell:
        "{DLREPRO} report --studies {STUDIES} --results results --out-dir results/report"
