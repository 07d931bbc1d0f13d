"""Outputs of several studies in the smoke build (the real pipeline): the shared MNIST artifact,
every study's comparison, table, figures and report page, and the exact identities of the
correlation and dilation studies (study-specific checks: tests/studies/<study>/)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import read_comparison

from dlrepro.core.claims import CHECK_VERDICTS, VERDICTS

STUDIES = {
    "selu": ["depth_profiles.png", "training.png"],
    "memorization": ["accuracy_vs_corruption.png", "learning_curves.png"],
    "skm": ["error_vs_epoch.png", "reliability.png", "confidence.png"],
    "corrviz": ["rules.png"],
    "polysim": ["example.png", "scatter.png"],
    "feedback_loop": ["over_time.png", "allocations.png", "split_leakage.png"],
    "shattered": ["gradients.png", "decay.png", "coactivation.png"],
    "pca_prob": ["samples.png", "likelihoods.png", "roc.png", "unseen_digits.png"],
    "multi_residual": ["lesion.png", "gradient.png", "accuracy.png"],
    "gumbel_softmax": ["relaxation.png", "gradients.png", "semi_supervised.png"],
    "spatial_contrasting": ["pretraining.png", "accuracy.png"],
}


@pytest.mark.parametrize("study", STUDIES)
def test_outputs_and_report_page(smoke_build, study):
    out = smoke_build / "results" / study
    comparison = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    assert len(comparison) >= 2
    assert set(comparison["verdict"]) <= set(VERDICTS) | set(CHECK_VERDICTS)
    assert len(pd.read_csv(out / "table.csv")) >= 1
    for figure in STUDIES[study]:
        assert (out / "figures" / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (smoke_build / f"results/report/{study}.md").read_text()
    assert "## Post vs ours" in page and f"../{study}/figures/{STUDIES[study][0]}" in page


def test_shared_mnist_artifact_is_the_standard_split(smoke_build):
    with np.load(smoke_build / "data/processed/mnist/mnist.npz", allow_pickle=False) as d:
        assert d["x_train"].shape == (60000, 28, 28) and d["x_test"].shape == (10000, 28, 28)
        assert d["x_train"].dtype == np.uint8 and set(np.unique(d["y_test"])) == set(range(10))


def test_correlation_and_dilation_smoke_outputs(smoke_build):
    repo = smoke_build
    for study in ("correlation", "dilation"):  # exact identities (checks): passed at any scale
        comparison = read_comparison(repo, study)
        assert (comparison["kind"] == "check").all() and (comparison["verdict"] == "passed").all()
    table = pd.read_csv(repo / "results/correlation/table.csv")
    assert (table["max |conv2d - correlate2d|"] < 1e-10).all()
    dilation = pd.read_csv(repo / "results/dilation/table.csv")
    assert (dilation["rf_measured"] == dilation["rf_formula"]).all()
    for study, fig in (("correlation", "asymmetric_kernel.png"), ("dilation", "post_figure.png")):
        assert f"../{study}/figures/{fig}" in (repo / f"results/report/{study}.html").read_text()
