"""The selu study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

from conftest import smoke_config

# outputs, figures and report page: tests/pipeline/test_study_outputs.py


def test_selu_timings_are_kept_out_of_the_hashed_results(smoke_build):
    timing = json.loads((smoke_build / "results/selu/timing.json").read_text())
    assert set(timing) == {"selu", "relu", "relu_bn"}
    assert all(t["median_seconds_per_epoch"] > 0 for t in timing.values())
    prov = json.loads((smoke_build / "results/selu/provenance/compare.json").read_text())
    assert not any("timing" in p for p in [*prov["inputs"], *prov["outputs"]])
    metrics = json.loads((smoke_build / "results/selu/metrics.json").read_text())
    assert "seconds" not in json.dumps(metrics)
    depth = smoke_config(smoke_build, "selu")["activations"]["depth"]
    stats = json.loads((smoke_build / "results/selu/activations.json").read_text())["statistics"]
    assert len(stats["gaussian"]["selu"]["var"]) == depth
