"""The studies of issue 7 through the real pipeline, at smoke scale: every one has its
comparison, table, figures and report page (study-specific checks here and in
test_selu_memorization_skm_pipeline.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

STUDIES = {
    "selu": ["depth_profiles.png", "training.png"],
    "memorization": ["accuracy_vs_corruption.png", "learning_curves.png"],
    "skm": ["error_vs_epoch.png", "reliability.png", "confidence.png"],
    "corrviz": ["rules.png"],
    "polysim": ["example.png", "scatter.png"],
    "feedback_loop": ["over_time.png", "allocations.png"],
    "shattered": ["gradients.png", "decay.png"],
    "pca_prob": ["samples.png", "likelihoods.png", "roc.png"],
}


@pytest.mark.parametrize("study", STUDIES)
def test_outputs_and_report_page(smoke_build, study):
    out = smoke_build / "results" / study
    comparison = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    assert len(comparison) >= 2
    assert set(comparison["verdict"]) <= {"reproduced", "differs", "not comparable"}
    assert len(pd.read_csv(out / "table.csv")) >= 1
    for figure in STUDIES[study]:
        assert (out / "figures" / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (smoke_build / f"results/report/{study}.md").read_text()
    assert "## Post vs ours" in page and f"../{study}/figures/{STUDIES[study][0]}" in page


def test_feedback_loop_runs_follow_the_smoke_params(smoke_build):
    smoke = yaml.safe_load((smoke_build / "config/smoke.yaml").read_text())["feedback_loop"]
    with np.load(smoke_build / "data/processed/feedback_loop/runs.npz") as runs:
        officers = runs["arrests/officers"]
    assert officers.shape[:2] == (smoke["replicates"], smoke["periods"])
    assert (officers.sum(axis=-1) == 100).all()  # params.yaml officers, unchanged by smoke


def test_polysim_closed_form_checked_in_the_pipeline(smoke_build):
    metrics = json.loads((smoke_build / "results/polysim/metrics.json").read_text())
    assert metrics["triplets"] == 200
    assert metrics["closed_form_vs_quadrature_max_rel_error"] < 1e-12
    assert metrics["legendre_euclidean_vs_shape_max_rel_error"] < 1e-12
