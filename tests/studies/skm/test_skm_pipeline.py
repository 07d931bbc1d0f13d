"""The skm study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

from conftest import smoke_config

# outputs, figures and report page: tests/pipeline/test_study_outputs.py


def test_skm_heads_trained_on_the_same_data(smoke_build):
    metrics = json.loads((smoke_build / "results/skm/metrics.json").read_text())
    smoke = smoke_config(smoke_build, "skm")
    assert metrics["n_train"] == smoke["data"]["train_size"]
    assert 0 <= metrics["skm"]["test_error"] <= 1 and 0 <= metrics["softmax"]["ece"] <= 1
    assert metrics["skm"]["runs"] == metrics["softmax"]["runs"]
