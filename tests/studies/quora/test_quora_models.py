"""Unit tests for the quora study's Siamese models and their training loop: parameter counts,
shapes of every variant, symmetry, the contrastive loss, learning a separable toy problem,
bit-identical reruns, spec validation, padding invariance and divergence handling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlrepro.core.determinism import configure_torch
from dlrepro.core.torch_utils import load_weights, save_weights, trainable_parameters
from dlrepro.errors import DlreproError
from dlrepro.studies.quora import evaluate, models, train
from dlrepro.studies.quora.models import build_model, contrastive_loss, predict, validate_spec

CPU = torch.device("cpu")
DIM = 12  # question-vector width in these tests (the study uses 300)
VOCAB = 30  # known words; ids 1..VOCAB, 0 = padding / out of vocabulary

BASE = {
    "encoder": "mlp",
    "layers": 3,
    "hidden": 8,
    "residual": True,
    "bn": "before_relu",
    "dropout": 0.0,
    "concat": True,
    "unit_norm": False,
    "distance": "euclidean",
    "head": "distance",
    "optimizer": "adam",
    "lr": 1e-3,
    "epochs": 2,
    "batch_size": 32,
    "weight_decay": 0.0,
    "margin": 1.0,
    "input_dim": DIM,
}
SEQ_SIZES = {"rnn_hidden": 5, "conv_channels": 4}  # allowed (and ignored) on mlp variants too
SEQ = {"encoder": "birnn_conv", **SEQ_SIZES}


def spec(**over) -> dict:
    return {**BASE, **over}


def table(dim: int = DIM, vocab: int = VOCAB, seed: int = 0) -> np.ndarray:
    t = np.random.default_rng(seed).normal(size=(vocab + 1, dim)).astype(np.float32)
    t[0] = 0
    return t


def random_ids(n: int, max_len: int = 7, seed: int = 0) -> torch.Tensor:
    """Right-padded id rows of 1..max_len known words (int32, like the study's arrays)."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((n, max_len), np.int32)
    for i, length in enumerate(rng.integers(1, max_len + 1, n)):
        ids[i, :length] = rng.integers(1, VOCAB + 1, length)
    return torch.from_numpy(ids)


def inputs(s: dict, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    if s["encoder"] == "birnn_conv":
        return random_ids(n, seed=seed), random_ids(n, seed=seed + 1)
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, DIM, generator=g), torch.randn(n, DIM, generator=g)


def make(s: dict, seed: int = 0):
    torch.manual_seed(seed)
    return build_model(s, table() if s["encoder"] == "birnn_conv" else None)


def toy_pairs(n: int = 1200, dim: int = DIM, seed: int = 0) -> dict:
    """Separable pairs: a duplicate is a slightly perturbed copy, a non-duplicate is unrelated."""
    rng = np.random.default_rng(seed)
    q1 = rng.normal(size=(n, dim)).astype(np.float32)
    y = (rng.random(n) < 0.4).astype(np.int64)
    other = rng.normal(size=(n, dim))
    q2 = np.where(y[:, None] == 1, q1 + 0.1 * rng.normal(size=(n, dim)), other).astype(np.float32)
    return {"q1": q1, "q2": q2, "y": y, "is_train": np.arange(n) < int(0.75 * n)}


def toy_sequences(n: int = 64, seed: int = 0) -> dict:
    q1, q2 = random_ids(n, seed=seed), random_ids(n, seed=seed + 1)
    y = np.random.default_rng(seed).integers(0, 2, n)
    return {"q1_ids": q1.numpy(), "q2_ids": q2.numpy(), "y": y, "is_train": np.arange(n) < 48}


# ----------------------------------------------------------------------------- sizes


def tower_params(in_dim: int, hidden: int, layers: int, bn: bool) -> int:
    """Linear in*h + h per layer, plus 2h for each BatchNorm (gamma, beta)."""
    per_layer = hidden + (2 * hidden if bn else 0)
    return in_dim * hidden + (layers - 1) * hidden * hidden + layers * per_layer


def test_parameter_count_best_network_distance_head():
    # 3 layers of 8, BN before ReLU: (12*8 + 8 + 16) + 2 * (8*8 + 8 + 16) = 120 + 176
    assert trainable_parameters(make(spec())) == 296 == tower_params(DIM, 8, 3, True)


@pytest.mark.parametrize(
    "layers,hidden,bn,concat",
    [(2, 8, "none", False), (3, 6, "after_relu", True), (3, 8, "before_relu", False)],
)
def test_parameter_count_fc_head(layers, hidden, bn, concat):
    m = make(spec(layers=layers, hidden=hidden, bn=bn, concat=concat, head="fc"))
    embed = hidden * (layers if concat else 1)
    head = 4 * embed + 1  # Linear over [a, b, |a-b|, a*b]
    assert trainable_parameters(m) == tower_params(DIM, hidden, layers, bn != "none") + head


def test_parameter_count_out_bn_adds_gamma_and_beta_of_the_embedding():
    assert trainable_parameters(make(spec(out_bn=True))) == 296 + 2 * 3 * 8


def test_parameter_count_sequence_encoder_excludes_the_frozen_table():
    m = make(spec(**SEQ, head="fc", bn="none", layers=2, concat=False))
    gru = 3 * (DIM * 5 + 5 * 5 + 2 * 5)  # 3 gates: W_ih, W_hh, b_ih, b_hh; per direction
    conv = DIM * 4 * 3 + 4
    feats = 2 * 5 + 4
    assert trainable_parameters(m) == 2 * gru + conv + tower_params(feats, 8, 2, False) + 4 * 8 + 1
    # the table is an input, not a weight: neither trained nor saved
    assert "encoder.table" not in m.state_dict()
    assert not any(p is m.encoder.table for p in m.parameters())


# ----------------------------------------------------------------------------- shapes

COMBOS = list(
    itertools.product(models.ENCODERS, models.HEADS, models.BN_PLACEMENTS, models.DISTANCES)
)


@pytest.mark.parametrize("encoder,head,bn,distance", COMBOS)
@settings(max_examples=3, deadline=None, derandomize=True)  # same cases on every run
@given(
    layers=st.integers(1, 3),
    hidden=st.integers(1, 6),
    residual=st.booleans(),
    concat=st.booleans(),
    unit_norm=st.booleans(),
    out_bn=st.booleans(),
    dropout=st.sampled_from([0.0, 0.3]),
    n=st.integers(2, 5),
)
def test_forward_shapes_every_variant(
    encoder, head, bn, distance, layers, hidden, residual, concat, unit_norm, out_bn, dropout, n
):
    s = spec(
        encoder=encoder,
        head=head,
        bn=bn,
        distance=distance,
        layers=layers,
        hidden=hidden,
        residual=residual,
        concat=concat,
        unit_norm=unit_norm,
        out_bn=out_bn,
        dropout=dropout,
        **SEQ_SIZES,
    )
    m = make(s)
    a, b = inputs(s, n)
    embed = m.embed(a)
    assert embed.shape == (n, hidden * (layers if concat else 1))
    m.train()
    score = m(a, b)
    assert score.shape == (n,) and score.dtype == torch.float32
    loss = m.loss(score, torch.ones(n, dtype=torch.long))
    assert loss.shape == () and torch.isfinite(loss)
    loss.backward()
    pred = predict(m, a, b)
    assert pred.shape == (n,) and pred.dtype == torch.long
    assert set(pred.tolist()) <= {0, 1}
    assert not m.training  # predict leaves eval mode


def test_predict_batches_give_the_same_answer():
    m = make(spec())
    a, b = inputs(spec(), 50)
    assert torch.equal(predict(m, a, b, batch_size=7), predict(m, a, b, batch_size=1000))
    assert predict(m, a[:0], b[:0]).shape == (0,)


# ----------------------------------------------------------------------------- Siamese


@pytest.mark.parametrize("encoder", models.ENCODERS)
@pytest.mark.parametrize("distance", models.DISTANCES)
@pytest.mark.parametrize("unit_norm", [False, True])
def test_distance_heads_are_symmetric(encoder, distance, unit_norm):
    s = spec(
        encoder=encoder, distance=distance, unit_norm=unit_norm, dropout=0.3, epochs=1, **SEQ_SIZES
    )
    # a little training so BN running statistics are not the identity
    data = toy_sequences() if encoder == "birnn_conv" else toy_pairs(200)
    emb = table() if encoder == "birnn_conv" else None
    m, _, _ = train.train_variant(s, data, 0, CPU, embeddings=emb)
    m.eval()
    a, b = inputs(s, 40, seed=3)
    with torch.no_grad():
        assert torch.equal(m(a, b), m(b, a))
        # its own duplicate: distance 0; the code's cosine -mean(x * x) = -1/width (24 units)
        self_distance = -1 / 24 if distance == "code_cosine" else 0.0
        assert torch.allclose(m(a, a), torch.full((40,), self_distance), atol=1e-3)
    assert torch.equal(predict(m, a, b), predict(m, b, a))


def test_both_sides_share_one_tower():
    m = make(spec())
    names = [n for n, _ in m.named_parameters()]
    assert all(n.startswith("tower.") for n in names)  # no second copy of the weights
    a, b = inputs(spec(), 4)
    m.eval()
    with torch.no_grad():
        d = m(a, b)
        assert torch.allclose(d, torch.linalg.vector_norm(m.embed(a) - m.embed(b), dim=1))


# ----------------------------------------------------------------------------- losses, heads


def test_contrastive_loss_hand_example():
    d = torch.tensor([0.0, 0.5, 2.0, 0.3])
    y = torch.tensor([1, 0, 0, 1])
    # duplicates: d^2 -> 0, 0.09; others: max(1 - d, 0)^2 -> 0.25, 0
    assert contrastive_loss(d, y, 1.0).item() == pytest.approx((0 + 0.25 + 0 + 0.09) / 4)
    # margin 3: the far non-duplicate is now inside it: (3 - 2)^2 = 1, (3 - 0.5)^2 = 6.25
    assert contrastive_loss(d, y, 3.0).item() == pytest.approx((0 + 6.25 + 1 + 0.09) / 4)


def test_contrastive_loss_is_zero_for_a_perfect_embedding():
    assert contrastive_loss(torch.tensor([0.0, 1.5]), torch.tensor([1, 0]), 1.0).item() == 0


def test_distance_values():
    a, b = torch.tensor([[3.0, 0.0], [1.0, 1.0]]), torch.tensor([[0.0, 4.0], [1.0, 1.0]])
    euclid = models.DistanceHead("euclidean", 1.0)
    assert euclid(a, b).tolist() == pytest.approx([5.0, 0.0], abs=1e-3)
    cosine = models.DistanceHead("cosine", 1.0)
    assert cosine(a, b).tolist() == pytest.approx([1.0, 0.0], abs=1e-6)
    assert cosine(a, -a).tolist() == pytest.approx([2.0, 2.0])


def test_decision_rules():
    head = models.DistanceHead("euclidean", margin=2.0)
    assert head.decide(torch.tensor([0.5, 0.99, 1.0, 3.0])).tolist() == [True, True, False, False]
    fc = models.FCHead(3)
    assert fc.decide(torch.tensor([-1.0, 0.0, 0.1])).tolist() == [False, False, True]


def test_fc_head_loss_is_bce_with_logits():
    fc = models.FCHead(2)
    score, y = torch.tensor([0.0, 2.0]), torch.tensor([1, 0])
    expected = (np.log(2) + np.log(1 + np.exp(2.0))) / 2
    assert fc.loss(score, y).item() == pytest.approx(expected, rel=1e-6)


# ----------------------------------------------------------------------------- training


@pytest.mark.parametrize(
    "over",
    [
        {"head": "fc", "lr": 1e-2},  # the post's update, on the best tower
        {"head": "distance", "concat": False, "bn": "none", "lr": 3e-3},  # the plain Siamese net
        {
            "head": "distance",
            "optimizer": "sgd",
            "lr": 0.05,
            "lr_schedule": "step",
            "layers": 2,
            "bn": "none",
            "residual": False,
            "concat": False,
        },  # the post's first net: 2 layers + SGD
    ],
    ids=["fc", "distance", "distance-sgd"],
)
def test_training_learns_a_separable_problem(over):
    configure_torch(0, 1)
    s = spec(epochs=4, **over)
    model, metrics, history = train.train_variant(s, toy_pairs(), 0, CPU)
    assert metrics["test_acc"] > 0.9
    assert metrics["test_acc"] > metrics["test_majority_acc"] + 0.25
    assert not metrics["diverged"] and metrics["diverged_epoch"] is None
    assert [h["epoch"] for h in history] == [1, 2, 3, 4]
    assert set(history[0]) == {"epoch", "loss", "train_acc", "test_acc"}
    # the model after the last epoch is the one reported
    assert history[-1]["test_acc"] == metrics["test_acc"]
    assert history[-1]["train_acc"] == metrics["train_acc"]
    assert history[-1]["loss"] < history[0]["loss"]
    assert next(model.parameters()).device.type == "cpu"
    assert metrics["trainable_params"] == trainable_parameters(model)


def test_metrics_baseline_and_rates():
    data = toy_pairs(400)
    y_test = data["y"][~data["is_train"]]
    _, metrics, _ = train.train_variant(spec(epochs=1), data, 0, CPU)
    majority = int(data["y"][data["is_train"]].mean() > 0.5)
    assert majority == 0  # 40 % duplicates: the post's "all zeros" baseline
    assert metrics["test_majority_acc"] == pytest.approx((y_test == 0).mean())
    assert 0 <= metrics["test_positive_rate"] <= 1
    p = metrics["test_precision"]
    assert p is None or 0 <= p <= 1


def state(model) -> dict:
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize(
    "over", [{"dropout": 0.3}, {**SEQ, "head": "fc"}], ids=["mlp", "birnn_conv"]
)
def test_same_seed_gives_bit_identical_weights(over):
    s = spec(**over)
    data = toy_sequences() if s["encoder"] == "birnn_conv" else toy_pairs(300)
    emb = table() if s["encoder"] == "birnn_conv" else None
    runs = []
    for seed in (7, 7, 8):
        configure_torch(seed, 1)
        model, metrics, history = train.train_variant(s, data, seed, CPU, embeddings=emb)
        runs.append((state(model), metrics, history))
    (first, m1, h1), (second, m2, h2), (other, _, _) = runs
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert m1 == m2 and h1 == h2
    assert not all(torch.equal(first[k], other[k]) for k in first)  # the seed matters


def test_weights_round_trip_for_the_sequence_model(tmp_path):
    s = spec(**SEQ, head="fc")
    model, _, _ = train.train_variant(s, toy_sequences(), 0, CPU, embeddings=table())
    save_weights(tmp_path / "w.pt", model)
    fresh = load_weights(tmp_path / "w.pt", make(s, seed=99))
    a, b = inputs(s, 20)
    assert torch.equal(predict(fresh, a, b), predict(model, a, b))
    model.eval(), fresh.eval()
    with torch.no_grad():
        assert torch.equal(fresh(a, b), model(a, b))


def test_divergence_stops_and_is_reported():
    # SGD at an absurd learning rate overflows the weights within a few steps
    s = spec(optimizer="sgd", lr=1e30, bn="none", residual=False, concat=False, epochs=5)
    model, metrics, history = train.train_variant(s, toy_pairs(400), 0, CPU)
    assert metrics["diverged"] is True
    assert 1 <= metrics["diverged_epoch"] <= 5
    assert len(history) == metrics["diverged_epoch"] - 1
    assert 0 <= metrics["test_acc"] <= 1


def test_step_schedule_divides_the_learning_rate_after_each_third():
    s = validate_spec(spec(optimizer="sgd", lr=0.3, lr_schedule="step", epochs=6))
    opt, sched = train.make_optimiser(s, make(s))
    lrs = []
    for _ in range(6):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step(), sched.step()
    assert lrs == pytest.approx([0.3, 0.3, 0.03, 0.03, 0.003, 0.003])
    assert opt.param_groups[0]["momentum"] == 0.9


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "key,value",
    [
        ("encoder", "lstm"),
        ("layers", 0),
        ("layers", 2.0),
        ("layers", True),
        ("hidden", -1),
        ("residual", 1),
        ("bn", "before"),
        ("dropout", 1.0),
        ("dropout", -0.1),
        ("concat", "yes"),
        ("unit_norm", None),
        ("distance", "manhattan"),
        ("head", "softmax"),
        ("optimizer", "rmsprop"),
        ("lr", 0),
        ("lr", float("nan")),
        ("epochs", 0),
        ("batch_size", 1.5),
        ("weight_decay", -1),
        ("margin", 0),
        ("lr_schedule", "exp"),
        ("out_bn", "no"),
        ("input_dim", 0),
        ("rnn_hidden", 0),
        ("conv_channels", "64"),
        ("bn_test", "keras"),
        ("momentum", 1.0),
        ("nesterov", "yes"),
        ("lr_decay", -0.1),
    ],
)
def test_invalid_values_raise_naming_the_key(key, value):
    with pytest.raises(DlreproError, match=repr(key)):
        validate_spec(spec(**{key: value}))
    with pytest.raises(DlreproError, match=repr(key)):
        build_model(spec(**{key: value}))


@pytest.mark.parametrize("key", sorted(models.REQUIRED))
def test_missing_required_key_raises(key):
    s = spec()
    del s[key]
    with pytest.raises(DlreproError, match=f"missing key {key!r}"):
        validate_spec(s)


@pytest.mark.parametrize(
    "over,key",
    [
        ({"head": "distance"}, "margin"),
        ({"head": "distance"}, "distance"),
        (SEQ, "rnn_hidden"),
        (SEQ, "conv_channels"),
    ],
)
def test_keys_needed_by_the_variant_are_required(over, key):
    s = spec(**over)
    del s[key]
    with pytest.raises(DlreproError, match=repr(key)):
        validate_spec(s)


def test_keys_unused_by_the_variant_may_be_left_out():
    s = spec(head="fc")
    del s["margin"], s["distance"]
    assert validate_spec(s)["head"] == "fc"


def test_unknown_key_raises():
    with pytest.raises(DlreproError, match="'residul'"):
        validate_spec(spec(residul=True))


def test_validate_fills_defaults_without_touching_the_argument():
    s = spec()
    del s["input_dim"]
    out = validate_spec(s)
    assert out["input_dim"] == 300 and out["lr_schedule"] == "constant" and out["out_bn"] is False
    assert "input_dim" not in s
    # the options added for the linked code default to what every variant did before them
    assert out["bn_test"] == "running" and out["momentum"] == 0.9
    assert out["nesterov"] is False and out["lr_decay"] == 0.0


def test_sequence_model_needs_embeddings():
    with pytest.raises(DlreproError, match="embeddings"):
        build_model(spec(**SEQ))


@pytest.mark.parametrize(
    "change,match",
    [
        (lambda d: d.pop("y"), "'y'"),
        (lambda d: d.update(q1=d["q1"][:, :5]), "'q1'"),
        (lambda d: d.update(is_train=d["is_train"].astype(int)), "is_train"),
        (lambda d: d.update(is_train=np.ones_like(d["is_train"])), "training and test"),
        (lambda d: d["q2"].__setitem__((0, 0), np.nan), "NaN"),
        (lambda d: d.update(y=d["y"] + 1), "0/1"),
    ],
)
def test_bad_data_raises(change, match):
    data = toy_pairs(40)
    change(data)
    with pytest.raises(DlreproError, match=match):
        train.train_variant(spec(), data, 0, CPU)


def test_word_ids_outside_the_table_raise():
    data = toy_sequences()
    data["q2_ids"][3, 0] = VOCAB + 1
    with pytest.raises(DlreproError, match="q2_ids"):
        train.train_variant(spec(**SEQ), data, 0, CPU, embeddings=table())


# ----------------------------------------------------------------------------- padding


def test_sequence_encoder_ignores_padding_and_out_of_vocabulary_ids():
    m = make(spec(**SEQ)).eval()
    enc = m.encoder
    ids = random_ids(10, max_len=6)
    with torch.no_grad():
        base = enc(ids)
        padded = enc(torch.cat([ids, torch.zeros(10, 9, dtype=ids.dtype)], dim=1))
        # zeros between words (out-of-vocabulary) and in front change nothing either
        spread = torch.zeros(10, 13, dtype=ids.dtype)
        spread[:, 1::2] = ids
        assert torch.equal(padded, base)
        assert torch.allclose(enc(spread), base, atol=1e-6)
        assert torch.allclose(m(torch.cat([ids, torch.zeros_like(ids)], 1), ids), m(ids, ids))
        # ... while a known word does count: the test can tell a constant encoder apart
        changed = ids.clone()
        changed[:, 0] = changed[:, 0] % VOCAB + 1
        assert not torch.allclose(enc(changed), base)


def test_sequence_encoder_reads_word_order_both_ways():
    m = make(spec(**SEQ)).eval()
    ids = torch.tensor([[1, 2, 3, 4, 0, 0]], dtype=torch.int32)
    fwd, bwd, mask = m.encoder.known_words(ids)
    assert fwd.tolist() == [[1, 2, 3, 4]]
    assert bwd.tolist() == [[4, 3, 2, 1]]
    assert mask.all()
    ids = torch.tensor([[0, 5, 0, 6, 0], [7, 0, 0, 0, 0]], dtype=torch.int32)
    fwd, bwd, mask = m.encoder.known_words(ids)
    assert fwd.tolist() == [[5, 6], [7, 0]]
    assert bwd.tolist() == [[6, 5], [7, 0]]
    assert mask.tolist() == [[True, True], [True, False]]


def test_sequence_encoder_question_without_known_words_is_zeros():
    m = make(spec(**SEQ)).eval()
    with torch.no_grad():
        out = m.encoder(torch.tensor([[0, 0, 0], [3, 0, 0]], dtype=torch.int32))
    assert torch.equal(out[0], torch.zeros(out.shape[1]))
    assert torch.isfinite(out).all() and out[1].abs().sum() > 0


def padded_encoder(enc: models.SequenceEncoder, ids: torch.Tensor) -> torch.Tensor:
    """The encoder's maths the plain way: GRUs and Conv1d over the whole padded batch."""
    fwd, bwd, mask = enc.known_words(ids)
    x = torch.nn.functional.embedding(fwd, enc.table)
    h_fwd, _ = enc.gru_fwd(x)
    h_bwd, _ = enc.gru_bwd(torch.nn.functional.embedding(bwd, enc.table))
    c = torch.relu(enc.conv(x.transpose(1, 2))).transpose(1, 2)
    feats = torch.cat([h_fwd, h_bwd, c], dim=2).masked_fill(~mask[:, :, None], float("-inf"))
    return torch.where(mask.any(dim=1, keepdim=True), feats.amax(dim=1), 0.0)


def test_sequence_encoder_computes_the_padded_maths():
    """Packing skips the padding only: same outputs and gradients (float64, up to rounding)."""
    enc = make(spec(**SEQ)).encoder.double()
    ids = torch.cat([random_ids(9, max_len=6), torch.zeros(1, 6, dtype=torch.int32)])
    ids[0, :3] = 0  # out-of-vocabulary words in front
    ids[1, 1:4] = ids[1, 0]  # a repeated word: equal conv windows, a tie for the max
    outs, grads = [], []
    for forward in (enc, lambda x: padded_encoder(enc, x)):
        enc.zero_grad()
        out = forward(ids)
        (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).view_as(out)).sum().backward()
        outs.append(out.detach())
        grads.append([p.grad.clone() for p in enc.parameters()])
    assert torch.allclose(outs[0], outs[1], rtol=0, atol=1e-12)
    assert all(torch.allclose(g, h, rtol=0, atol=1e-12) for g, h in zip(*grads))


# ----------------------------------------------------------------------------- the linked code's ways


def test_code_cosine_calls_every_pair_a_duplicate_whatever_the_weights():
    s = spec(distance="code_cosine", unit_norm=True, concat=False)
    for seed in range(3):
        model = make(s, seed=seed)
        a, b = inputs(s, 50, seed=seed)
        scores = models.scores(model, a, b)
        width = s["hidden"]  # no concat: the embedding is the last layer's 8 units
        assert scores.abs().max() <= 1 / width + 1e-6
        assert predict(model, a, b).tolist() == [1] * 50
    # the value: -mean(x * y) of the unit vectors, i.e. -cos / width
    x, y = torch.tensor([[3.0, 4.0]]), torch.tensor([[4.0, 3.0]])
    head = models.DistanceHead("code_cosine", 1.0)
    assert head(x, y).item() == pytest.approx(-(24 / 25) / 2)
    assert torch.equal(head(x, y), head(y, x))


def test_bn_batch_statistics_normalise_each_batch_and_leave_the_model_as_it_was():
    s = spec(dropout=0.0)
    model = make(s)
    model.train()
    a, b = inputs(s, 300)
    with torch.no_grad():
        model(a, b)  # running averages away from their initial values
    before = state(model)
    batch = models.scores(model, a[:100], b[:100], bn="batch", order_seed=3)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not model.training and all(not m.training for m in model.modules())
    # one batch (100 < 128): the same as a train-mode forward over those 100 pairs, any order
    train_mode = make(s)
    train_mode.load_state_dict(before)
    train_mode.train()
    with torch.no_grad():
        expected = train_mode(a[:100], b[:100])
    assert torch.allclose(batch, expected, atol=1e-5)
    running = models.scores(model, a[:100], b[:100])
    assert not torch.allclose(batch, running, atol=1e-3)  # the two ways differ


def test_bn_batch_statistics_batches_of_128_in_a_seeded_order():
    s = spec()
    model = make(s)
    a, b = inputs(s, 300)
    first = models.scores(model, a, b, bn="batch", order_seed=1)
    assert torch.equal(first, models.scores(model, a, b, bn="batch", order_seed=1))
    other = models.scores(model, a, b, bn="batch", order_seed=2)
    assert not torch.equal(first, other)  # other batches, other statistics
    # a row's score depends only on the batch it falls in: batch 1 of the order by hand
    order = torch.randperm(300, generator=torch.Generator().manual_seed(1))
    rows = order[128:256]
    with models.batch_statistics(model), torch.no_grad():
        by_hand = model(a[rows], b[rows])
    assert torch.allclose(first[rows], by_hand, atol=1e-6)
    with pytest.raises(DlreproError, match="order_seed"):
        models.scores(model, a, b, bn="batch")


def test_batches_never_leave_a_single_row_alone():
    assert models._batches(257, 128) == [(0, 128), (128, 257)]
    assert models._batches(258, 128) == [(0, 128), (128, 256), (256, 258)]
    assert models._batches(1, 128) == [(0, 1)]
    assert models._batches(0, 128) == []


def test_keras_decay_lowers_the_rate_after_every_update():
    s = validate_spec(
        spec(optimizer="sgd", lr=1.0, lr_schedule="keras_decay", lr_decay=0.5, momentum=0.8,
             nesterov=True)
    )  # fmt: skip
    opt, sched = train.make_optimiser(s, make(s))
    assert train.steps_per_batch(s)
    group = opt.param_groups[0]
    assert group["momentum"] == 0.8 and group["nesterov"] is True
    lrs = []
    for _ in range(4):
        lrs.append(group["lr"])
        opt.step(), sched.step()
    assert lrs == pytest.approx([1.0, 1 / 1.5, 1 / 2.0, 1 / 2.5])  # lr / (1 + decay * updates)


def test_keras_decay_steps_per_batch_in_training():
    data = toy_pairs(400)  # 300 training pairs: 10 batches of 32 per epoch (the last of 12)
    s = spec(optimizer="sgd", lr=0.1, lr_schedule="keras_decay", lr_decay=0.01, epochs=2,
             bn="none", residual=False, concat=False)  # fmt: skip
    configure_torch(0, 1)
    model, metrics, _ = train.train_variant(s, data, 0, CPU)
    assert not metrics["diverged"]
    steps = {"n": 0}
    opt, sched = train.make_optimiser(validate_spec(s), make(validate_spec(s)))
    splits = train.to_tensors(validate_spec(s), data, CPU)
    perm = torch.arange(300)
    train.run_epoch(make(validate_spec(s)), opt, splits["train"], perm, 32,
                    lambda: steps.update(n=steps["n"] + 1))  # fmt: skip
    assert steps["n"] == 10


def test_bn_test_batch_is_how_a_variant_is_trained_and_reported():
    data = toy_pairs(600)
    configure_torch(0, 1)
    _, running, history_r = train.train_variant(spec(epochs=2), data, 5, CPU)
    configure_torch(0, 1)
    model, batch, history_b = train.train_variant(spec(epochs=2, bn_test="batch"), data, 5, CPU)
    # training is the same (BN uses batch statistics in training either way); reporting differs
    assert [h["loss"] for h in history_r] == [h["loss"] for h in history_b]
    assert batch["test_acc"] != running["test_acc"] or batch["train_acc"] != running["train_acc"]
    a, b, y = train.to_tensors(validate_spec(spec()), data, CPU)["test"]
    pred = predict(model, a, b, bn="batch", order_seed=train.order_seed(5))
    assert batch["test_acc"] == float((pred == y).double().mean())


def test_test_scores_precision_is_the_codes_number():
    pred = torch.tensor([1, 1, 1, 0, 0])
    y = torch.tensor([1, 0, 1, 1, 0])
    assert train.test_scores(pred, y) == {
        "test_acc": 0.6,
        "test_positive_rate": 0.6,
        "test_precision": pytest.approx(2 / 3),  # labels[pred == 1].mean()
    }
    assert (
        train.test_scores(torch.zeros(3, dtype=torch.long), torch.ones(3))["test_precision"] is None
    )


# ----------------------------------------------------------------------------- evaluate step


@pytest.mark.parametrize(
    "over", [{}, {"bn_test": "batch"}, {"head": "fc"}, {"bn": "none"}],
    ids=["running", "batch", "fc", "no-bn"],
)  # fmt: skip
def test_evaluate_from_weights_reproduces_the_trained_metrics(tmp_path, over):
    data = toy_pairs(500)
    s = spec(epochs=2, **over)
    paths, seeds, trained = [], [11, 12], []
    for run, seed in enumerate(seeds):
        configure_torch(seed, 1)
        model, metrics, _ = train.train_variant(s, data, seed, CPU)
        save_weights(tmp_path / f"{run}.pt", model)
        paths.append(tmp_path / f"{run}.pt")
        trained.append(metrics)
    records, arrays = evaluate.evaluate_variant(s, data, paths, seeds)
    own = validate_spec(s)["bn_test"]
    y = data["y"][~data["is_train"]]
    assert arrays["y"].tolist() == y.tolist()
    assert arrays["test_rows"].tolist() == list(range(375, 500))
    for run, (r, m) in enumerate(zip(records, trained)):
        assert r["run"] == run and r["bn_test"] == own
        assert r["test_majority_acc"] == m["test_majority_acc"]
        for key in ("test_acc", "test_positive_rate", "test_precision"):
            assert r[own][key] == m[key], key  # the saved weights give the trained numbers
        called = (
            arrays[f"{run}_{own}"] < 0.5 if s.get("head") != "fc" else arrays[f"{run}_{own}"] > 0
        )
        if called.any():  # the linked code's line, on the scores the step saved
            assert r[own]["test_precision"] == pytest.approx(y[called].mean())
        assert r["has_batchnorm"] == (s["bn"] != "none")
        if s["bn"] == "none":  # nothing depends on the batch: both ways agree
            assert r["running"] == r["batch"]
