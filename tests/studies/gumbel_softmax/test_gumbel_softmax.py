"""Measures of the Gumbel-softmax study on small exact cases (seconds)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlrepro.classifier.labels import balanced_indices
from dlrepro.errors import DlreproError
from dlrepro.studies.gumbel_softmax import gradients as gr
from dlrepro.studies.gumbel_softmax import relaxation as rx
from dlrepro.studies.gumbel_softmax.compare import results_table, summarise
from dlrepro.studies.gumbel_softmax.measures import measure_run
from dlrepro.studies.gumbel_softmax.models import M2, gumbel_softmax
from dlrepro.studies.gumbel_softmax.semi import temperature

LOGITS = np.array([1.0, -0.5, 0.3, 2.0])
T = np.array([0.1, 0.2, 0.3, 0.4])


def test_samples_lie_on_the_simplex_and_keep_the_gumbel_max_argmax():
    rng = np.random.default_rng(0)
    g = rx.gumbel(rng, (1000, 4))
    for tau in (0.05, 0.5, 5.0):
        z = rx.gumbel_softmax(LOGITS, g, tau)
        assert z.min() >= 0 and np.allclose(z.sum(1), 1.0, atol=1e-14)
        assert rx.simplex_violation(z) < 1e-12
        assert (z.argmax(1) == (LOGITS + g).argmax(1)).all()
    assert rx.simplex_violation(np.array([[1.2, -0.2]])) == pytest.approx(0.2)
    assert rx.simplex_violation(np.array([[0.5, 0.6]])) == pytest.approx(0.1)
    with pytest.raises(DlreproError):
        rx.gumbel_softmax(LOGITS, g, 0.0)


def test_torch_sample_sums_to_one_and_is_differentiable():
    logits = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    z = gumbel_softmax(logits, 0.7, torch.Generator().manual_seed(1))
    assert float(z.sum()) == pytest.approx(1.0) and float(z.min()) >= 0
    (z[0, 0] * 3).backward()
    assert logits.grad.abs().sum() > 0


def test_one_hot_and_uniform_extremes_and_expectation_distances():
    onehot = np.eye(4)[[0, 3, 3, 1]]
    assert rx.mean_max_component(onehot) == 1.0
    assert rx.mean_max_component(np.full((3, 4), 0.25)) == 0.25
    p = np.array([0.5, 0.25, 0.25, 0.0])
    d = rx.expectation_distances(onehot, p)  # mean = [.25, .25, 0, .5]
    assert d["l1_to_probs"] == pytest.approx(0.25 + 0 + 0.25 + 0.5)
    assert d["l1_to_uniform"] == pytest.approx(0 + 0 + 0.25 + 0.25)


def test_argmax_fit_on_exact_counts_and_a_wrong_sampler():
    p = np.array([0.5, 0.3, 0.2])
    z = np.eye(3)[[0] * 50 + [1] * 30 + [2] * 20]
    fit = rx.argmax_fit(z, p)
    assert fit["chi2"] == 0.0 and fit["p_value"] == pytest.approx(1.0)
    assert rx.argmax_fit(np.eye(3)[[0] * 100], p)["p_value"] < 1e-6
    with pytest.raises(DlreproError):
        rx.argmax_fit(z, np.array([0.5, 0.5]))


def test_tau_key_has_no_dot():
    assert rx.tau_key(0.5) == "tau_0p5" and rx.tau_key(5.0) == "tau_5"


def test_exact_gradient_matches_finite_differences():
    def loss(theta):
        return rx.probabilities(theta) @ gr.vertex_losses(T)

    h = 1e-6
    fd = [(loss(LOGITS + h * e) - loss(LOGITS - h * e)) / (2 * h) for e in np.eye(4)]
    assert np.allclose(gr.exact_gradient(LOGITS, T), fd, atol=1e-8)


def test_relaxed_gradients_match_autograd():
    g = rx.gumbel(np.random.default_rng(1), (5, 4))
    for tau in (0.3, 2.0):
        theta = torch.tensor(np.tile(LOGITS, (5, 1)), requires_grad=True)
        z = torch.softmax((theta + torch.from_numpy(g)) / tau, 1)
        ((z - torch.from_numpy(T)) ** 2).sum().backward()
        assert np.allclose(gr.gumbel_softmax_gradient(LOGITS, T, g, tau), theta.grad.numpy())
        # straight-through: the forward value is the one-hot argmax, the gradient the soft one's
        theta = torch.tensor(np.tile(LOGITS, (5, 1)), requires_grad=True)
        soft = torch.softmax((theta + torch.from_numpy(g)) / tau, 1)
        hard = torch.nn.functional.one_hot(soft.argmax(1), 4).double()
        st = hard + soft - soft.detach()
        ((st - torch.from_numpy(T)) ** 2).sum().backward()
        assert np.allclose(gr.straight_through_gradient(LOGITS, T, g, tau), theta.grad.numpy())


def test_score_function_is_unbiased_and_the_relaxation_biased_at_high_tau():
    g = rx.gumbel(np.random.default_rng(2), (200_000, 4))
    exact = gr.exact_gradient(LOGITS, T)
    for baseline in (False, True):
        s = gr.estimator_stats(gr.score_function(LOGITS, T, g, baseline), exact)
        assert s["bias"] < 5 * s["mc_error"]
    hot = gr.estimator_stats(gr.gumbel_softmax_gradient(LOGITS, T, g, 20.0), exact)
    assert hot["bias"] > 50 * hot["mc_error"]


def test_estimator_stats_on_a_hand_case():
    s = gr.estimator_stats(np.array([[1.0, 0.0], [3.0, 2.0]]), np.array([2.0, 0.0]))
    assert s["variance"] == pytest.approx(2.0 + 2.0)  # ddof 1: each column varies by 2
    assert s["bias"] == pytest.approx(1.0)
    assert s["mc_error"] == pytest.approx(np.sqrt(4.0 / 2))


def test_balanced_labels_and_annealing():
    y = np.repeat(np.arange(10), 5)
    idx = balanced_indices(y, 3, np.random.default_rng(0))
    assert np.bincount(y[idx], minlength=10).tolist() == [3] * 10 and len(set(idx)) == 30
    with pytest.raises(DlreproError):
        balanced_indices(y, 6, np.random.default_rng(0))
    assert temperature(0, 11, 1.0, 0.5) == 1.0
    assert temperature(10, 11, 1.0, 0.5) == pytest.approx(0.5)
    assert temperature(5, 11, 1.0, 0.25) == pytest.approx(0.5)


def test_unlabelled_loss_trains_the_classifier_through_the_relaxed_class():
    torch.manual_seed(0)
    m = M2(inputs=6, hidden=8, latent=2)
    x = torch.rand(4, 6)
    loss = m.unlabelled_loss(x, 0.5)
    assert torch.isfinite(loss)
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in m.classify.parameters())
    assert torch.isfinite(m.labelled_loss(x, torch.tensor([0, 1, 2, 3]), 10.0))


def test_measure_run_and_summary_over_runs():
    p = {"categories": 4, "logit_sd": 1.0, "draws": 2000, "taus": [2.0, 0.5]}
    runs = [{"run": r, **measure_run(np.random.default_rng(r), p)} for r in range(2)]
    assert list(runs[0]["tau"]) == ["tau_0p5", "tau_2"]
    models = [
        {"variant": v, "run": r, "test_acc": 0.5, "val_acc": 0.5, "train_acc": 1.0, "best_step": 3}
        for v in ("supervised", "gumbel_m2")
        for r in range(2)
    ]
    result = summarise(runs, models)
    assert result["estimators"]["tau"]["tau_2"]["max_component"]["runs"][1] == pytest.approx(
        runs[1]["tau"]["tau_2"]["max_component"]
    )
    assert result["semi"]["gumbel_m2"]["test_acc"]["mean"] == 0.5
    assert len(results_table(result)) == 2 + 2 + 2
