"""The feedback_loop study through the real pipeline, at smoke scale (its outputs, figures and
report page: tests/pipeline/test_study_outputs.py)."""

from __future__ import annotations

import json

import numpy as np
import yaml


def test_feedback_loop_runs_follow_the_smoke_params(smoke_build):
    smoke = yaml.safe_load((smoke_build / "config/smoke.yaml").read_text())["feedback_loop"]
    with np.load(smoke_build / "data/processed/feedback_loop/runs.npz") as runs:
        officers = runs["arrests/officers"]
    assert officers.shape[:2] == (smoke["replicates"], smoke["periods"])
    assert (officers.sum(axis=-1) == 100).all()  # params.yaml officers, unchanged by smoke
    metrics = json.loads((smoke_build / "results/feedback_loop/metrics.json").read_text())
    policed = metrics["policies"]["arrests"]["final_districts_policed"]["runs"]
    assert policed == (officers[:, -1] > 0).sum(axis=-1).tolist()  # one per replicate, in order
    # the lesson's other items: one value per run (smoke params), gathered by `compare`
    assert len(metrics["xor"]["hidden_layer"]["accuracy"]["runs"]) == smoke["xor"]["runs"]
    leak = metrics["leakage"]["series"]["valid_mse_random_over_time"]["runs"]
    assert len(leak) == smoke["leakage"]["runs"]
    assert metrics["holdout"]["documented_valid_pct"] == 0.2
    for table in ("xor_single_layer_vs_hidden_layer", "validation_hold_out"):
        assert (smoke_build / f"results/feedback_loop/{table}.csv").stat().st_size > 0
    figure = smoke_build / "results/feedback_loop/figures/split_leakage.png"
    assert figure.read_bytes()[:4] == b"\x89PNG"
