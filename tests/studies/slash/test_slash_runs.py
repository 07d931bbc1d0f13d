"""The slash study's runs, through its real steps at smoke scale (in-process, seconds): one
generated dataset, a split and model seeds per run; the same run repeated gives the same bytes,
two runs differ; compare describes every metric over the runs; figures draw them."""

from __future__ import annotations

import json
import shutil

import pytest

from dlrepro.cli import main
from dlrepro.core.repeats import STAT_KEYS
from dlrepro.paths import ROOT, study_dir
from dlrepro.studies.slash.spec import CNN_MODELS, MODELS, SKLEARN_MODELS

SMOKE = ["--params", str(ROOT / "config/smoke.yaml")]
RUNS = 2  # config/smoke.yaml: slash.runs
DATA = "data/processed/slash/slash_data.npz"
SPLIT = "data/processed/slash/runs/{run}/split.npz"
MODEL = "results/slash/models/{model}/{run}"


def _step(*argv: str) -> None:
    assert main([*SMOKE, "slash", *argv]) == 0, argv


def _train(model: str, run: int, out: str) -> None:
    _step("train", "--model", model, "--run", str(run), "--split", SPLIT.format(run=run),
          "--weights", f"{out}/weights.pt", "--metrics", f"{out}/metrics.json",
          "--history", f"{out}/history.csv")  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every step of the study for both smoke runs, in a scratch folder (relative paths, as the
    pipeline gives them: compare checks that its inputs are the runs the params call for)."""
    root = tmp_path_factory.mktemp("slash")
    shutil.copy(ROOT / "params.yaml", root)  # the project's params are read from the cwd
    shutil.copytree(ROOT / "params", root / "params")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        _step("generate", "--out", DATA)
        for run in range(RUNS):
            _step("split", "--run", str(run), "--data", DATA, "--out", SPLIT.format(run=run))
            for model in SKLEARN_MODELS:
                out = MODEL.format(model=model, run=run)
                _step("fit", "--model", model, "--run", str(run), "--split",
                      SPLIT.format(run=run), "--metrics", f"{out}/metrics.json")  # fmt: skip
            for model in CNN_MODELS:
                _train(model, run, MODEL.format(model=model, run=run))
        metrics = [
            f"{MODEL.format(model=m, run=r)}/metrics.json" for m in MODELS for r in range(RUNS)
        ]
        _step("compare", "--metrics", *metrics, "--claims", str(study_dir("slash") / "claims.yaml"),
              "--table", "results/slash/table.csv", "--summary", "results/slash/metrics.json",
              "--comparison", "results/slash/comparison.csv")  # fmt: skip
        cnn_weights = [f"{MODEL.format(model=m, run=0)}/weights.pt" for m in CNN_MODELS]
        histories = [
            f"{MODEL.format(model=m, run=r)}/history.csv" for m in CNN_MODELS for r in range(RUNS)
        ]
        _step("figures", "--data", DATA, "--weights", *cnn_weights, "--history", *histories,
              "--samples", "results/slash/figures/samples.png",
              "--kernels", "results/slash/figures/kernels.png",
              "--curves", "results/slash/figures/learning_curves.png")  # fmt: skip
    return root


def test_each_run_has_its_own_split_of_one_dataset(built, tmp_path, monkeypatch):
    import numpy as np

    splits = [np.load(built / SPLIT.format(run=r)) for r in range(RUNS)]
    assert not np.array_equal(splits[0]["idx_test"], splits[1]["idx_test"])
    for s in splits:  # same sizes and class balance: only which images go where changes
        assert len(s["idx_test"]) == len(splits[0]["idx_test"])
        assert s["y_test"].sum() == splits[0]["y_test"].sum()
    # the same run again: the same bytes
    monkeypatch.chdir(built)
    again = tmp_path / "split0.npz"
    _step("split", "--run", "0", "--data", DATA, "--out", str(again))
    assert again.read_bytes() == (built / SPLIT.format(run=0)).read_bytes()


def test_a_run_repeated_gives_the_same_bytes_and_runs_differ(built, tmp_path, monkeypatch):
    monkeypatch.chdir(built)
    _train("custom_cnn", 0, str(tmp_path / "again"))
    first = built / MODEL.format(model="custom_cnn", run=0)
    assert (tmp_path / "again/weights.pt").read_bytes() == (first / "weights.pt").read_bytes()
    assert (tmp_path / "again/history.csv").read_bytes() == (first / "history.csv").read_bytes()
    other = built / MODEL.format(model="custom_cnn", run=1)
    assert (other / "weights.pt").read_bytes() != (first / "weights.pt").read_bytes()


def test_compare_describes_every_metric_over_the_runs(built):
    summary = json.loads((built / "results/slash/metrics.json").read_text())
    assert summary["runs"] == RUNS
    assert set(summary["models"]) == set(MODELS)  # (metrics.json keys are sorted)
    for name, metrics in summary["models"].items():
        assert set(metrics) == {"trainable_params", "train_acc", "test_acc"}, name
        for leaf in metrics.values():
            assert set(leaf) == set(STAT_KEYS) and len(leaf["runs"]) == RUNS
            assert leaf["min"] <= leaf["mean"] <= leaf["max"]
    # per-run values are the runs' own metrics, in run order
    for run in range(RUNS):
        own = json.loads(
            (built / MODEL.format(model="svm_rbf", run=run) / "metrics.json").read_text()
        )
        assert summary["models"]["svm_rbf"]["test_acc"]["runs"][run] == own["test_acc"]
    assert summary["models"]["vanilla_cnn"]["trainable_params"]["sd"] == 0  # the architecture


def test_compare_table_and_comparison_over_runs(built):
    import pandas as pd

    table = pd.read_csv(built / "results/slash/table.csv")
    assert list(table["model"]) == list(MODELS)
    assert (table["runs"] == RUNS).all()
    assert {"test_acc_mean", "test_acc_sd", "test_acc_per_run"} <= set(table.columns)
    assert table["test_acc_per_run"].str.split().map(len).eq(RUNS).all()
    comparison = pd.read_csv(built / "results/slash/comparison.csv", keep_default_na=False)
    assert len(comparison) == 27
    judged = comparison[comparison["verdict"] != "not comparable"]
    assert set(judged["runs"].astype(int)) == {RUNS}
    checks = comparison[comparison["kind"] == "check"]
    # smoke scale: the k-NN size checks need the post's 750 training images; the rest hold
    assert set(checks["verdict"]) <= {"passed", "not comparable"}, checks


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
