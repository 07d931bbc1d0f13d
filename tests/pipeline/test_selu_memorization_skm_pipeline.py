"""selu, memorization and skm through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

import yaml

# outputs, figures and report pages of all three: test_small_posts_pipeline.py


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
        run = json.loads(
            (smoke_build / f"results/memorization/runs/labels_{percent}/metrics.json").read_text()
        )
        assert run["replaced_labels"] == round(percent / 100 * smoke["data"]["train_size"])
        assert 1 <= run["epochs_run"] <= smoke["training"]["epochs"]
    assert (smoke_build / "results/memorization/runs/gaussian_pixels/metrics.json").is_file()


def test_skm_heads_trained_on_the_same_data(smoke_build):
    metrics = json.loads((smoke_build / "results/skm/metrics.json").read_text())
    smoke = _smoke(smoke_build, "skm")
    assert metrics["n_train"] == smoke["data"]["train_size"]
    assert 0 <= metrics["skm"]["test_error"] <= 1 and 0 <= metrics["softmax"]["ece"] <= 1
    assert metrics["skm"]["runs"] == metrics["softmax"]["runs"]
