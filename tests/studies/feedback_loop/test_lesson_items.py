"""The lesson's other items: XOR with and without a hidden layer, fastai's default hold-out, and
leakage from a random split of a time series."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dlrepro.errors import DlreproError
from dlrepro.studies.feedback_loop import leakage, splits, xor

XOR_PARAMS = {"runs": 5, "hidden": 4, "init_scale": 1.0, "lr": 0.5, "epochs": 3000}
LEAK_PARAMS = {"runs": 4, "dev": 400, "future": 100, "phi": 0.98, "effect": 1.0, "noise": 0.5,
               "neighbours": 10}  # fmt: skip


# ----------------------------------------------------------------------------- XOR


def test_a_hand_made_hidden_layer_solves_xor():
    # h1 fires for "at least one", h2 for "both": out = h1 - h2 - 1 is > 0 only for exactly one
    w = {"W1": np.array([[[20.0, 20.0], [20.0, 20.0]]]), "b1": np.array([[-10.0, -30.0]]),
         "w2": np.array([[1.0, -1.0]]), "b2": np.array([-1.0])}  # fmt: skip
    assert xor.accuracy(xor.logits("hidden_layer", w)).tolist() == [1.0]


def test_no_linear_threshold_gets_more_than_three_of_four_xor_points():
    grid = np.linspace(-3, 3, 25)
    best = max(
        xor.accuracy(xor.logits("single_layer", {"w": np.array([[a, b]]), "b": np.array([c])}))[0]
        for a, b, c in itertools.product(grid, grid, grid)
    )
    assert best == 0.75


def _loss(net, w, run=0):
    p = xor._sigmoid(xor.logits(net, w))[run]
    return -(xor.Y * np.log(p) + (1 - xor.Y) * np.log(1 - p)).mean()


@pytest.mark.parametrize("net", xor.NETS)
def test_each_step_follows_the_gradient_of_the_cross_entropy(net):
    w = xor.init([np.random.default_rng(s) for s in (0, 1)], hidden=3, scale=1.0)
    w["b1"] += 0.3  # nonzero biases too
    lr, eps = 0.1, 1e-6
    before = {k: v.copy() for k, v in w.items()}
    xor._step(net, w, lr)
    keys = ("w", "b") if net == "single_layer" else ("W1", "b1", "w2", "b2")
    for key in keys:
        for idx in np.ndindex(before[key][0].shape):
            up, down = ({k: v.copy() for k, v in before.items()} for _ in range(2))
            up[key][(0, *idx)] += eps
            down[key][(0, *idx)] -= eps
            numeric = (_loss(net, up) - _loss(net, down)) / (2 * eps)
            taken = (before[key][(0, *idx)] - w[key][(0, *idx)]) / lr
            assert taken == pytest.approx(numeric, abs=1e-7), (key, idx)


def test_trained_nets_single_layer_capped_hidden_layer_learns():
    result = xor.train(XOR_PARAMS, seed=5)
    assert (result["single_layer"]["accuracy"] <= 0.75).all()
    assert (result["hidden_layer"]["accuracy"] == 1.0).mean() >= 0.8
    summary = xor.summarise(result, XOR_PARAMS)
    assert len(summary["hidden_layer"]["accuracy"]["runs"]) == 5
    again = xor.train(XOR_PARAMS, seed=5)
    assert np.array_equal(again["hidden_layer"]["loss"], result["hidden_layer"]["loss"])
    with pytest.raises(DlreproError, match="runs and epochs"):
        xor.train({**XOR_PARAMS, "runs": 0}, seed=5)


# ----------------------------------------------------------------------------- hold-out


def test_fastai_rule_holds_out_int_of_a_fifth_at_random():
    train, valid = splits.random_split(101, np.random.default_rng(0))
    assert len(valid) == 20 and len(train) == 81  # int(0.2 * 101)
    assert sorted(np.r_[train, valid].tolist()) == list(range(101))
    assert not np.array_equal(np.sort(valid), np.arange(20))  # not the first items
    train, valid = splits.time_split(10)
    assert train.tolist() == list(range(8)) and valid.tolist() == [8, 9]
    with pytest.raises(DlreproError, match="valid_pct"):
        splits.time_split(10, valid_pct=1.0)


def test_hold_out_table_and_the_installed_sklearn_default():
    assert splits.sklearn_default_test_share(100) == 0.25
    rows = splits.hold_out_table([100, 1000], seed=3)
    assert [r["fastai_default_valid_items"] for r in rows] == [20, 200]
    assert all(r["disjoint_and_complete"] for r in rows)
    summary = splits.summarise_hold_out(rows)
    assert summary["fastai_default_share"] == [0.2, 0.2]
    assert summary["documented_valid_pct"] == 0.2


# ----------------------------------------------------------------------------- leakage


def test_series_level_has_unit_variance_and_the_target_adds_x_and_noise():
    features, y, level = leakage.series(np.random.default_rng(0), 20000, 0.9, 2.0, 0.0)
    assert level.var() == pytest.approx(1.0, abs=0.1)
    assert np.allclose(y, level + 2.0 * features[:, 1])
    assert features[:, 0].tolist() == list(range(20000))
    with pytest.raises(DlreproError, match="phi"):
        leakage.series(np.random.default_rng(0), 10, 1.0, 1.0, 1.0)


def test_mse_and_one_neighbour_returns_the_training_target():
    assert leakage.mse(np.array([1.0, 3.0]), np.array([0.0, 1.0])) == 2.5
    x = np.array([[0.0, 0.0], [1.0, 5.0], [2.0, -1.0]])
    y = np.array([1.0, 2.0, 3.0])
    assert leakage.fit_predict(x, y, x[[2, 0]], neighbours=1).tolist() == [3.0, 1.0]


def test_a_random_split_leaks_on_an_autocorrelated_series_only():
    metrics, arrays = leakage.run_all(LEAK_PARAMS, seed=0)
    series, control = metrics["series"], metrics["control"]
    # every run: the random split validates with a lower error than the time split, and
    # promises less than the model meets later
    assert max(series["valid_mse_random_over_time"]["runs"]) < 1
    assert series["random"]["optimism"]["mean"] > 0.3
    # with a random split the neighbours in time give away the unobserved level (variance 1):
    # below its variance on the series, while on the control (phi 0) nothing can recover it
    assert series["random"]["valid_mse"]["mean"] < 0.75
    assert control["random"]["valid_mse"]["mean"] > 1.0
    assert len(arrays["random/valid"]) == len(arrays["time/valid"]) == 80  # int(0.2 * 400)
    assert arrays["time/valid"].tolist() == list(range(320, 400))
    rows = leakage.table(metrics)
    assert [(r["series"], r["split"]) for r in rows][:2] == [
        ("series (phi 0.98)", "random"),
        ("series (phi 0.98)", "time"),
    ]
    with pytest.raises(DlreproError, match="neighbours"):
        leakage.run_all({**LEAK_PARAMS, "neighbours": 320}, seed=0)


# ----------------------------------------------------------------------------- claims


def test_the_new_rows_have_their_kinds():
    from dlrepro.core.claims import load_claims
    from dlrepro.paths import study_dir

    claims = load_claims(study_dir("feedback_loop") / "claims.yaml")["claims"]
    by = {c.get("ours") or tuple(c["order"]): c for c in claims}
    assert by["xor.single_layer.accuracy"]["kind"] == "check"
    assert by["holdout.fastai_default_share"]["kind"] == "check"
    for key in (
        "xor.hidden_layer.accuracy",
        "leakage.series.valid_mse_random_over_time",
        ("leakage.series.time.valid_error", "leakage.series.random.valid_error"),
    ):
        assert by[key]["kind"] == "qualitative" and str(by[key]["fixed"]) == "2026-11-29"
