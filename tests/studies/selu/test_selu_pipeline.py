"""The selu study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

from conftest import smoke_config

# outputs, figures and report page: tests/pipeline/test_study_outputs.py


def test_selu_timings_are_kept_out_of_the_hashed_results(smoke_build):
    runs = smoke_config(smoke_build, "selu")["runs"]
    timing = json.loads((smoke_build / "results/selu/timing.json").read_text())
    assert set(timing) == {"selu", "relu", "relu_bn", "selu_over_relu_bn"}
    for variant in ("selu", "relu", "relu_bn"):
        median = timing[variant]["median_seconds_per_epoch"]
        assert len(median["runs"]) == runs and median["min"] > 0
    assert timing["selu_over_relu_bn"]["runs"] == runs
    prov = json.loads((smoke_build / "results/selu/provenance/compare.json").read_text())
    assert not any("timing" in p for p in [*prov["inputs"], *prov["outputs"]])
    metrics = json.loads((smoke_build / "results/selu/metrics.json").read_text())
    assert "seconds" not in json.dumps(metrics)


def test_selu_one_job_per_run_and_metrics_hold_every_run(smoke_build):
    smoke = smoke_config(smoke_build, "selu")
    depth, runs = smoke["activations"]["depth"], smoke["runs"]
    stats = [
        json.loads((smoke_build / f"results/selu/activations/{r}.json").read_text())["statistics"]
        for r in range(runs)
    ]
    assert all(len(s["gaussian"]["selu"]["var"]) == depth for s in stats)
    assert stats[0]["gaussian"]["selu"]["var"] != stats[1]["gaussian"]["selu"]["var"]
    metrics = json.loads((smoke_build / "results/selu/metrics.json").read_text())
    for variant in ("selu", "relu", "relu_bn"):
        accs = [
            json.loads(
                (smoke_build / f"results/selu/models/{variant}/{r}/metrics.json").read_text()
            )["test_acc"]
            for r in range(runs)
        ]
        assert metrics["training"][variant]["test_acc"]["runs"] == accs
    deviation = metrics["activations"]["gaussian"]["selu"]["deviation"]
    assert deviation["runs"] == [s["gaussian"]["selu"]["deviation"] for s in stats]
