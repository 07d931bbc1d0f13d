# The report: one page per registered study + index, Markdown and HTML (results/report/).
from dlrepro.report import page_inputs, page_text
from dlrepro.studies import STUDIES


rule report:
    input:
        results=[f for s in STUDIES for f in page_inputs(s, config)],
        text=[f for s in STUDIES for f in page_text(s)],
        code=report_code(),
        templates=sorted(str(p) for p in Path("src/dlrepro/report/templates").iterdir()),
    output:
        index="results/report/index.html",
        index_md="results/report/index.md",
        pages=expand("results/report/{study}.{ext}", study=STUDIES, ext=["html", "md"]),
    log:
        "logs/report/report.log",
    benchmark:
        "logs/report/report.tsv"
    threads: 1
    resources:
        runtime=10,
        mem_mb=1000,
    params:
        p=params_at("scale"),  # the banner below paper scale
        dlrepro=DLREPRO,
        studies=STUDIES,
    shell:
        "{params.dlrepro} --log {log} report --studies {params.studies} --results results"
        " --out-dir results/report"
