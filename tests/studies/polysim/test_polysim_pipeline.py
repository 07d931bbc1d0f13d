"""The polysim study through the real pipeline, at smoke scale (its outputs, figures and report
page: tests/pipeline/test_study_outputs.py)."""

from __future__ import annotations

import json


def test_polysim_closed_form_checked_in_the_pipeline(smoke_build):
    metrics = json.loads((smoke_build / "results/polysim/metrics.json").read_text())
    assert metrics["triplets"] == 200
    assert len(metrics["disagreeing_triplet_fraction"]["runs"]) == metrics["replicate_sets"] == 10
    assert metrics["closed_form_vs_quadrature_max_rel_error"] < 1e-12
    assert metrics["legendre_euclidean_vs_shape_max_rel_error"] < 1e-12
    agreement = metrics["shape_norms"]
    assert set(agreement["pairwise"]) == {
        "L2~L1",
        "L2~Linf",
        "L1~Linf",
        "coefficients~L2",
        "coefficients~L1",
        "coefficients~Linf",
    }
    assert len(agreement["between_shape_norms_max"]["runs"]) == 10
