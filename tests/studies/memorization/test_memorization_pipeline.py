"""The memorization study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

from conftest import smoke_config

# outputs, figures and report page: tests/pipeline/test_study_outputs.py


def test_memorization_runs_one_job_per_level_with_the_exact_fraction(smoke_build):
    smoke = smoke_config(smoke_build, "memorization")
    for percent in smoke["corrupted_percents"]:
        run = json.loads(
            (smoke_build / f"results/memorization/runs/labels_{percent}/metrics.json").read_text()
        )
        assert run["replaced_labels"] == round(percent / 100 * smoke["data"]["train_size"])
        assert 1 <= run["epochs_run"] <= smoke["training"]["epochs"]
    assert (smoke_build / "results/memorization/runs/gaussian_pixels/metrics.json").is_file()
