"""Unit tests for the adversarial study's library: ConvNet shapes, FGSM, training (plain and
adversarial, bit-identical per seed), prediction, bootstrap samples and ensemble combination.

Everything runs on a tiny synthetic digit-like set (a bright square whose position is the class)
and a tiny ConvNet, so the file stays fast on a busy CPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlrepro.classifier.convnet import ConvNet
from dlrepro.classifier.fgsm import fgsm
from dlrepro.classifier.mnist import as_images
from dlrepro.classifier.train import (
    accuracy,
    hidden_features,
    predict_proba,
    train_classifier,
)
from dlrepro.core.determinism import configure_torch
from dlrepro.core.torch_utils import load_weights, save_weights
from dlrepro.errors import DlreproError
from dlrepro.studies.adversarial.ensemble import combine
from dlrepro.studies.adversarial.train import bootstrap_indices

CPU = torch.device("cpu")
TINY = dict(conv1=4, conv2=8, hidden=16, dropout=0.25)


def synthetic(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8-like images: noise plus a 6x6 bright square at a class-dependent place."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    x = rng.integers(0, 80, size=(n, 28, 28)).astype(np.uint8)
    for i, c in enumerate(y):
        r, col = 3 + 12 * (c // 5), 1 + 5 * (c % 5)
        x[i, r : r + 6, col : col + 6] = 255
    return as_images(x), torch.from_numpy(y).long()


@pytest.fixture(scope="module")
def data():
    return synthetic(400)


def fit(data, seed=0, epochs=2, **kw):
    configure_torch(seed, 1)
    model = ConvNet(**TINY)
    history = train_classifier(
        model, *data, epochs=epochs, batch_size=50, lr=3e-3, seed=seed, device=CPU, **kw
    )
    return model, history


@pytest.fixture(scope="module")
def trained(data):
    return fit(data, epochs=3)


def mean_loss(model, x, y) -> float:
    model.eval()
    with torch.no_grad():
        return float(F.cross_entropy(model(x), y))


# ----------------------------------------------------------------------------- model


@pytest.mark.parametrize("kernel", [3, 5])
def test_convnet_shapes(kernel):
    model = ConvNet(6, 12, 32, 0.5, kernel=kernel).eval()
    x = torch.rand(3, 1, 28, 28)
    assert model(x).shape == (3, 10) and model(x).dtype == torch.float32
    assert model.features(x).shape == (3, 32)
    assert torch.all(model.features(x) >= 0)  # after ReLU


def test_convnet_pools_before_relu_with_the_same_bits_as_relu_then_pool():
    """The speed-up (ReLU on pooled maps) must not change the maths: outputs and every
    gradient equal the textbook order bit for bit, on inputs with ties and negatives."""
    torch.manual_seed(0)
    model = ConvNet(6, 12, 32, 0.0).train()
    x = torch.rand(16, 1, 28, 28).round(decimals=1)  # rounding makes ties in the max-pool windows
    y = torch.randint(0, 10, (16,))
    conv1, _, _, conv2, _, _, flatten, dense, _ = model.body

    def textbook(x):
        x = x.contiguous(memory_format=torch.channels_last)
        h = F.max_pool2d(F.relu(conv1(x)), 2)
        h = F.max_pool2d(F.relu(conv2(h)), 2)
        return model.head(F.relu(dense(flatten(h))))

    grads = []
    for forward in (model, textbook):
        model.zero_grad()
        loss = F.cross_entropy(forward(x), y)
        loss.backward()
        grads.append([loss.detach()] + [p.grad.clone() for p in model.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*grads, strict=True))


def test_convnet_rejects_bad_settings():
    with pytest.raises(DlreproError, match="kernel"):
        ConvNet(4, 8, 16, 0.5, kernel=13)
    with pytest.raises(DlreproError, match="dropout"):
        ConvNet(4, 8, 16, 1.0)


def test_as_images_scales_to_unit_interval():
    x = as_images(np.array([[[0] * 28] * 27 + [[255] * 28]], dtype=np.uint8))
    assert x.shape == (1, 1, 28, 28) and x.dtype == torch.float32
    assert x.min() == 0.0 and x.max() == 1.0


# ----------------------------------------------------------------------------- training


def test_training_lowers_the_loss_and_logs_each_epoch(data, trained):
    model, history = trained
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert set(history[0]) == {"epoch", "loss", "train_acc"}
    assert history[-1]["loss"] < history[0]["loss"]
    assert 0.0 <= history[0]["train_acc"] <= history[-1]["train_acc"] <= 1.0
    configure_torch(0, 1)
    untrained = ConvNet(**TINY)
    assert mean_loss(model, *data) < 0.5 * mean_loss(untrained, *data)


def test_same_seed_gives_bit_identical_weights(data, tmp_path):
    a, hist_a = fit(data, seed=3)
    b, hist_b = fit(data, seed=3)
    assert hist_a == hist_b
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    save_weights(tmp_path / "a.pt", a)
    save_weights(tmp_path / "b.pt", b)
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()
    c = load_weights(tmp_path / "a.pt", ConvNet(**TINY))
    assert np.array_equal(predict_proba(c, data[0][:20]), predict_proba(a, data[0][:20]))


def test_other_seed_gives_other_weights(data):
    a, _ = fit(data, seed=3, epochs=1)
    b, _ = fit(data, seed=4, epochs=1)
    assert not torch.equal(a.head.weight, b.head.weight)


def test_batch_order_depends_only_on_the_seed_argument(data):
    # same init (global seed) but another batch-order seed -> other weights
    configure_torch(0, 1)
    a = ConvNet(**{**TINY, "dropout": 0.0})
    configure_torch(0, 1)
    b = ConvNet(**{**TINY, "dropout": 0.0})
    train_classifier(a, *data, epochs=1, batch_size=50, lr=3e-3, seed=1, device=CPU)
    train_classifier(b, *data, epochs=1, batch_size=50, lr=3e-3, seed=2, device=CPU)
    assert not torch.equal(a.head.weight, b.head.weight)


def test_adversarial_training_runs_and_is_deterministic(data):
    a, hist = fit(data, seed=5, adversarial_eps=0.2)
    b, hist_b = fit(data, seed=5, adversarial_eps=0.2)
    assert [row["epoch"] for row in hist] == [1, 2]
    assert all(np.isfinite(row["loss"]) and 0 <= row["train_acc"] <= 1 for row in hist)
    assert hist == hist_b
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    assert a.training  # left in train mode, like plain training
    # a different mixture weight is a different training
    c, _ = fit(data, seed=5, adversarial_eps=0.2, adversarial_weight=0.9)
    assert not torch.equal(a.head.weight, c.head.weight)


def test_training_rejects_bad_arguments(data):
    model = ConvNet(**TINY)
    with pytest.raises(DlreproError):
        train_classifier(
            model, data[0][:10], data[1][:9], epochs=1, batch_size=5, lr=1e-3, seed=0, device=CPU
        )
    with pytest.raises(DlreproError, match="adversarial_weight"):
        train_classifier(
            model,
            *data,
            epochs=1,
            batch_size=5,
            lr=1e-3,
            seed=0,
            device=CPU,
            adversarial_eps=0.1,
            adversarial_weight=1.5,
        )


# ----------------------------------------------------------------------------- prediction


def test_predict_proba_and_hidden_features(data, trained):
    model, _ = trained
    x, y = data
    p = predict_proba(model, x, batch_size=64)
    assert p.shape == (len(x), 10) and p.dtype == np.float32
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert accuracy(p.argmax(axis=1), y.numpy()) > 0.5
    h = hidden_features(model, x, batch_size=64)
    assert h.shape == (len(x), TINY["hidden"]) and h.dtype == np.float32
    # batching does not change the numbers (eval mode: no dropout)
    assert np.array_equal(hidden_features(model, x[:70], batch_size=1000), h[:70])
    assert predict_proba(model, x[:0]).shape == (0, 10)


# ----------------------------------------------------------------------------- FGSM


@pytest.mark.parametrize("eps", [0.05, 0.2])
def test_fgsm_stays_in_the_eps_ball_and_the_unit_box(data, trained, eps):
    model, _ = trained
    x, y = data
    x_adv = fgsm(model, x, y, eps, batch_size=128)
    assert x_adv.shape == x.shape and x_adv.dtype == torch.float32
    assert x_adv.device.type == "cpu" and not x_adv.requires_grad
    assert float((x_adv - x).abs().max()) <= eps + 1e-6
    assert float(x_adv.min()) >= 0.0 and float(x_adv.max()) <= 1.0
    assert not torch.equal(x_adv, x)


def test_fgsm_increases_the_loss(data, trained):
    model, _ = trained
    x, y = data
    x_adv = fgsm(model, x, y, 0.1)
    assert mean_loss(model, x_adv, y) > mean_loss(model, x, y) + 0.1


def test_fgsm_without_labels_attacks_the_models_predictions(data, trained):
    model, _ = trained
    x, y = data
    pred = torch.from_numpy(predict_proba(model, x).argmax(1))
    assert torch.equal(fgsm(model, x, None, 0.1), fgsm(model, x, pred, 0.1))
    assert mean_loss(model, fgsm(model, x, None, 0.1), pred) > mean_loss(model, x, pred)


def test_fgsm_eps_zero_is_identity(data, trained):
    model, _ = trained
    x, y = data
    out = fgsm(model, x, y, 0.0)
    assert torch.equal(out, x) and out is not x


def test_fgsm_leaves_no_gradients_and_restores_the_mode(data, trained):
    model, _ = trained
    model.zero_grad(set_to_none=True)
    model.train()
    fgsm(model, *data, 0.1)
    assert all(p.grad is None for p in model.parameters())
    assert model.training
    model.eval()
    fgsm(model, *data, 0.1)
    assert not model.training


def test_fgsm_uses_eval_mode_and_batching_does_not_matter(data, trained):
    model, _ = trained
    x, y = data
    model.train()  # dropout on: FGSM must switch it off, so the result is deterministic
    a = fgsm(model, x[:100], y[:100], 0.1, batch_size=100)
    b = fgsm(model, x[:100], y[:100], 0.1, batch_size=7)
    assert torch.equal(a, b)


def test_fgsm_rejects_bad_arguments(data, trained):
    model, _ = trained
    with pytest.raises(DlreproError, match="eps"):
        fgsm(model, *data, -0.1)
    with pytest.raises(DlreproError, match="labels"):
        fgsm(model, data[0][:5], data[1][:4], 0.1)


# ----------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_deterministic_and_with_replacement():
    a, b = bootstrap_indices(1000, 7), bootstrap_indices(1000, 7)
    assert np.array_equal(a, b)
    assert a.dtype == np.int64 and a.shape == (1000,)
    assert a.min() >= 0 and a.max() < 1000
    assert len(np.unique(a)) < 800  # with replacement: ~63% distinct
    assert not np.array_equal(a, bootstrap_indices(1000, 8))
    with pytest.raises(DlreproError):
        bootstrap_indices(0, 1)


# ----------------------------------------------------------------------------- ensembles


def test_mean_and_max_disagree():
    # member 0 is the most confident (0.8 for class 1); the other two lean to class 0
    probs = np.array(
        [
            [[0.2, 0.8, 0.0]],
            [[0.7, 0.3, 0.0]],
            [[0.7, 0.3, 0.0]],
        ]
    )
    assert combine(probs, "mean").tolist() == [0]  # means 0.533 vs 0.467
    assert combine(probs, "max").tolist() == [1]


def test_mean_and_max_disagree_on_several_instances():
    probs = np.array(
        [
            [[0.1, 0.9, 0.0], [0.2, 0.2, 0.6], [0.5, 0.5, 0.0]],
            [[0.6, 0.4, 0.0], [0.9, 0.05, 0.05], [0.0, 1.0, 0.0]],
            [[0.6, 0.4, 0.0], [0.4, 0.0, 0.6], [0.0, 1.0, 0.0]],
        ],
        dtype=np.float32,
    )
    # instance 0: mean (0.433, 0.567) -> 1; max: member 0 (0.9) -> 1
    # instance 1: mean (0.5, 0.083, 0.417) -> 0; max: member 1 (0.9) -> 0
    # instance 2: mean -> 1; max: members 1 and 2 tie at 1.0 -> member 1 -> 1
    assert combine(probs, "mean").tolist() == [1, 0, 1]
    assert combine(probs, "max").tolist() == [1, 0, 1]
    probs[0, 0] = [0.05, 0.0, 0.95]  # member 0 now very sure of class 2; mean stays class 0
    assert combine(probs, "mean").tolist()[0] == 0
    assert combine(probs, "max").tolist()[0] == 2
    assert combine(probs, "max").dtype == np.int64 and combine(probs, "mean").dtype == np.int64


def test_max_ties_go_to_the_lowest_member_then_lowest_class():
    probs = np.array(
        [
            [[0.2, 0.7, 0.1], [0.4, 0.4, 0.2]],
            [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]],
            [[0.1, 0.2, 0.7], [0.4, 0.2, 0.4]],
        ]
    )
    # instance 0: all three members top out at 0.7 -> member 0 -> class 1
    # instance 1: member 1 (0.8) -> class 2
    assert combine(probs, "max").tolist() == [1, 2]
    # a class tie inside the chosen member -> lowest class
    assert combine(probs[[0]], "max").tolist() == [1, 0]
    assert combine(np.full((2, 1, 4), 0.25), "mean").tolist() == [0]


def test_single_member_ensemble_is_the_member():
    p = np.random.default_rng(0).dirichlet(np.ones(10), size=(1, 50))
    assert np.array_equal(combine(p, "mean"), p[0].argmax(1))
    assert np.array_equal(combine(p, "max"), p[0].argmax(1))


def test_combine_rejects_bad_input():
    probs = np.full((2, 3, 10), 0.1)
    with pytest.raises(DlreproError, match="unknown combination 'vote'"):
        combine(probs, "vote")
    with pytest.raises(DlreproError, match="shape"):
        combine(probs[0], "mean")
    with pytest.raises(DlreproError, match="shape"):
        combine(probs[:0], "max")


def test_accuracy():
    assert accuracy(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4])) == 0.75
    with pytest.raises(DlreproError):
        accuracy(np.array([1, 2]), np.array([1, 2, 3]))
    with pytest.raises(DlreproError):
        accuracy(np.array([]), np.array([]))
