"""Pretraining the 2D net on frames, training the 3D variants and the frame MLP, evaluation.

The training loop is the adversarial study's `train_classifier` (Adam + cross-entropy over
seeded mini-batches); random dilation needs nothing from it, because every TemporalConv
draws its dilation from the model's own seeded generator at each forward pass (one
mini-batch). Validation accuracy is logged after every epoch for the learning curves; the
test split is only used at the end: as it is, and with the frames of each clip in a random
order (motion removed, context kept: the post's "context vs motion" question).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlrepro.classifier.train import predict_proba, train_classifier
from dlrepro.errors import DlreproError
from dlrepro.studies.random_dilation.data import CLASSES, GROUPS, is_context
from dlrepro.studies.random_dilation.models import DILATIONS, BesNet

# Evaluation batch: at 256 clips the stem's activations (100 MB) miss the caches and are
# fresh mmaps each batch; 64 is ~2x faster on CPU (benchmarks/random_dilation_step.py).
EVAL_BATCH = 64


def correct(model: nn.Module, x, y) -> np.ndarray:
    """Per clip: is the model's top-1 the label."""
    return predict_proba(model, x, batch_size=EVAL_BATCH).argmax(1) == np.asarray(y)


def accuracy(model: nn.Module, x, y) -> float:
    return float(correct(model, x, y).mean())


def fit(
    model: nn.Module, x, y, x_val, y_val, training: dict, seed: int, device, desc: str
) -> list[dict]:
    """Train; one row {epoch, loss, train_acc, val_acc} per epoch."""
    val = []
    history = train_classifier(
        model,
        x,
        y,
        epochs=training["epochs"],
        batch_size=training["batch_size"],
        lr=training["lr"],
        seed=seed,
        device=device,
        desc=desc,
        on_epoch=lambda _, m: val.append(accuracy(m, x_val, y_val)),
    )
    model.cpu()
    return [dict(row, val_acc=v) for row, v in zip(history, val)]


def by_stride(hits: np.ndarray, stride: np.ndarray) -> dict[str, float]:
    """Accuracy per frame-rate stride (keys are the strides as strings, for JSON)."""
    return {str(s): float(hits[stride == s].mean()) for s in np.unique(stride)}


def by_group(hits: np.ndarray, y) -> dict[str, float]:
    """Accuracy on all clips, on the context classes and on the motion classes."""
    context = is_context(y)
    out = {"all": float(hits.mean())}
    for group, mask in zip(GROUPS, (context, ~context)):
        if not mask.any():
            raise DlreproError(f"the test split has no clip of the {group} classes")
        out[group] = float(hits[mask].mean())
    return out


def frame_orders(n: int, frames: int, seed: int) -> np.ndarray:
    """A random order of the frames for each of n clips [n, frames], from `seed`."""
    return np.random.default_rng(seed).permuted(np.tile(np.arange(frames), (n, 1)), axis=1)


def shuffle_frames(x: torch.Tensor, orders: np.ndarray, time_dim: int) -> torch.Tensor:
    """x with the frames of clip i in order orders[i] along `time_dim` (2 both for videos
    [N, 1, T, H, W] and for frame features [N, width, T])."""
    if orders.shape != (x.shape[0], x.shape[time_dim]):
        raise DlreproError(f"frame orders {orders.shape} do not fit clips {tuple(x.shape)}")
    moved = x.movedim(time_dim, 1)
    rows = torch.arange(x.shape[0])[:, None]
    return moved[rows, torch.from_numpy(orders)].movedim(1, time_dim).contiguous()


def evaluate(model: nn.Module, x, y, stride: np.ndarray, orders: np.ndarray) -> dict:
    """Test accuracy: overall, per stride, per class group, per class; and with the frames
    shuffled (overall and per class group)."""
    hits = correct(model, x, y)
    shuffled = correct(model, shuffle_frames(x, orders, 2), y)
    labels = np.asarray(y)
    return {
        "test_acc": float(hits.mean()),
        "test_acc_by_stride": by_stride(hits, stride),
        "test_acc_by_group": by_group(hits, y),
        "test_acc_by_class": {
            name: float(hits[labels == c].mean())
            for c, name in enumerate(CLASSES)
            if (labels == c).any()
        },
        "test_acc_shuffled": by_group(shuffled, y),
    }


def single_dilation_accuracy(model: BesNet, x, y) -> dict[str, float]:
    """A random-dilation model evaluated with one fixed dilation in every layer instead of
    the post's test-time average (an ablation of that average)."""
    out = {}
    convs = model.temporal_convs()
    for d in DILATIONS:
        for conv in convs:
            conv.mode = d
        out[str(d)] = accuracy(model, x, y)
    for conv in convs:
        conv.mode = "random"
    return out
