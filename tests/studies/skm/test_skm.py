"""Unit tests of the SKM study: the kernel head's log masses against a brute-force float64
computation, probabilities = normalised masses, the shared body init of both heads, the kernel
confidence near and far from centres, and the calibration error."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlrepro.errors import DlreproError
from dlrepro.studies.skm.calibration import (
    expected_calibration_error,
    reliability,
    reliability_per_bin,
)
from dlrepro.studies.skm.models import SKMHead, SKMNet, build, class_proba
from dlrepro.studies.skm.summary import results_table, summarise

MODEL = {"conv1": 2, "conv2": 4, "hidden": 6, "dropout": 0.0}
HEAD = {"centres_per_class": 3, "gamma": 0.5, "background": 0.01}


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.floats(0.01, 3.0), st.integers(0, 2**31 - 1))
def test_log_mass_is_the_log_mean_kernel_per_class(m, dim, gamma, seed):
    torch.manual_seed(seed)
    head = SKMHead(dim, m, gamma, 0.01).double()
    f = torch.randn(7, dim, dtype=torch.float64)
    c, g = head.centres.detach(), head.log_gamma.detach().exp()  # gamma as stored (float32)
    assert float(g) == pytest.approx(gamma, rel=1e-6)
    kernel = torch.exp(-g * ((f[:, None, :] - c[None]) ** 2).sum(-1))  # [7, 10*m]
    expected = torch.log(kernel.view(7, 10, m).mean(-1))
    torch.testing.assert_close(head.log_mass(f).detach(), expected, rtol=1e-9, atol=1e-9)


def test_class_probabilities_are_the_masses_over_background_plus_total():
    torch.manual_seed(0)
    head = SKMHead(3, 2, 0.3, 0.05).double()
    f = torch.randn(5, 3, dtype=torch.float64)
    mass = head.log_mass(f).exp()
    total = 0.05 + mass.sum(1, keepdim=True)
    probs = torch.softmax(head(f), 1)
    assert probs.shape == (5, 11)
    torch.testing.assert_close(probs[:, :10], mass / total)
    torch.testing.assert_close(probs[:, 10:], 0.05 / total)


def test_confidence_is_high_at_a_centre_and_vanishes_far_from_all():
    torch.manual_seed(0)
    head = SKMHead(4, 2, 1.0, 0.01).double()
    at_centre = head.log_mass(head.centres.detach()[:1])  # centre 0 belongs to class 0
    assert at_centre.argmax().item() == 0 and at_centre.max().item() >= math.log(1 / 2)
    far = head.log_mass(torch.full((1, 4), 100.0, dtype=torch.float64))
    assert far.max().item() < -1000


def test_both_heads_share_the_feature_extractor_init():
    torch.manual_seed(5)
    softmax = build("softmax", MODEL, HEAD)
    torch.manual_seed(5)
    skm = build("skm", MODEL, HEAD)
    assert isinstance(skm, SKMNet)
    for (name, a), (_, b) in zip(softmax.body.named_parameters(), skm.body.named_parameters()):
        assert torch.equal(a, b), name
    x = torch.rand(3, 1, 28, 28)
    assert softmax(x).shape == (3, 10) and skm(x).shape == (3, 11)  # + the background
    (p_skm, bg_skm), (p_softmax, bg_softmax) = class_proba(skm, x), class_proba(softmax, x)
    assert p_skm.shape == p_softmax.shape == (3, 10)
    np.testing.assert_allclose(p_skm.sum(1), 1, rtol=1e-5)
    assert (bg_skm > 0).all() and (bg_softmax == 0).all()
    mass = skm.head.log_mass(skm.features(x)).exp().detach().numpy()
    np.testing.assert_allclose(p_skm, mass / mass.sum(1, keepdims=True), rtol=1e-4)
    assert (skm.log_kernel_confidence(x) <= 0).all()


def test_bad_head_settings_are_errors():
    with pytest.raises(DlreproError):
        build("svm", MODEL, HEAD)
    with pytest.raises(DlreproError):
        SKMHead(3, 0, 1.0, 0.01)
    with pytest.raises(DlreproError):
        SKMHead(3, 1, 1.0, 0.0)


def test_ece_of_a_calibrated_and_an_overconfident_classifier():
    g = np.random.default_rng(0)
    conf = g.uniform(0.1, 1.0, 200000)
    calibrated = g.uniform(size=conf.size) < conf
    assert expected_calibration_error(conf, calibrated, 10) < 0.01
    # always 0.9 sure, right half the time: ECE = 0.4 exactly
    assert expected_calibration_error(
        np.full(10, 0.9), np.arange(10) % 2 == 0, 10
    ) == pytest.approx(0.4)
    # confidence 1.0 falls in the last bin
    assert expected_calibration_error(np.ones(4), np.ones(4, bool), 10) == 0.0


def test_reliability_points_are_bin_means():
    conf = np.array([0.05, 0.15, 0.95, 0.85])
    correct = np.array([0, 1, 1, 0])
    mean_conf, acc = reliability(conf, correct, 2)
    np.testing.assert_allclose(mean_conf, [0.1, 0.9])
    np.testing.assert_allclose(acc, [0.5, 0.5])
    # fixed bins, NaN where empty: the same positions in every run
    mean_conf, acc = reliability_per_bin(conf, correct, 4)
    np.testing.assert_allclose(mean_conf, [0.1, np.nan, np.nan, 0.9])
    np.testing.assert_allclose(acc, [0.5, np.nan, np.nan, 0.5])


def _run(head, run, error):
    r = {
        "head": head,
        "run": run,
        "test_error": error,
        "mean_test_error_over_epochs": 2 * error,
        "ece": 0.005,
        "noise_auroc": 0.9,
        "epochs_to_error": None if error > 0.01 else 3,
        "parameters": 100 if head == "skm" else 90,
        "n_train": 50,
        "n_test": 20,
    }
    if head == "skm":
        r.update(
            mass_noise_auroc=0.95,
            ece_with_background=0.02,
            mean_log_mass={"test": -0.5, "noise": -2.0},
        )
    return r


def test_summary_describes_every_run_of_each_head_in_run_order():
    runs = [_run(h, r, e) for h in ("skm", "softmax") for r, e in ((1, 0.02), (0, 0.006))]
    result = summarise(runs, {"training": {"epochs": 2}, "speed_error_threshold": 0.01})
    assert result["runs"] == 2 and result["n_train"] == 50
    assert result["skm"]["test_error"]["runs"] == [0.006, 0.02]
    assert result["skm"]["mean_log_mass"]["noise"]["mean"] == -2.0
    assert "mass_noise_auroc" not in result["softmax"]
    assert result["softmax"]["epochs_to_error"] == [3, None] and result["skm"]["parameters"] == 100
    table = results_table(result)
    assert list(table["head"]) == ["softmax", "skm"] and list(table["runs"]) == [2, 2]
    assert list(table["test errors"]) == ["0.0060 0.0200"] * 2
    with pytest.raises(DlreproError, match="softmax"):
        summarise(runs[:3], {"training": {"epochs": 2}, "speed_error_threshold": 0.01})


def test_claims_judge_orderings_on_paired_runs():
    """SKM below softmax by a gap far above the run spread: reproduced; a gap that flips sign
    between runs: within noise."""
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    claims = load_claims(study_dir("skm") / "claims.yaml")
    params = {"training": {"epochs": 2}, "speed_error_threshold": 0.01}

    def verdicts(skm_errors, softmax_errors):
        runs = [_run("skm", r, e) for r, e in enumerate(skm_errors)]
        runs += [_run("softmax", r, e) for r, e in enumerate(softmax_errors)]
        return compare(claims, summarise(runs, params)).set_index("claim")["verdict"]

    clear = verdicts([0.006, 0.0061, 0.0059], [0.009, 0.0091, 0.0089])
    assert clear.iloc[0] == "reproduced" and clear.iloc[1] == "reproduced"
    noisy = verdicts([0.006, 0.009, 0.006], [0.007, 0.006, 0.0065])
    assert noisy.iloc[1] == "within noise"
