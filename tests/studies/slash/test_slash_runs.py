"""The slash study's runs, through its real steps at smoke scale (in-process, seconds): each
source (the published file, subsampled; the generator) gives one dataset, a split and model seeds
per run; the same run repeated gives the same bytes, two runs differ; compare describes every
metric of each source over the runs; figures draw them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dlrepro.cli import main
from dlrepro.core.repeats import STAT_KEYS
from dlrepro.paths import ROOT, study_dir
from dlrepro.studies.slash.spec import CNN_MODELS, MODELS, RAW, RAW_FILE, SKLEARN_MODELS, SOURCES

SMOKE = ["--params", str(ROOT / "config/smoke.yaml")]
RUNS = 2  # config/smoke.yaml: slash.runs
MIRROR = Path(os.environ.get("DLREPRO_MIRROR") or ROOT.parent / "shared" / "data" / "raw")
DATA = "data/processed/slash/{source}/slash_data.npz"
SPLIT = "data/processed/slash/{source}/runs/{run}/split.npz"
MODEL = "results/slash/{source}/models/{model}/{run}"
MEASURES = "results/slash/{source}/{measure}.json"
pytestmark = pytest.mark.skipif(
    not (MIRROR / "slash/slash_data.npz").is_file(), reason="published Slash file not in mirror"
)


def _step(*argv: str) -> None:
    assert main([*SMOKE, "slash", *argv]) == 0, argv


def _train(source: str, model: str, run: int, out: str) -> None:
    _step("train", "--source", source, "--model", model, "--run", str(run),
          "--split", SPLIT.format(source=source, run=run), "--weights", f"{out}/weights.pt",
          "--metrics", f"{out}/metrics.json", "--history", f"{out}/history.csv")  # fmt: skip


def _build_source(source: str) -> None:
    splits = [SPLIT.format(source=source, run=r) for r in range(RUNS)]
    for run, split in enumerate(splits):
        _step("split", "--source", source, "--run", str(run),
              "--data", DATA.format(source=source), "--out", split)  # fmt: skip
        for model in SKLEARN_MODELS:
            out = MODEL.format(source=source, model=model, run=run)
            _step("fit", "--source", source, "--model", model, "--run", str(run),
                  "--split", split, "--metrics", f"{out}/metrics.json")  # fmt: skip
        for model in CNN_MODELS:
            _train(source, model, run, MODEL.format(source=source, model=model, run=run))
    _step("measure_data", "--source", source, "--data", DATA.format(source=source),
          "--splits", *splits, "--out", MEASURES.format(source=source, measure="data"))  # fmt: skip
    _step("forest_sizes", "--source", source, "--splits", *splits,
          "--out", MEASURES.format(source=source, measure="forest_sizes"))  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every step of the study for both sources and both smoke runs, in a scratch folder
    (relative paths, as the pipeline gives them: compare checks that its inputs are the runs
    the params call for)."""
    root = tmp_path_factory.mktemp("slash")
    shutil.copy(ROOT / "params.yaml", root)  # the project's params are read from the cwd
    shutil.copytree(ROOT / "params", root / "params")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("DLREPRO_MIRROR", str(MIRROR))
        assert main([*SMOKE, "fetch", "--name", RAW_FILE, "--out", RAW]) == 0
        _step("published", "--raw", RAW, "--out", DATA.format(source="published"))
        _step("generate", "--out", DATA.format(source="generated"))
        for source in SOURCES:
            _build_source(source)
        metrics = [
            f"{MODEL.format(source=s, model=m, run=r)}/metrics.json"
            for s in SOURCES
            for m in MODELS
            for r in range(RUNS)
        ]
        measures = {
            k: [MEASURES.format(source=s, measure=k) for s in SOURCES]
            for k in ("data", "forest_sizes")
        }
        _step("compare", "--metrics", *metrics, "--data", *measures["data"],
              "--forest", *measures["forest_sizes"],
              "--claims", str(study_dir("slash") / "claims.yaml"),
              "--table", "results/slash/table.csv", "--data-table", "results/slash/data.csv",
              "--forest-table", "results/slash/forest_sizes.csv",
              "--summary", "results/slash/metrics.json",
              "--comparison", "results/slash/comparison.csv")  # fmt: skip
        cnn_weights = [
            f"{MODEL.format(source=s, model=m, run=0)}/weights.pt"
            for s in SOURCES
            for m in CNN_MODELS
        ]
        histories = [
            f"{MODEL.format(source=s, model=m, run=r)}/history.csv"
            for s in SOURCES
            for m in CNN_MODELS
            for r in range(RUNS)
        ]
        _step("figures", "--data", *[DATA.format(source=s) for s in SOURCES],
              "--weights", *cnn_weights, "--history", *histories,
              "--samples", "results/slash/figures/samples.png",
              "--kernels", "results/slash/figures/kernels.png",
              "--curves", "results/slash/figures/learning_curves.png")  # fmt: skip
    return root


@pytest.mark.parametrize("source", SOURCES)
def test_each_run_has_its_own_split_of_one_dataset(built, tmp_path, monkeypatch, source):
    import numpy as np

    splits = [np.load(built / SPLIT.format(source=source, run=r)) for r in range(RUNS)]
    assert not np.array_equal(splits[0]["idx_test"], splits[1]["idx_test"])
    for s in splits:  # same sizes and class balance: only which images go where changes
        assert len(s["idx_test"]) == len(splits[0]["idx_test"])
        assert s["y_test"].sum() == splits[0]["y_test"].sum()
    # the same run again: the same bytes
    monkeypatch.chdir(built)
    again = tmp_path / "split0.npz"
    _step("split", "--source", source, "--run", "0", "--data", DATA.format(source=source),
          "--out", str(again))  # fmt: skip
    assert again.read_bytes() == (built / SPLIT.format(source=source, run=0)).read_bytes()


def test_the_published_source_is_a_stratified_sample_of_the_file(built):
    import numpy as np

    data = np.load(built / DATA.format(source="published"))
    with np.load(MIRROR / "slash/slash_data.npz") as raw:
        x, y = raw["x"], raw["y"]
    assert np.bincount(data["y"]).tolist() == [60, 60]  # config/smoke.yaml: n_per_class
    assert np.array_equal(data["y"], y[data["idx"]])
    assert np.array_equal(data["x"], x[data["idx"]].astype(np.float32))


def test_a_run_repeated_gives_the_same_bytes_and_runs_differ(built, tmp_path, monkeypatch):
    monkeypatch.chdir(built)
    _train("published", "custom_cnn", 0, str(tmp_path / "again"))
    first = built / MODEL.format(source="published", model="custom_cnn", run=0)
    assert (tmp_path / "again/weights.pt").read_bytes() == (first / "weights.pt").read_bytes()
    assert (tmp_path / "again/history.csv").read_bytes() == (first / "history.csv").read_bytes()
    other = built / MODEL.format(source="published", model="custom_cnn", run=1)
    assert (other / "weights.pt").read_bytes() != (first / "weights.pt").read_bytes()


def test_compare_describes_every_metric_of_each_source_over_the_runs(built):
    summary = json.loads((built / "results/slash/metrics.json").read_text())
    assert summary["sources"] == list(SOURCES)
    for source in SOURCES:
        block = summary[source]
        assert block["runs"] == RUNS
        assert set(block["models"]) == set(MODELS)  # (metrics.json keys are sorted)
        for name, metrics in block["models"].items():
            assert set(metrics) == {"trainable_params", "train_acc", "test_acc"}, name
            for leaf in metrics.values():
                assert set(leaf) == set(STAT_KEYS) and len(leaf["runs"]) == RUNS
                assert leaf["min"] <= leaf["mean"] <= leaf["max"]
        # per-run values are the runs' own metrics, in run order
        for run in range(RUNS):
            own = json.loads(
                (
                    built / MODEL.format(source=source, model="svm_rbf", run=run) / "metrics.json"
                ).read_text()
            )
            assert block["models"]["svm_rbf"]["test_acc"]["runs"][run] == own["test_acc"]
        assert block["models"]["vanilla_cnn"]["trainable_params"]["sd"] == 0  # the architecture
        # the measures: every run's twin fractions, and the forest whose first trees are ours
        assert len(block["data"]["test_twin_fraction"]["runs"]) == RUNS
        assert block["data"]["dark_per_image"] == 4.0 and block["data"]["images"] == 120
        first = block["forest_sizes"]["trees_3"]["nodes"]["runs"]  # smoke: 3 trees
        assert first == block["models"]["random_forest"]["trainable_params"]["runs"]


def test_compare_table_and_comparison_over_runs(built):
    import pandas as pd

    table = pd.read_csv(built / "results/slash/table.csv")
    assert list(table["source"]) == [s for s in SOURCES for _ in MODELS]
    assert list(table["model"]) == list(MODELS) * len(SOURCES)
    assert (table["runs"] == RUNS).all()
    assert {"test_acc_mean", "test_acc_sd", "test_acc_per_run"} <= set(table.columns)
    assert table["test_acc_per_run"].str.split().map(len).eq(RUNS).all()
    comparison = pd.read_csv(built / "results/slash/comparison.csv", keep_default_na=False)
    assert len(comparison) == 54
    assert comparison["claim"].str.endswith(" (published data)").sum() == 27
    judged = comparison[comparison["verdict"] != "not comparable"]
    assert set(judged["runs"].astype(int)) == {RUNS}
    checks = comparison[comparison["kind"] == "check"]
    # smoke scale: the k-NN size checks need the post's 750 training images; the rest hold
    assert set(checks["verdict"]) <= {"passed", "not comparable"}, checks
    data = pd.read_csv(built / "results/slash/data.csv")
    assert list(data["source"]) == list(SOURCES)
    assert data["test_twin_fraction_mean"].between(0, 1).all()
    forest = pd.read_csv(built / "results/slash/forest_sizes.csv")
    assert set(forest["trees"]) == {1, 3, 10}


def test_figures_are_drawn(built):
    for name in ("samples", "kernels", "learning_curves"):
        png = built / f"results/slash/figures/{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_refuses_a_run_missing_a_model():
    from dlrepro.errors import DlreproError
    from dlrepro.studies.slash.compare import summarise

    record = {"trainable_params": 1, "train_acc": 1.0, "test_acc": 1.0}
    records = [{"model": m, "run": r, **record} for m in MODELS for r in range(2)]
    assert summarise(records)["models"]["knn_k1"]["test_acc"]["runs"] == [1.0, 1.0]
    with pytest.raises(DlreproError, match="run 1 has no metrics for custom_cnn"):
        summarise(records[:-1])
    with pytest.raises(DlreproError, match="not 0..1"):
        summarise([r for r in records if r["run"] == 1] + [{**records[0], "run": 2}])
