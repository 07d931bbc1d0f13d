"""The spatial_contrasting study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

from conftest import smoke_config

# outputs, figures and report page: tests/pipeline/test_study_outputs.py


def test_runs_are_paired_and_summarised(smoke_build):
    out = smoke_build / "results/spatial_contrasting"
    metrics = json.loads((out / "metrics.json").read_text())
    smoke = smoke_config(smoke_build, "spatial_contrasting")
    assert metrics["runs"] == smoke["runs"]
    assert metrics["n_labelled"] == 10 * smoke["data"]["labels_per_class"]
    runs = [json.loads((out / f"runs/{r}/metrics.json").read_text()) for r in range(smoke["runs"])]
    for net in ("pretrained", "scratch"):
        assert metrics["finetune"][net]["test_acc"]["runs"] == [
            r["finetune"][net]["test_acc"] for r in runs
        ]
    assert runs[0]["finetune_history"] != runs[1]["finetune_history"]  # run seeds differ
    history = json.loads((out / "runs/0/pretrain.json").read_text())
    assert len(history["loss_per_step"]) == smoke["pretrain"]["steps"]
