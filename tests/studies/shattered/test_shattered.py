"""Shattered gradients: per-point input gradients, autocorrelation, decay fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from dlrepro.errors import DlreproError
from dlrepro.studies.shattered.measure import autocorrelation, decay_fits, gradients
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
        [{"kind": "exp", "depth": d, "lag1_correlation": 0.5**d} for d in depths]
        + [{"kind": "power", "depth": d, "lag1_correlation": d**-0.5} for d in depths]
    )
    fits = decay_fits(table, floor=0.0)
    assert fits["exp"]["per_layer_factor"] == pytest.approx(0.5)
    assert fits["power"]["power_law_exponent"] == pytest.approx(0.5)
    # the floor stops the fit at the first depth at or under it
    assert decay_fits(table, floor=0.1)["exp"]["depths_fitted"] == [1, 2]


def test_same_seed_same_gradients():
    a, b = gradients("resnet", 3, 7, P), gradients("resnet", 3, 7, P)
    assert np.array_equal(a, b) and not np.array_equal(a, gradients("resnet", 3, 8, P))
