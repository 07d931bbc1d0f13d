"""Shattered gradients: per-point input gradients, autocorrelation, decay fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from dlrepro.core.claims import load_claims
from dlrepro.errors import DlreproError
from dlrepro.paths import study_dir
from dlrepro.studies.shattered.measure import autocorrelation, decay_fits, gradients, measure
from dlrepro.studies.shattered.nets import KINDS, LineNet, freeze_batch_statistics, input_gradients

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
    rows, _ = measure(("resnet",), {**P, "replicates": 3}, 0)
    fit = decay_fits(pd.DataFrame(rows), 0.1)["resnet"]
    assert len(fit["lag1_at_deepest"]["runs"]) == 3
    assert len(set(fit["lag1_at_deepest"]["runs"])) == 3  # each replicate its own initialisation


def test_claims_have_kinds_and_the_post_never_shows_the_papers_resnet_rate():
    claims = load_claims(study_dir("shattered") / "claims.yaml")["claims"]
    resnet_rate = next(c for c in claims if c.get("ours") == "kinds.resnet.power_law_exponent")
    # 1/sqrt(L) is the reviewed paper's, not the post's: shown, never judged as the post's value
    assert "not_comparable" in resnet_rate and "0.5" not in str(resnet_rate["post"])
    published = [c for c in claims if c["kind"] == "published"]
    assert [c["ours"] for c in published] == ["kinds.feedforward_bn.per_layer_factor"]
    assert all(c.get("fixed") for c in claims if c["kind"] == "qualitative")
