"""The memorization study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

from conftest import smoke_config

# outputs, figures and report page: tests/pipeline/test_study_outputs.py


def _job(repo, setting: str, run: int) -> dict:
    return json.loads(
        (repo / f"results/memorization/runs/{setting}/{run}/metrics.json").read_text()
    )


def test_memorization_runs_one_job_per_setting_and_run_with_the_exact_fraction(smoke_build):
    smoke = smoke_config(smoke_build, "memorization")
    for percent in smoke["corrupted_percents"]:
        jobs = [_job(smoke_build, f"labels_{percent}", r) for r in range(smoke["runs"])]
        for job in jobs:
            assert job["replaced_labels"] == round(percent / 100 * smoke["data"]["train_size"])
            assert 1 <= job["epochs_run"] <= smoke["training"]["epochs"]
        # a run draws its own corruption and initialisation: its history differs
        assert jobs[0]["history"] != jobs[1]["history"]
    pixels = [_job(smoke_build, "gaussian_pixels", r) for r in range(smoke["runs"])]
    metrics = json.loads((smoke_build / "results/memorization/metrics.json").read_text())
    assert metrics["runs"] == smoke["runs"]
    assert metrics["gaussian_pixels"]["train_acc"]["runs"] == [p["train_acc"] for p in pixels]


def test_fixed_budget_variants_and_the_construction_reach_the_summary(smoke_build):
    smoke = smoke_config(smoke_build, "memorization")
    metrics = json.loads((smoke_build / "results/memorization/metrics.json").read_text())
    for variant, settings in smoke["fixed_budget"]["variants"].items():
        jobs = [
            json.loads(
                (
                    smoke_build / f"results/memorization/fixed_budget/{variant}/{r}/metrics.json"
                ).read_text()
            )
            for r in range(smoke["runs"])
        ]
        assert all(len(j["history"]) == settings["epochs"] for j in jobs)  # no stop rule
        assert metrics["fixed_budget"][variant]["train_acc"]["runs"] == [
            j["train_acc"] for j in jobs
        ]
    assert len(metrics["regularisation"]["error_reduction"]["runs"]) == smoke["runs"]
    n = smoke["construction"]["n"]
    assert metrics["construction"]["parameters"]["runs"] == [2 * n + 784] * smoke["runs"]
    assert metrics["construction"]["label_accuracy"]["min"] == 1.0
