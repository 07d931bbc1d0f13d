"""The skm study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

from conftest import smoke_config

# outputs, figures and report page: tests/pipeline/test_study_outputs.py


def test_skm_heads_trained_on_the_same_data(smoke_build):
    metrics = json.loads((smoke_build / "results/skm/metrics.json").read_text())
    smoke = smoke_config(smoke_build, "skm")
    assert metrics["n_train"] == smoke["data"]["train_size"]
    assert metrics["runs"] == smoke["runs"]
    for head in ("softmax", "skm"):
        runs = [
            json.loads((smoke_build / f"results/skm/runs/{head}/{r}/metrics.json").read_text())
            for r in range(smoke["runs"])
        ]
        assert metrics[head]["test_error"]["runs"] == [r["test_error"] for r in runs]
        assert runs[0]["history"] != runs[1]["history"]  # run seeds differ
    assert 0 <= metrics["skm"]["test_error"]["mean"] <= 1
    assert 0 <= metrics["softmax"]["ece"]["max"] <= 1
