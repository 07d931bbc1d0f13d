"""The five heat-map rules: each panel changes what its rule is for, and only that."""

from __future__ import annotations

import numpy as np
import pytest

from dlrepro.errors import DlreproError
from dlrepro.studies.corrviz.data import correlation, load
from dlrepro.studies.corrviz.rules import RULES, cluster_order, off_diagonal, panel_metrics, panels


@pytest.fixture(scope="module")
def corr():
    x, names = load("breast_cancer")
    assert x.shape == (569, 30) and len(names) == 30
    return correlation(x)


def test_panels_are_cumulative(corr):
    shown = panels(corr, 0.99)
    assert tuple(p.rule for p in shown) == RULES
    default, middle, symmetric, diverging, dark, ordered = shown
    assert (default.vmin, default.vmax) == (corr.min(), 1.0)
    # rule 1: the middle 99% of the off-diagonal values, so the diagonal's 1 is trimmed
    assert middle.vmax < 1.0 and middle.vmin > corr.min()
    assert np.mean(
        (off_diagonal(corr) >= middle.vmin) & (off_diagonal(corr) <= middle.vmax)
    ) == pytest.approx(0.99, abs=0.005)
    assert symmetric.vmin == -symmetric.vmax == -max(abs(middle.vmin), abs(middle.vmax))
    assert [p.cmap for p in shown] == [
        "viridis",
        "viridis",
        "viridis",
        "RdBu_r",
        "berlin",
        "berlin",
    ]
    assert ordered.order != tuple(range(30)) and sorted(ordered.order) == list(range(30))
    assert all(p.order == tuple(range(30)) for p in shown[:-1])


def test_each_rule_moves_its_metric(corr):
    m = {p.rule: panel_metrics(corr, p) for p in panels(corr, 0.99)}
    assert m["middle_range"]["colour_range_used"] > m["default"]["colour_range_used"]
    assert m["symmetric"]["zero_offset"] == 0.0 < m["middle_range"]["zero_offset"]
    assert m["diverging"]["sign_luminance_asymmetry"] < m["symmetric"]["sign_luminance_asymmetry"]
    assert m["dark_zero"]["luminance_zero"] < m["dark_zero"]["luminance_strong"]
    assert m["diverging"]["luminance_zero"] > m["diverging"]["luminance_strong"]  # RdBu: white 0
    assert m["ordered"]["neighbour_abs_corr"] > m["dark_zero"]["neighbour_abs_corr"]


def test_cluster_order_groups_two_blocks():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(500, 2))
    # features 0, 2, 4 follow one factor, 1, 3, 5 the other: interleaved on purpose
    x = np.column_stack([base[:, i % 2] + 0.1 * rng.normal(size=500) for i in range(6)])
    order = cluster_order(correlation(x))
    first = set(order[:3])
    assert first in ({0, 2, 4}, {1, 3, 5})


def test_unknown_dataset_is_a_clear_error():
    with pytest.raises(DlreproError, match="unknown data set 'iris'"):
        load("iris")


def test_claims_are_checks_that_pass_on_the_panels(corr):
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    claims = load_claims(study_dir("corrviz") / "claims.yaml")
    assert all(c["kind"] == "check" and c["why"] for c in claims["claims"])
    metrics = {"panels": {p.rule: panel_metrics(corr, p) for p in panels(corr, 0.99)}}
    result = compare(claims, metrics, {"scale": "smoke"})
    assert (result["verdict"] == "passed").all() and (result["runs"] == 1).all(), result
    # swapping a rule's panel for the one before it fails its check: the checks can fail
    metrics["panels"]["ordered"] = metrics["panels"]["dark_zero"]
    assert compare(claims, metrics, {"scale": "smoke"})["verdict"].iloc[-1] == "failed"
