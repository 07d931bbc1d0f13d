"""The post's Siamese duplicate-question models, every variant built from one spec dict.

The post's best network (erogol/QuoraDQBaseline, siamese.py) is a tower of Dense -> BN -> ReLU
layers with sum-skips between layers of equal width, whose layer outputs are concatenated,
shared by the two questions, and compared by Euclidean distance under the contrastive loss of
Hadsell et al. (2006) with margin 1 and "duplicate when distance < 0.5". Every row of the
post's architecture list is one switch of that network, so one spec dict (a params.yaml entry)
describes them all; `validate_spec` lists the keys.

Two updates of the post are built on the same tower: an FC head over [a, b, |a-b|, a*b]
("switching last layer to FC"), and a sequence encoder, a bidirectional GRU and a 1-D
convolution side by side over frozen word vectors ("bidirectional RNN and 1D convolutional
layers together as feature extractors").
"""

from __future__ import annotations

import math
import numbers
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from dlrepro.errors import DlreproError

ENCODERS = ("mlp", "birnn_conv")
BN_PLACEMENTS = ("none", "after_relu", "before_relu")
# code_cosine: the linked code's cosine_distance, -mean(x * y) of L2-normalised x, y (siamese.py)
DISTANCES = ("euclidean", "cosine", "code_cosine")
HEADS = ("distance", "fc")
OPTIMIZERS = ("adam", "sgd")
# keras_decay: Keras 1's SGD `decay`, lr / (1 + decay * updates), applied after every batch
LR_SCHEDULES = ("constant", "step", "cosine", "keras_decay")
# BatchNorm at test time: running averages (PyTorch eval) or the test batch's own statistics
# (Keras 1 `BatchNormalization(mode=2)`, as in the linked code)
BN_TEST = ("running", "batch")
# Keras `predict(..., batch_size=128)` in the linked code: the batch whose statistics mode=2 uses
KERAS_PREDICT_BATCH = 128

# Floor under squared distances and norms: sqrt and division have infinite slope at 0, and
# a duplicate pair can map to one point. Keras' K.epsilon(), as in the Keras Siamese example.
EPS = 1e-7


# ----------------------------------------------------------------------------- the spec


def _is_int(v) -> bool:
    # YAML `true` is not a layer count (bool is an int in Python, np.bool_ is not Integral)
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def _choice(options):
    return (lambda v: v in options), "one of " + ", ".join(map(repr, options))


_POSITIVE_INT = (lambda v: _is_int(v) and v >= 1), "an integer >= 1"
_BOOL = (lambda v: isinstance(v, bool)), "true or false"
_POSITIVE = (lambda v: _is_number(v) and v > 0), "a number > 0"
_NON_NEGATIVE = (lambda v: _is_number(v) and v >= 0), "a number >= 0"
_FRACTION = (lambda v: _is_number(v) and 0 <= v < 1), "a number in [0, 1)"

# key -> (check, what it must be). Every variant uses these.
REQUIRED = {
    "encoder": _choice(ENCODERS),
    "layers": _POSITIVE_INT,
    "hidden": _POSITIVE_INT,
    "residual": _BOOL,
    "bn": _choice(BN_PLACEMENTS),
    "dropout": _FRACTION,
    "concat": _BOOL,
    "unit_norm": _BOOL,
    "head": _choice(HEADS),
    "optimizer": _choice(OPTIMIZERS),
    "lr": _POSITIVE,
    "epochs": _POSITIVE_INT,
    "batch_size": _POSITIVE_INT,
    "weight_decay": _NON_NEGATIVE,
}
# Required only by the variants that use them (checked whenever present, so shared defaults
# in params.yaml may carry them for every variant).
CONDITIONAL = {
    "distance": (_choice(DISTANCES), lambda s: s["head"] == "distance"),
    "margin": (_POSITIVE, lambda s: s["head"] == "distance"),
    "rnn_hidden": (_POSITIVE_INT, lambda s: s["encoder"] == "birnn_conv"),
    "conv_channels": (_POSITIVE_INT, lambda s: s["encoder"] == "birnn_conv"),
}
# Optional, with the default that reproduces the post's code when left out.
OPTIONAL = {
    "lr_schedule": (_choice(LR_SCHEDULES), "constant"),
    "out_bn": (_BOOL, False),  # the original's BatchNorm over the final (concatenated) features
    "input_dim": (_POSITIVE_INT, 300),  # width of the mlp encoder's question vectors
    "bn_test": (_choice(BN_TEST), "running"),
    # SGD only; the defaults are what the study used before these keys existed
    "momentum": (_FRACTION, 0.9),
    "nesterov": (_BOOL, False),
    "lr_decay": (_NON_NEGATIVE, 0.0),  # keras_decay only
}
SPEC_KEYS = frozenset(REQUIRED) | frozenset(CONDITIONAL) | frozenset(OPTIONAL)


def _check(spec: dict, key: str, rule) -> None:
    ok, want = rule
    if not ok(spec[key]):
        raise DlreproError(f"quora spec: {key!r} must be {want}, got {spec[key]!r}")


def validate_spec(spec: dict) -> dict:
    """Check every key (a typo or a wrong type names its key) and fill optional defaults.

    Unknown keys are errors too: a misspelt `residul: true` would otherwise silently train the
    plain network. Returns a new dict; the argument is not modified."""
    if not isinstance(spec, dict):
        raise DlreproError(f"quora spec: expected a mapping, got {type(spec).__name__}")
    unknown = sorted(set(spec) - SPEC_KEYS, key=str)
    if unknown:
        raise DlreproError(f"quora spec: unknown key {unknown[0]!r} (known: {sorted(SPEC_KEYS)})")
    for key, rule in REQUIRED.items():
        if key not in spec:
            raise DlreproError(f"quora spec: missing key {key!r}")
        _check(spec, key, rule)
    for key, (rule, needed) in CONDITIONAL.items():
        if key in spec:
            _check(spec, key, rule)
        elif needed(spec):
            raise DlreproError(
                f"quora spec: missing key {key!r} "
                f"(needed by encoder={spec['encoder']!r}, head={spec['head']!r})"
            )
    out = dict(spec)
    for key, (rule, default) in OPTIONAL.items():
        out.setdefault(key, default)
        _check(out, key, rule)
    return out


# ----------------------------------------------------------------------------- the tower


class TowerLayer(nn.Module):
    """Linear -> [BN] -> (+ skip) -> ReLU -> [BN].

    The skip joins before the ReLU, as in the original (`relu(x + bn(dense(x)))`); it exists
    only between layers of equal width, so the first layer (input -> hidden) never has one."""

    def __init__(self, in_dim: int, out_dim: int, bn: str, residual: bool):
        super().__init__()
        self.linear = nn.Linear(in_dim, out_dim)
        self.bn_before = nn.BatchNorm1d(out_dim) if bn == "before_relu" else None
        self.bn_after = nn.BatchNorm1d(out_dim) if bn == "after_relu" else None
        self.skip = residual and in_dim == out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.linear(x)
        if self.bn_before is not None:
            z = self.bn_before(z)
        if self.skip:
            z = z + x
        h = torch.relu(z)
        if self.bn_after is not None:
            h = self.bn_after(h)
        return h


class Tower(nn.Module):
    """The MLP that maps one question's features to its embedding (shared by both sides).

    `concat` returns all layers' outputs side by side (the post's "layer concat"), so the
    distance sees both shallow and deep features; `unit_norm` projects onto the unit sphere."""

    def __init__(self, in_dim: int, spec: dict):
        super().__init__()
        widths = [in_dim] + [spec["hidden"]] * spec["layers"]
        self.layers = nn.ModuleList(
            TowerLayer(w_in, w_out, spec["bn"], spec["residual"])
            for w_in, w_out in zip(widths[:-1], widths[1:])
        )
        # between layers only: the embedding itself is never dropped out
        self.dropout = nn.Dropout(spec["dropout"]) if spec["dropout"] > 0 else nn.Identity()
        self.concat = spec["concat"]
        self.out_dim = spec["hidden"] * (spec["layers"] if self.concat else 1)
        self.out_bn = nn.BatchNorm1d(self.out_dim) if spec["out_bn"] else None
        self.unit_norm = spec["unit_norm"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = []
        for i, layer in enumerate(self.layers):
            x = layer(self.dropout(x) if i > 0 else x)
            outputs.append(x)
        e = torch.cat(outputs, dim=1) if self.concat else outputs[-1]
        if self.out_bn is not None:
            e = self.out_bn(e)
        if self.unit_norm:
            e = F.normalize(e, dim=1)
        return e


# ----------------------------------------------------------------------------- sequences


class SequenceEncoder(nn.Module):
    """Frozen word vectors -> [BiGRU | Conv1d(k=3) + ReLU], each max-pooled over the words.

    Id 0 means "no vector" (padding or out-of-vocabulary), so the known words are first moved
    to the front in their order and everything else is ignored: the output depends only on the
    sequence of known words, not on where or how much padding there is. The backward GRU reads
    the known words reversed (not the padding first), which is what a packed bidirectional GRU
    does; its outputs need no un-reversing because they are only max-pooled. Two
    unidirectional GRUs have exactly the parameters of one bidirectional GRU.

    Only the known words are computed on: the GRUs run on packed sequences and the convolution
    is a matrix product over each known word's window. The result is that of running both on
    the padded batch and masking the padding, which costs ~3x more here (a batch is as wide as
    its longest question, 40 words, while questions average 12).

    The table is a non-persistent buffer: it is an input of the study (not learned), so saved
    weights stay small; build the model with the same table before loading them."""

    def __init__(self, embeddings: np.ndarray, rnn_hidden: int, conv_channels: int):
        super().__init__()
        table = torch.as_tensor(np.asarray(embeddings, dtype=np.float32))
        self.register_buffer("table", table, persistent=False)
        dim = table.shape[1]
        self.gru_fwd = nn.GRU(dim, rnn_hidden, batch_first=True)
        self.gru_bwd = nn.GRU(dim, rnn_hidden, batch_first=True)
        self.conv = nn.Conv1d(dim, conv_channels, kernel_size=3, padding=1)
        self.out_dim = 2 * rnn_hidden + conv_channels

    @staticmethod
    def known_words(ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(forward ids, reversed ids, mask): known words left-aligned, trimmed to the longest."""
        ids = ids.long()
        known = ids != 0
        lengths = known.sum(dim=1)
        order = torch.argsort((~known).to(torch.int8), dim=1, stable=True)  # known first, in order
        width = max(int(lengths.max()), 1) if len(ids) else 1  # drop all-padding columns
        fwd = ids.gather(1, order)[:, :width]
        t = torch.arange(width, device=ids.device).expand_as(fwd)
        mask = t < lengths[:, None]
        bwd = fwd.gather(1, torch.where(mask, lengths[:, None] - 1 - t, t))
        return fwd, bwd, mask

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if len(ids) == 0:
            return self.table.new_zeros(0, self.out_dim)
        fwd, bwd, mask = self.known_words(ids)
        rows, width = fwd.shape
        # per known word: its conv window [previous, itself, next] (id 0 = the conv's zero
        # padding, as row 0 of the table is zeros), itself reversed, and its [question, word]
        # slot; packed: time-major, longest question first
        prev = F.pad(fwd[:, :-1], (1, 0))
        nxt = F.pad(fwd[:, 1:], (0, 1))
        slot = torch.arange(rows * width, device=ids.device).view(rows, width)
        packed = pack_padded_sequence(
            torch.stack([prev, fwd, nxt, bwd, slot], dim=2),
            mask.sum(dim=1).clamp(min=1).cpu(),  # a question without known words: one id 0
            batch_first=True,
            enforce_sorted=False,
        )
        words = F.embedding(packed.data[:, :4], self.table)  # [words, 4, dim]
        h_fwd, _ = self.gru_fwd(PackedSequence(words[:, 1], packed.batch_sizes))
        h_bwd, _ = self.gru_bwd(PackedSequence(words[:, 3], packed.batch_sizes))
        # Conv1d(k=3) at a word = its weight [out, dim, 3] applied to its window
        window = words[:, :3].flatten(1)
        weight = self.conv.weight.transpose(1, 2).flatten(1)
        c = torch.relu(F.linear(window, weight, self.conv.bias))
        feats = torch.cat([h_fwd.data, h_bwd.data, c], dim=1)
        # max over each question's words: back in [question, word] slots, -inf in the others
        slots = feats.new_full((rows * width, feats.shape[1]), float("-inf"))
        pooled = slots.index_copy(0, packed.data[:, 4], feats).view(rows, width, -1).amax(dim=1)
        # a question with no known word has no features: zeros, not -inf
        return torch.where(mask.any(dim=1, keepdim=True), pooled, torch.zeros_like(pooled))


# ----------------------------------------------------------------------------- heads


def contrastive_loss(d: torch.Tensor, y: torch.Tensor, margin: float) -> torch.Tensor:
    """Hadsell et al. (2006), as in the post's code: pull duplicates together (d^2), push
    others apart until they are `margin` away (max(margin - d, 0)^2); mean over the batch."""
    y = y.to(d.dtype)
    return (y * d.square() + (1 - y) * torch.clamp(margin - d, min=0).square()).mean()


class DistanceHead(nn.Module):
    """The Siamese head: a distance between the two embeddings, duplicate when < margin / 2.

    Cosine distance is 1 - cos, so the same loss and rule apply. code_cosine is the linked
    code's -mean(x * y) of the L2-normalised embeddings, i.e. -cos / width: it lies in
    [-1/width, 1/width], always below 0.5, so every pair is called a duplicate whatever the
    weights. All formulas are symmetric operation by operation: score(a, b) == score(b, a)."""

    def __init__(self, distance: str, margin: float):
        super().__init__()
        self.distance = distance
        self.margin = float(margin)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if self.distance == "euclidean":
            return torch.sqrt(torch.clamp((a - b).square().sum(dim=1), min=EPS))
        if self.distance == "code_cosine":  # Keras' l2_normalize has the same 1e-12 floor
            return -(F.normalize(a, dim=1, eps=1e-12) * F.normalize(b, dim=1, eps=1e-12)).mean(1)
        norms = torch.linalg.vector_norm(a, dim=1) * torch.linalg.vector_norm(b, dim=1)
        return 1 - (a * b).sum(dim=1) / torch.clamp(norms, min=EPS)

    def loss(self, score: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return contrastive_loss(score, y, self.margin)

    def decide(self, score: torch.Tensor) -> torch.Tensor:
        return score < self.margin / 2


class FCHead(nn.Module):
    """The post's update "last layer switched to FC": one logit from [a, b, |a-b|, a*b].

    |a-b| and a*b hand the layer the comparisons a distance would make, so a linear layer can
    learn which dimensions matter instead of weighting them all equally."""

    def __init__(self, embed_dim: int):
        super().__init__()
        self.fc = nn.Linear(4 * embed_dim, 1)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.cat([a, b, (a - b).abs(), a * b], dim=1)).squeeze(1)

    def loss(self, score: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(score, y.to(score.dtype))

    def decide(self, score: torch.Tensor) -> torch.Tensor:
        return score > 0


# ----------------------------------------------------------------------------- the model


class SiameseNet(nn.Module):
    """One encoder + tower applied to both questions (shared weights), then the head.

    The sides go through the tower in separate calls, as in Keras: in training each side's
    BatchNorm sees its own batch, and in eval a row's embedding does not depend on the other
    side, which keeps the distance heads exactly symmetric."""

    def __init__(self, encoder: nn.Module, tower: Tower, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.tower = tower
        self.head = head

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.tower(self.encoder(x))

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(a), self.embed(b))

    def loss(self, score: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.head.loss(score, y)

    def decide(self, score: torch.Tensor) -> torch.Tensor:
        """Boolean "duplicate" from the scores forward returns."""
        return self.head.decide(score)


def _embeddings_for(spec: dict, embeddings) -> np.ndarray | None:
    if spec["encoder"] != "birnn_conv":
        return None
    if embeddings is None:
        raise DlreproError("quora: encoder 'birnn_conv' needs the embeddings table")
    table = np.asarray(embeddings)
    if table.ndim != 2 or len(table) < 2 or not np.issubdtype(table.dtype, np.floating):
        raise DlreproError(
            f"quora: embeddings must be a float [V+1, dim] table with V >= 1, "
            f"got {table.dtype} {table.shape}"
        )
    return table


def build_model(spec: dict, embeddings: np.ndarray | None = None) -> SiameseNet:
    """The network a spec describes; weights drawn from torch's global RNG (seed it first)."""
    spec = validate_spec(spec)
    table = _embeddings_for(spec, embeddings)
    if table is None:
        encoder, in_dim = nn.Identity(), spec["input_dim"]
    else:
        encoder = SequenceEncoder(table, spec["rnn_hidden"], spec["conv_channels"])
        in_dim = encoder.out_dim
    tower = Tower(in_dim, spec)
    if spec["head"] == "fc":
        head = FCHead(tower.out_dim)
    else:
        head = DistanceHead(spec["distance"], spec["margin"])
    return SiameseNet(encoder, tower, head)


@contextmanager
def batch_statistics(model: nn.Module):
    """Inside: every BatchNorm normalises with the statistics of the batch it is given (Keras 1
    BN mode=2 at test time) and leaves its running averages untouched; the rest stays in eval
    mode. The BatchNorms' previous mode is restored on exit."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [(m.training, m.track_running_stats) for m in norms]
    for m in norms:
        m.train()
        m.track_running_stats = False  # train mode without a running-average update
    try:
        yield model
    finally:
        for m, (training, track) in zip(norms, saved):
            m.train(training)
            m.track_running_stats = track


def _batches(n: int, batch_size: int) -> list[tuple[int, int]]:
    """[start, stop) of each batch; a last batch of one row joins the one before it (a
    BatchNorm on batch statistics cannot normalise a single row)."""
    bounds = [(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


@torch.no_grad()
def scores(
    model: SiameseNet, a, b, batch_size: int = 256, bn: str = "running", order_seed=None
) -> torch.Tensor:
    """The model's scores (distances or logits) of every pair, as a CPU tensor in input order.

    bn="running": eval mode (BN running averages), batches of `batch_size`. Batches of 256: the
    GRU on CPU is ~1.4x slower per pair at 1024 (measured with packed sequences), and the
    vector models do not care. bn="batch": BN on each test batch's own statistics (Keras
    mode=2) in batches of KERAS_PREDICT_BATCH, over the pairs in a random order drawn from
    `order_seed` (the linked code predicted on a shuffled test set), returned in input order."""
    if bn not in BN_TEST:
        raise DlreproError(f"quora: bn must be one of {', '.join(BN_TEST)}, got {bn!r}")
    model.eval()
    device = next(model.parameters()).device
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if len(a) != len(b):
        raise DlreproError(f"quora: {len(a)} first questions but {len(b)} second questions")
    if bn == "running":
        out = [
            model(a[i : i + batch_size].to(device), b[i : i + batch_size].to(device))
            for i in range(0, len(a), batch_size)
        ]
        return torch.cat(out).cpu() if out else torch.zeros(0)
    if order_seed is None:
        raise DlreproError("quora: scores with bn='batch' need an order_seed")
    order = torch.randperm(len(a), generator=torch.Generator().manual_seed(order_seed))
    with batch_statistics(model):
        out = [
            model(a[order[i:j]].to(device), b[order[i:j]].to(device))
            for i, j in _batches(len(a), KERAS_PREDICT_BATCH)
        ]
    if not out:
        return torch.zeros(0)
    result = torch.empty(len(a), dtype=out[0].dtype)
    result[order] = torch.cat(out).cpu()
    return result


def predict(
    model: SiameseNet, a, b, batch_size: int = 256, bn: str = "running", order_seed=None
) -> torch.Tensor:
    """0/1 "duplicate" predictions as a CPU LongTensor (see `scores` for bn and order_seed)."""
    s = scores(model, a, b, batch_size=batch_size, bn=bn, order_seed=order_seed)
    return model.decide(s).long() if len(s) else torch.zeros(0, dtype=torch.long)
