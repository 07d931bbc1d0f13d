"""Unit tests of the SELU study: torch's SELU / alpha-dropout constants against the post's,
initialisation, the (0, 1) fixed point through a deep net (and how ReLU and ordinary dropout
leave it), the per-layer statistics, and byte-identical activation statistics."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlrepro.core.params import load_project_params
from dlrepro.core.step import Context
from dlrepro.errors import DlreproError
from dlrepro.paths import ROOT
from dlrepro.studies.selu import cli
from dlrepro.studies.selu.models import (
    ALPHA,
    LAMBDA,
    VARIANTS,
    block_outputs,
    fully_connected,
    layer_statistics,
    selu_reference,
)
from dlrepro.studies.selu.tables import results_table, summarise_runs, summarise_timings


def test_torch_selu_uses_the_posts_constants_in_float64():
    x = torch.linspace(-20, 20, 40001, dtype=torch.float64)
    torch.testing.assert_close(F.selu(x), selu_reference(x), rtol=1e-15, atol=1e-16)
    # the saturation value -lambda * alpha, to float64 precision
    assert F.selu(torch.tensor(-1e4, dtype=torch.float64)).item() == pytest.approx(
        -LAMBDA * ALPHA, rel=1e-15
    )


@pytest.mark.parametrize("rate", [0.05, 0.1, 0.3])
def test_torch_alpha_dropout_is_the_papers_affine_map(rate):
    """Dropped units go to alpha' = -lambda alpha, then a x + b with the paper's a and b."""
    alpha_p, q = -LAMBDA * ALPHA, 1 - rate
    a = (q + alpha_p**2 * q * (1 - q)) ** -0.5
    b = -a * (1 - q) * alpha_p
    torch.manual_seed(0)
    out = nn.AlphaDropout(rate).train()(torch.zeros(200000, dtype=torch.float64))
    values = torch.unique(out)
    torch.testing.assert_close(
        values.sort().values,
        torch.tensor(sorted([a * alpha_p + b, b]), dtype=torch.float64),
        rtol=1e-6,
        atol=1e-7,
    )  # torch computes a, b in float32
    assert float((out != out.max()).double().mean()) == pytest.approx(rate, abs=0.005)


def test_selu_of_a_standard_normal_has_mean_0_and_variance_1():
    x = torch.randn(2_000_000, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = F.selu(x)
    assert abs(float(y.mean())) < 3e-3 and abs(float(y.var()) - 1) < 3e-3


@pytest.mark.parametrize("variant, gain", [("selu", 1.0), ("relu", 2.0)])
def test_lecun_and_he_initialisation(variant, gain):
    torch.manual_seed(0)
    model = fully_connected(400, 3, 300, variant)
    for layer in (m for m in model if isinstance(m, nn.Linear)):
        fan_in = layer.weight.shape[1]
        assert float(layer.weight.detach().var()) == pytest.approx(gain / fan_in, rel=0.03)
        assert torch.count_nonzero(layer.bias) == 0


def test_variants_build_what_they_say():
    kinds = lambda v: [type(m).__name__ for m in fully_connected(8, 2, 4, v, dropout=0.1)]
    assert kinds("relu_bn") == ["Flatten"] + ["Linear", "BatchNorm1d", "ReLU"] * 2
    assert kinds("selu_alpha_dropout").count("AlphaDropout") == 2
    assert kinds("selu_dropout").count("Dropout") == 2
    assert "Dropout" not in kinds("selu") and "BatchNorm1d" not in kinds("selu")
    with pytest.raises(DlreproError):
        fully_connected(8, 2, 4, "tanh")


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(VARIANTS)), st.integers(1, 6), st.booleans())
def test_one_statistic_per_hidden_layer_taken_after_activation_and_dropout(variant, depth, head):
    model = fully_connected(5, depth, 3, variant, dropout=0.2, out_features=2 if head else None)
    ends = block_outputs(model)
    assert len(ends) == depth
    assert all(isinstance(model[i], (nn.SELU, nn.ReLU, nn.Dropout, nn.AlphaDropout)) for i in ends)
    stats = layer_statistics(model.eval(), torch.randn(7, 5))
    assert len(stats["mean"]) == len(stats["var"]) == depth


def test_layer_statistics_are_the_outputs_moments():
    model = nn.Sequential(nn.Flatten(), nn.Linear(3, 2), nn.ReLU())
    x = torch.randn(50, 3)
    h = model(x).detach().double()
    stats = layer_statistics(model, x)
    assert stats["mean"] == [pytest.approx(float(h.mean()))]
    assert stats["var"] == [pytest.approx(float(h.var(unbiased=False)))]


def _deep(variant, x, dropout=0.1):
    torch.manual_seed(3)
    return cli.summarise(
        layer_statistics(fully_connected(x.shape[1], 32, 256, variant, dropout=dropout).train(), x)
    )


def test_selu_keeps_the_fixed_point_relu_and_ordinary_dropout_leave_it():
    x = torch.randn(1000, 256, generator=torch.Generator().manual_seed(2))
    selu, alpha = _deep("selu", x), _deep("selu_alpha_dropout", x)
    assert selu["deviation"] < 0.1 and alpha["deviation"] < 0.1
    assert _deep("selu_dropout", x, dropout=0.2)["deviation"] > 0.3  # variance inflated
    relu = _deep("relu", x)
    assert relu["last_mean"] > 0.3  # ReLU outputs are never centred


def test_summarise_distance_and_drift():
    s = cli.summarise({"mean": [0.0, 0.05], "var": [1.0, 1.5]})
    assert s["deviation"] == pytest.approx(0.5) and s["variance_drift"] == pytest.approx(
        math.log(1.5)
    )


def fake_mnist(path, n_train=300, n_test=200, seed=0):
    """A stand-in for the MNIST artifact (same keys and dtypes), so unit tests need no download."""
    from dlrepro.core import io

    g = np.random.default_rng(seed)
    io.write_npz(
        path,
        x_train=g.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=g.integers(0, 10, n_train, dtype=np.uint8),
        x_test=g.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=g.integers(0, 10, n_test, dtype=np.uint8),
    )
    return str(path)


def smoke_context():
    params = load_project_params(ROOT, [ROOT / "config/smoke.yaml"])
    return Context(params=params, seed=params["seed"], threads=1, device_setting="cpu")


def test_activation_statistics_repeat_byte_for_byte_and_differ_between_runs(tmp_path):
    data, ctx = fake_mnist(tmp_path / "mnist.npz"), smoke_context()
    outs = []
    for i, run in enumerate((0, 0, 1)):
        out = tmp_path / f"a{i}.json"
        cli.activations(argparse.Namespace(data=data, out=str(out), run=run), ctx)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    stats = json.loads(outs[0])["statistics"]
    assert set(stats) == {"gaussian", "mnist"} and set(stats["mnist"]) == set(VARIANTS)
    assert len(stats["mnist"]["selu"]["mean"]) == ctx.params["selu"]["activations"]["depth"]
    other = json.loads(outs[2])["statistics"]  # run 1: other weights and Gaussian inputs
    for src in stats:
        assert stats[src]["selu"]["var"] != other[src]["selu"]["var"], src


def _activations(run, deviation):
    s = {"last_mean": 0.0, "last_var": 1.0, "deviation": deviation, "variance_drift": 0.1}
    return {"run": run, "statistics": {"gaussian": {"selu": s}}}


def _trained(variant, run, acc):
    return {
        "variant": variant,
        "run": run,
        "test_acc": acc,
        "train_acc": acc + 0.01,
        "parameters": 7,
        "statistics_trained": {"deviation": 2.0 + run},
    }


def test_summarise_runs_describes_every_run_in_run_order():
    acts = [_activations(1, 0.05), _activations(0, 0.02)]
    trained = [_trained(v, r, 0.9 + 0.01 * r) for v in ("selu", "relu_bn") for r in (1, 0)]
    result = summarise_runs(acts, trained)
    dev = result["activations"]["gaussian"]["selu"]["deviation"]
    assert dev["runs"] == [0.02, 0.05] and dev["max"] == 0.05
    acc = result["training"]["selu"]["test_acc"]
    assert acc["runs"] == pytest.approx([0.9, 0.91]) and acc["sd"] > 0
    assert result["training"]["relu_bn"]["trained_deviation"]["runs"] == [2.0, 3.0]
    assert result["training"]["selu"]["parameters"] == 7  # structural: a single number
    table = results_table(result)
    assert list(table["runs"]) == [2, 2, 2]
    assert table["test accuracy"].iloc[-1] == pytest.approx(0.905)
    with pytest.raises(DlreproError, match="runs"):
        summarise_runs(acts[:1], trained)  # a run's statistics at init are missing


def test_timings_over_runs_pair_selu_with_relu_bn():
    def timing(variant, run, seconds):
        return {"variant": variant, "run": run, "seconds_per_epoch": seconds}

    out = summarise_timings(
        [
            timing("selu", 0, [1.0, 2.0, 9.0]),
            timing("selu", 1, [4.0]),
            timing("relu_bn", 0, [4.0, 4.0]),
            timing("relu_bn", 1, [2.0]),
        ]
    )
    assert out["selu"]["median_seconds_per_epoch"]["runs"] == [2.0, 4.0]
    assert out["selu_over_relu_bn"]["ratio_of_median_epoch_times"]["runs"] == [0.5, 2.0]
    assert out["selu_over_relu_bn"]["selu_faster_in_runs"] == 1


def test_claims_read_every_run():
    """The study's claims on a result where one run leaves the fixed point: not 'reproduced'."""
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    def stats(dev, drift):
        return {"last_mean": 0.0, "last_var": 1.0, "deviation": dev, "variance_drift": drift}

    def run(i, selu_dev):
        by_variant = {
            "selu": stats(selu_dev, 0.03),
            "selu_alpha_dropout": stats(0.01, 0.02),
            "selu_dropout": stats(0.6, 0.4),
            "relu": stats(0.5, 0.3 + 0.01 * i),
        }
        return {"run": i, "statistics": {"gaussian": by_variant, "mnist": by_variant}}

    trained = [_trained(v, i, 0.9) for v in ("selu", "relu", "relu_bn") for i in range(3)]
    claims = load_claims(study_dir("selu") / "claims.yaml")
    good = compare(claims, summarise_runs([run(i, 0.02) for i in range(3)], trained))
    judged = good[good["verdict"] != "not comparable"]
    assert (judged["verdict"] == "reproduced").all() and (judged["runs"] == 3).all()
    assert set(good["kind"]) == {"qualitative"}
    mixed = compare(
        claims, summarise_runs([run(i, (0.02, 0.02, 0.3)[i]) for i in range(3)], trained)
    )
    assert mixed["verdict"].iloc[0] != "reproduced"
