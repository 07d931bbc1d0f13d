"""The random_dilation study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import yaml
from conftest import SMOKE, clone_built, planned_jobs

VARIANTS = ("no_dilation", "dilation2", "random_dilation", "frame_mlp")


def test_random_dilation_smoke_outputs(smoke_build):
    repo = smoke_build
    smoke = yaml.safe_load((repo / "config/smoke.yaml").read_text())["random_dilation"]
    with np.load(repo / "data/processed/random_dilation/videos.npz", allow_pickle=False) as d:
        assert d["x_train"].shape == (smoke["data"]["train"], smoke["data"]["frames"], 16, 16)
        assert d["x_test"].dtype == np.uint8 and len(d["y_test"]) == smoke["data"]["test"]
    # one job (weights, metrics, provenance) per variant and run seed
    for variant in VARIANTS:
        for run in range(smoke["runs"]):
            m = json.loads(
                (repo / f"results/random_dilation/runs/{variant}/{run}/metrics.json").read_text()
            )
            assert m["variant"] == variant and 0 <= m["test_acc"] <= 1
            assert (
                len(m["history"])
                == smoke["frame_mlp" if variant == "frame_mlp" else "training"]["epochs"]
            )
            assert (
                repo / f"results/random_dilation/provenance/train_{variant}_{run}.json"
            ).is_file()
    # run seeds differ: the runs of a variant are different nets
    for variant in VARIANTS:
        w = [
            (repo / f"results/random_dilation/runs/{variant}/{run}/weights.pt").read_bytes()
            for run in range(smoke["runs"])
        ]
        assert len(set(w)) == len(w), variant
    rnd = json.loads(
        (repo / "results/random_dilation/runs/random_dilation/0/metrics.json").read_text()
    )
    assert set(rnd["test_acc_single_dilation"]) == {"1", "2"}
    assert (
        set(rnd["test_acc_by_group"])
        == set(rnd["test_acc_shuffled"])
        == {
            "all",
            "context",
            "motion",
        }
    )
    mlp = json.loads((repo / "results/random_dilation/runs/frame_mlp/0/metrics.json").read_text())
    assert mlp["test_acc_shuffled"] == mlp["test_acc_by_group"]  # order-free
    assert sum(rnd["dilations_drawn"].values()) > 0

    summary = json.loads((repo / "results/random_dilation/metrics.json").read_text())
    assert set(summary["variants"]) == set(VARIANTS)
    for variant in VARIANTS:  # every run's test accuracy, in run order
        runs = [
            json.loads(
                (repo / f"results/random_dilation/runs/{variant}/{run}/metrics.json").read_text()
            )["test_acc"]
            for run in range(smoke["runs"])
        ]
        assert summary["variants"][variant]["test_acc"]["runs"] == runs
    table = pd.read_csv(repo / "results/random_dilation/table.csv")
    assert len(table) == 4 and table["test_top1_mean"].between(0, 1).all()

    comparison = pd.read_csv(repo / "results/random_dilation/comparison.csv", keep_default_na=False)
    orders = comparison["tolerance"].str.startswith("order")
    numbers = comparison[~orders & (comparison["kind"] == "published")]
    assert len(numbers) == 4 and (numbers["verdict"] == "not comparable").all()
    assert (numbers["runs"] == smoke["runs"]).all()
    judged = comparison[comparison["verdict"] != "not comparable"]
    assert len(judged) >= 4 and (judged["runs"] == smoke["runs"]).all()
    checks = judged["kind"] == "check"
    assert set(judged.loc[checks, "verdict"]) <= {"passed", "within noise", "failed"}
    assert set(judged.loc[~checks, "verdict"]) <= {"reproduced", "within noise", "differs"}

    page = (repo / "results/report/random_dilation.html").read_text()
    figures = ("samples", "accuracy", "accuracy_by_stride", "accuracy_by_group", "learning_curves")
    for fig in (f"{name}.png" for name in figures):
        assert f"../random_dilation/figures/{fig}" in page


def test_frame_mlp_params_rerun_only_the_frame_mlp_jobs(smoke_build, tmp_path):
    """One job per run of the frame MLP, nothing of the BesNet variants."""
    repo = clone_built(smoke_build, tmp_path / "clone")
    smoke = yaml.safe_load((repo / "config/smoke.yaml").read_text())
    smoke["random_dilation"]["frame_mlp"]["hidden"] = 8
    (repo / "config/smoke.yaml").write_text(yaml.safe_dump(smoke))
    assert planned_jobs(repo, *SMOKE) == {
        "random_dilation_train": smoke["random_dilation"]["runs"],
        "random_dilation_compare": 1,
        "random_dilation_figures": 1,
        "report": 1,
    }
