"""Shattered gradients: per-point input gradients, autocorrelation, decay fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from dlrepro.core.claims import load_claims
from dlrepro.core.determinism import stream_seed
from dlrepro.errors import DlreproError
from dlrepro.paths import study_dir
from dlrepro.studies.shattered.measure import (
    autocorrelation,
    coactivation,
    coactivation_summary,
    decay_fits,
    gradients,
    initialised,
    layer_coactivation,
    measure,
)
from dlrepro.studies.shattered.nets import (
    KINDS,
    LineNet,
    activation_patterns,
    freeze_batch_statistics,
    input_gradients,
)

P = {
    "interval": [-2.0, 2.0],
    "points": 64,
    "width": 16,
    "beta": 0.1,
    "depths": [1, 3],
    "replicates": 1,
}


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_match_finite_differences_and_do_not_mix_points(kind):
    torch.manual_seed(0)
    x = torch.linspace(-2, 2, 64, dtype=torch.float64)[:, None]
    net = freeze_batch_statistics(LineNet(kind, 3, 16).double(), x)
    g = input_gradients(net, x)
    h = 1e-6
    with torch.no_grad():
        fd = (net(x + h) - net(x - h))[:, 0] / (2 * h)
    # a kink between x - h and x + h is possible but rare; almost every point must agree
    assert np.mean(np.isclose(g.numpy(), fd.numpy(), rtol=1e-5, atol=1e-7)) > 0.95
    # eval mode after freezing: one point alone has the gradient it has in the batch
    assert torch.allclose(input_gradients(net, x[10:11]), g[10:11])


def test_freezing_uses_the_batch_statistics():
    x = torch.linspace(-2, 2, 64, dtype=torch.float64)[:, None]
    net = freeze_batch_statistics(LineNet("feedforward_bn", 1, 8).double(), x)
    bn = net.blocks[0].body[1]
    with torch.no_grad():
        pre = net.blocks[0].body[0](torch.relu(net.stem(x)))
    assert torch.allclose(bn.running_mean, pre.mean(0))
    assert not net.training


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(DlreproError, match="unknown network kind 'densenet'"):
        LineNet("densenet", 2, 8)


def test_autocorrelation_tells_brown_from_white_noise():
    rng = np.random.default_rng(0)
    white = rng.normal(size=4000)
    brown = np.cumsum(white)
    assert abs(autocorrelation(white, 1)[1]) < 0.05
    assert autocorrelation(brown, 1)[1] > 0.95
    assert autocorrelation(np.full(10, 3.0), 2).tolist() == [1.0, 1.0, 1.0]


def test_decay_fits_recover_known_rates():
    depths = [1, 2, 4, 8, 16]
    table = pd.DataFrame(
        [{"kind": "exp", "depth": d, "replicate": 0, "lag1_correlation": 0.5**d} for d in depths]
        + [
            {"kind": "power", "depth": d, "replicate": 0, "lag1_correlation": d**-0.5}
            for d in depths
        ]
    )
    fits = decay_fits(table, floor=0.0)
    assert fits["exp"]["per_layer_factor"]["runs"] == [pytest.approx(0.5)]
    assert fits["power"]["power_law_exponent"]["runs"] == [pytest.approx(0.5)]
    # the floor stops the fit at the first depth at or under it
    assert decay_fits(table, floor=0.1)["exp"]["depths_fitted"] == [1, 2]


def test_same_seed_same_gradients():
    a, b = gradients("resnet", 3, 7, P), gradients("resnet", 3, 7, P)
    assert np.array_equal(a, b) and not np.array_equal(a, gradients("resnet", 3, 8, P))


def test_decay_fits_keep_every_replicate_for_the_claims():
    """The claims judge the replicates' spread (core.claims reads `runs`): one value per
    replicate, fitted over the depths where the MEAN is above the floor, in replicate order."""
    rates = {0: 0.5, 1: 0.6, 2: 0.7}
    table = pd.DataFrame(
        [
            {"kind": "ff", "depth": d, "replicate": r, "lag1_correlation": rate**d}
            for d in (1, 2, 4, 8)
            for r, rate in rates.items()
        ]
    )
    fit = decay_fits(table, floor=0.1)["ff"]
    assert fit["depths_fitted"] == [1, 2, 4]  # mean at depth 8 (~0.03) is under the floor
    assert fit["replicates_fitted"] == 3
    assert fit["per_layer_factor"]["runs"] == pytest.approx(list(rates.values()))
    assert fit["lag1_at_deepest"]["runs"] == pytest.approx([r**8 for r in rates.values()])
    assert fit["lag1_at_deepest"]["mean"] == pytest.approx(np.mean([r**8 for r in rates.values()]))
    # too few depths above the floor: no fit, so the (optional) claims on it are not judged
    assert "per_layer_factor" not in decay_fits(table, floor=0.6)["ff"]


def test_measure_gives_one_row_per_kind_depth_and_replicate():
    rows, _, layers = measure(("resnet",), {**P, "replicates": 3}, 0)
    fit = decay_fits(pd.DataFrame(rows), 0.1)["resnet"]
    assert len(fit["lag1_at_deepest"]["runs"]) == 3
    assert len(set(fit["lag1_at_deepest"]["runs"])) == 3  # each replicate its own initialisation
    # the deepest net's per-layer co-activation: [replicate, layer]
    assert layers["resnet"]["coactivation"].shape == (3, max(P["depths"]))


def test_coactivation_counts_pairs_of_distinct_inputs_where_a_unit_is_on_for_both():
    active = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 0], [1, 0, 0]], dtype=bool)
    # unit 0: on for all 4 inputs -> every pair; unit 1: on for 2 -> 2*1 / (4*3); unit 2: never
    assert coactivation(active) == pytest.approx((1 + 2 / 12 + 0) / 3)
    # half the inputs per unit: 1/4 up to the 1/n of excluding an input paired with itself
    half = np.zeros((100, 7), dtype=bool)
    half[:50] = True
    assert coactivation(half) == pytest.approx(50 * 49 / (100 * 99))


@pytest.mark.parametrize("shape", [(1, 4), (5,), (3, 0)])
def test_coactivation_rejects_patterns_without_two_inputs_and_a_unit(shape):
    with pytest.raises(DlreproError, match="coactivation: need a pattern"):
        coactivation(np.ones(shape, dtype=bool))


@pytest.mark.parametrize("kind", KINDS)
def test_activation_patterns_are_the_blocks_relu_inputs_above_zero(kind):
    net, x = initialised(kind, 3, 5, P)
    patterns = activation_patterns(net, x)
    assert len(patterns) == 3 and all(a.shape == (P["points"], P["width"]) for a in patterns)
    with torch.no_grad():  # block 3's pre-activation by hand: its body up to the ReLU
        pre = net.blocks[1](net.blocks[0](torch.relu(net.stem(x))))
        for m in net.blocks[2].body:
            if isinstance(m, nn.ReLU):
                break
            pre = m(pre)
    assert np.array_equal(patterns[2], (pre > 0).numpy())
    assert not any(m._forward_hooks for m in net.modules())  # hooks removed


def test_batch_norm_puts_each_unit_near_half_of_the_line():
    """BN centres every unit on its mean over the line: the fraction active is near 1/2 per unit,
    so co-activation is near 1/4 (not exactly: the mean is not the median)."""
    net, x = initialised("feedforward_bn", 4, 3, {**P, "points": 256, "width": 64})
    co = layer_coactivation(net, x)
    assert all(abs(f - 0.5) < 0.1 for f in co["active_fraction"])
    assert all(abs(c - 0.25) < 0.1 for c in co["coactivation"])


def test_coactivation_summary_takes_first_and_last_layers_per_replicate():
    co = np.array([[0.1, 0.2, 0.3], [0.2, 0.3, 0.5]])
    summary = coactivation_summary({"ff": {"coactivation": co, "active_fraction": co / 2}})["ff"]
    assert summary["coactivation_first_layer"]["runs"] == [0.1, 0.2]
    assert summary["coactivation_last_layer"]["runs"] == [0.3, 0.5]
    assert summary["active_fraction_last_layer"]["runs"] == [0.15, 0.25]
    assert summary["coactivation_by_layer"] == pytest.approx({"1": 0.15, "2": 0.25, "3": 0.4})


def test_measured_gradients_do_not_depend_on_the_coactivation_pass():
    _, examples, _ = measure(("feedforward_bn",), P, 11)
    alone = gradients("feedforward_bn", 3, stream_seed(11, "0"), P)  # replicate 0's seed
    assert np.array_equal(examples["feedforward_bn/3"], alone)


def test_claims_have_kinds_and_the_post_never_shows_the_papers_resnet_rate():
    claims = load_claims(study_dir("shattered") / "claims.yaml")["claims"]
    # 1/sqrt(L) is the reviewed paper's, not the post's: no row judges or shows it as the post's
    assert not any(c.get("ours") == "kinds.resnet.power_law_exponent" for c in claims)
    assert not any("sqrt" in str(c["post"]) or "sqrt" in c["claim"] for c in claims)
    published = [c for c in claims if c["kind"] == "published"]
    assert [c["ours"] for c in published] == [
        "kinds.feedforward_bn.per_layer_factor",
        "kinds.feedforward_bn.coactivation_last_layer",
        "kinds.feedforward_bn.active_fraction_last_layer",
    ]
    assert all(c.get("fixed") for c in claims if c["kind"] == "qualitative")
