"""The README's "Adding a study" recipe, followed in a scratch copy: a package, its params
section (+ schema), one registry line. Nothing else: no rule file, no CLI or profile entry."""

from __future__ import annotations

import json

from conftest import SMOKE, copy_repo, run, snakemake

CLI = '''"""A toy study: the mean of seeded normal samples (tests the recipe)."""

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("toy")


@steps.step(params=("seed", "toy"), samples=Out("data/processed/toy/samples.npz"))
def sample(args, ctx):
    """draw the samples"""
    from dlrepro.core import io
    from dlrepro.core.determinism import rng

    io.write_npz(args.samples, x=rng(ctx.seed, "toy", "sample").normal(size=ctx.params["toy"]["n"]))


@steps.step(samples=In("data/processed/toy/samples.npz"),
            claims=In("src/dlrepro/studies/toy/claims.yaml"),
            table=Out("results/toy/table.csv"), summary=Out("results/toy/metrics.json"),
            comparison=Out("results/toy/comparison.csv"),
            hist=Out("results/toy/figures/hist.png", figure=True))
def compare(args, ctx):
    """table, metrics, comparison, histogram"""
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.plotting import plt, save_png

    x = io.read_npz(args.samples, ("x",))["x"]
    write_results(args, {"mean": float(x.mean())}, pd.DataFrame({"mean": [x.mean()]}), ctx.params)
    fig, ax = plt.subplots()
    ax.hist(x)
    save_png(fig, args.hist)
'''
CLAIMS = """study: toy
title: "Toy"
post: "none"
source: none
claims:
  - claim: "the mean is near 0"
    kind: published
    post: 0.0
    ours: mean
    tolerance: {abs: 0.5, why: "a test"}
"""


def test_adding_a_study_needs_only_its_package_params_and_registry_line(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    pkg = repo / "src/dlrepro/studies/toy"
    (pkg / "captions").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "cli.py").write_text(CLI)
    (pkg / "claims.yaml").write_text(CLAIMS)
    (pkg / "page.md").write_text("A toy.\n")
    (pkg / "captions/hist.rst").write_text("Histogram of the samples.\n")
    (repo / "params/toy.yaml").write_text("toy:\n  n: 100\n")
    schema = repo / "workflow/schemas/params.schema.yaml"
    schema.write_text(
        schema.read_text().replace(
            "\nproperties:\n",
            "\nproperties:\n  toy:\n    type: object\n    additionalProperties: false\n"
            "    required: [n]\n    properties:\n      n: {type: integer, minimum: 1}\n",
            1,
        )
    )
    registry = repo / "src/dlrepro/studies/__init__.py"
    registry.write_text(registry.read_text().replace("STUDIES = (", 'STUDIES = (\n    "toy",', 1))

    snakemake(repo, "results/toy/comparison.csv", "results/toy/figures/hist.png", *SMOKE)
    comparison = (repo / "results/toy/comparison.csv").read_text()
    assert "the mean is near 0" in comparison and "reproduced" in comparison
    record = json.loads((repo / "results/toy/provenance/compare.json").read_text())
    assert record["step"] == "toy compare"
    # dvc.yaml is generated from the same declarations: the committed one lacks the new study
    assert run(["dlrepro", "dvc-yaml", "--check"], repo, check=False).returncode == 1
    assert "sample" in run(["dlrepro", "toy", "--help"], repo).stdout
    # the report builds the new page from the declared figure and caption
    run(["dlrepro", "report", "--studies", "toy", "--out-dir", "results/report"], repo)
    page = (repo / "results/report/toy.md").read_text()
    assert "Histogram of the samples." in page and "figures/hist.png" in page
