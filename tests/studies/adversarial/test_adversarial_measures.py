"""The adversarial study's issue-16 measures on tiny exact cases: nearest-neighbour distances in
the hidden space ("receding"), the ensembles at other eps (mean, max, some member right, best
single member), and the pool checks that keep an ensemble from reporting members it lacks."""

from __future__ import annotations

import numpy as np
import pytest

from dlrepro.errors import DlreproError
from dlrepro.studies.adversarial.ensemble import any_correct
from dlrepro.studies.adversarial.evaluate import (
    ensembles_at_eps,
    evaluate_ensembles,
    stack_pool,
)
from dlrepro.studies.adversarial.receding import nearest_other_distance, receding

# ----------------------------------------------------------------------------- receding

CLEAN = np.array([[0.0], [1.0], [3.0]])
ADV = np.array([[10.0], [11.0], [13.0]])


@pytest.mark.parametrize("chunk", [1, 2, 1024])
def test_nearest_other_distance_leaves_out_each_querys_own_row(chunk):
    # clean: 0 -> 1, 1 -> 0, 3 -> 1
    assert nearest_other_distance(CLEAN, CLEAN, chunk=chunk).tolist() == [1.0, 1.0, 2.0]
    # 10 without its source 0 -> 3 (7); 11 without 1 -> 3 (8); 13 without 3 -> 1 (12)
    assert nearest_other_distance(ADV, CLEAN, chunk=chunk).tolist() == [7.0, 8.0, 12.0]


def test_nearest_other_distance_is_euclidean():
    pts = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    assert nearest_other_distance(pts, pts).tolist() == [5.0, 5.0, 5.0]
    # (9, 12) without (0, 0): (6, 8) at 5; (-3, -4) without (3, 4): (0, 0) at 5; (3, 4)
    # without (6, 8): (3, 4) itself at 0 (only the query's own row is left out)
    queries = np.array([[9.0, 12.0], [-3.0, -4.0], [3.0, 4.0]])
    assert nearest_other_distance(queries, pts).tolist() == [5.0, 5.0, 0.0]


def test_receding_on_an_exact_case():
    r = receding(CLEAN, ADV)
    assert r["clean_nn_median"] == 1.0 and r["adversarial_nn_median"] == 8.0
    assert r["nn_ratio"] == 8.0
    assert r["beyond_clean_p95"] == 1.0  # every adversarial beyond the clean 95th pct (1.9)
    assert r["shift_median"] == 10.0 and r["n"] == 3


def test_adversarials_equal_to_their_sources_do_not_recede():
    """Leaving the source out makes the null exactly 1: an adversarial identical to its clean
    image has that image's own nearest-other distance."""
    r = receding(CLEAN, CLEAN.copy())
    assert r["nn_ratio"] == 1.0 and r["shift_median"] == 0.0
    assert r["beyond_clean_p95"] == pytest.approx(1 / 3)  # only 3's distance 2 is above 1.9


def test_receding_rejects_bad_input():
    with pytest.raises(DlreproError, match="same"):
        receding(CLEAN, ADV[:2])
    with pytest.raises(DlreproError, match="n >= 2"):
        receding(CLEAN[:1], ADV[:1])
    with pytest.raises(DlreproError, match="median clean nearest-neighbour distance is 0"):
        receding(np.array([[0.0], [0.0], [5.0]]), ADV)


# ----------------------------------------------------------------------------- other eps

# 3 members, 4 images, 3 classes. Max: image 0 -> m0 (0.9) says 0, right; 1 -> m1 (0.8) says
# 1, right; 2 -> m2 (0.9) says 1, wrong; 3 -> m0 (0.6) says 1, wrong. Mean: right on 0, 1, 2
# (2: 0.45 for class 2 vs 0.433 for 1). Some member right: 0, 1, 2 (m0 says 2); not 3.
POOL = np.array(
    [
        [[0.9, 0.05, 0.05], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.3, 0.6, 0.1]],
        [[0.2, 0.6, 0.2], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5], [0.2, 0.3, 0.5]],
        [[0.3, 0.2, 0.5], [0.6, 0.3, 0.1], [0.05, 0.9, 0.05], [0.3, 0.3, 0.4]],
    ]
)
Y = np.array([0, 1, 2, 0])


def test_any_correct():
    assert any_correct(POOL, Y).tolist() == [True, True, True, False]
    assert any_correct(POOL[2:], Y).tolist() == [False, False, False, False]
    with pytest.raises(DlreproError, match="4 instances"):
        any_correct(POOL[:, :3], Y)


def test_ensembles_at_eps_on_an_exact_case():
    out = ensembles_at_eps(
        {"uniform": POOL}, Y, {"uniform": {"3": [0, 1, 2], "1": [2]}}, "uniform/0"
    )
    assert out["ensembles"]["uniform"]["3"] == {"mean": 0.75, "max": 0.5, "any": 0.75}
    assert out["ensembles"]["uniform"]["1"] == {"mean": 0.0, "max": 0.0, "any": 0.0}
    assert list(out["ensembles"]["uniform"]) == ["1", "3"]  # sizes in numeric order
    assert out["best_single"] == 0.5  # m0 says 0, 0, 2, 1
    # top probabilities of right answers: 0.9, 0.8 (m0), 0.8, 0.5 (m1); of the 8 wrong ones:
    # 0.5, 0.6 (m0), 0.6, 0.5 (m1), 0.5, 0.6, 0.9, 0.4 (m2)
    assert out["confidence"]["uniform"] == {
        "right": pytest.approx(0.75),
        "wrong": pytest.approx(0.575),
    }


def test_ensembles_at_eps_rejects_what_the_pool_lacks():
    with pytest.raises(DlreproError, match="pool holds only 3"):
        ensembles_at_eps({"uniform": POOL}, Y, {"uniform": {"4": [0, 1, 2, 3]}}, "uniform/0")
    with pytest.raises(DlreproError, match="not in the pool"):
        ensembles_at_eps({"uniform": POOL}, Y, {"uniform": {"1": [0]}}, "uniform/3")
    with pytest.raises(DlreproError, match="not in the pool"):
        ensembles_at_eps({"uniform": POOL}, Y, {"uniform": {"1": [0]}}, "bootstrap/0")


# ----------------------------------------------------------------------------- pool checks


def test_stack_pool_orders_by_index_and_needs_the_whole_pool():
    rows = [(2, POOL[2]), (0, POOL[0]), (1, POOL[1])]
    assert np.array_equal(stack_pool(rows, "uniform"), POOL)
    # member 1 missing: position 1 would hold member 2 and be reported as member 1
    with pytest.raises(DlreproError, match=r"missing \[1\]"):
        stack_pool([(0, POOL[0]), (2, POOL[2])], "uniform")
    with pytest.raises(DlreproError, match="repeated"):
        stack_pool([(0, POOL[0]), (0, POOL[1])], "uniform")


def test_evaluate_ensembles_refuses_a_size_larger_than_the_pool():
    """A pool of 3 asked for an ensemble of 4 raises instead of reporting N=4 with 3 members."""
    members = {"uniform": (POOL, POOL)}
    baseline = (POOL[0], POOL[0])
    with pytest.raises(
        DlreproError, match="ensemble of 4 members asked, but the pool holds only 3"
    ):
        evaluate_ensembles(members, baseline, Y, {"uniform": {4: np.arange(4)}})
    _, metrics = evaluate_ensembles(members, baseline, Y, {"uniform": {3: np.arange(3)}})
    assert metrics["ensembles"]["uniform"]["3"]["max"]["adversarial_acc"] == 0.5


def test_evaluate_ensembles_refuses_clean_and_adversarial_pools_of_other_sizes():
    with pytest.raises(DlreproError, match="the same members in each"):
        evaluate_ensembles({"uniform": (POOL, POOL[:2])}, (POOL[0], POOL[0]), Y,
                           {"uniform": {1: np.array([0])}})  # fmt: skip
    with pytest.raises(DlreproError, match="4 images"):
        evaluate_ensembles({"uniform": (POOL[:, :3], POOL[:, :3])}, (POOL[0], POOL[0]), Y,
                           {"uniform": {1: np.array([0])}})  # fmt: skip
