"""selu, memorization and skm through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

FIGURES = {"selu": ["depth_profiles.png", "training.png"],
           "memorization": ["accuracy_vs_corruption.png", "learning_curves.png"],
           "skm": ["error_vs_epoch.png", "reliability.png", "confidence.png"]}


@pytest.mark.parametrize("study", FIGURES)
def test_outputs_and_report_page(smoke_build, study):
    out = smoke_build / "results" / study
    comparison = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    assert len(comparison) >= 4
    assert set(comparison["verdict"]) <= {"reproduced", "differs", "not comparable"}
    assert len(pd.read_csv(out / "table.csv")) >= 2
    for figure in FIGURES[study]:
        assert (out / "figures" / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (smoke_build / f"results/report/{study}.md").read_text()
    assert "## Post vs ours" in page and f"../{study}/figures/{FIGURES[study][0]}" in page


def _smoke(repo, study):
    return yaml.safe_load((repo / "config/smoke.yaml").read_text())[study]


def test_selu_timings_are_kept_out_of_the_hashed_results(smoke_build):
    timing = json.loads((smoke_build / "results/selu/timing.json").read_text())
    assert set(timing) == {"selu", "relu", "relu_bn"}
    assert all(t["median_seconds_per_epoch"] > 0 for t in timing.values())
    prov = json.loads((smoke_build / "results/selu/provenance/compare.json").read_text())
    assert not any("timing" in p for p in [*prov["inputs"], *prov["outputs"]])
    metrics = json.loads((smoke_build / "results/selu/metrics.json").read_text())
    assert "seconds" not in json.dumps(metrics)
    depth = _smoke(smoke_build, "selu")["activations"]["depth"]
    stats = json.loads((smoke_build / "results/selu/activations.json").read_text())["statistics"]
    assert len(stats["gaussian"]["selu"]["var"]) == depth


def test_memorization_runs_one_job_per_level_with_the_exact_fraction(smoke_build):
    smoke = _smoke(smoke_build, "memorization")
    for percent in smoke["corrupted_percents"]:
        run = json.loads((smoke_build / f"results/memorization/runs/labels_{percent}/metrics.json").read_text())
        assert run["replaced_labels"] == round(percent / 100 * smoke["data"]["train_size"])
        assert 1 <= run["epochs_run"] <= smoke["training"]["epochs"]
    assert (smoke_build / "results/memorization/runs/gaussian_pixels/metrics.json").is_file()


def test_skm_heads_trained_on_the_same_data(smoke_build):
    metrics = json.loads((smoke_build / "results/skm/metrics.json").read_text())
    smoke = _smoke(smoke_build, "skm")
    assert metrics["n_train"] == smoke["data"]["train_size"]
    assert 0 <= metrics["skm"]["test_error"] <= 1 and 0 <= metrics["softmax"]["ece"] <= 1
    assert metrics["skm"]["runs"] == metrics["softmax"]["runs"]
