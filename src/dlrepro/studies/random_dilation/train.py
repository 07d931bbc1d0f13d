"""Pretraining the 2D net on frames, training the 3D variants and the frame MLP, evaluation.

The training loop is the adversarial study's `train_classifier` (Adam + cross-entropy over
seeded mini-batches); random dilation needs nothing from it, because every TemporalConv
draws its dilation from the model's own seeded generator at each forward pass (one
mini-batch). Validation accuracy is logged after every epoch for the learning curves; the
test split is only used once, at the end.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlrepro.classifier.train import predict_proba, train_classifier
from dlrepro.studies.random_dilation.models import DILATIONS, BesNet

# Evaluation batch: at 256 clips the stem's activations (100 MB) miss the caches and are
# fresh mmaps each batch; 64 is ~2x faster on CPU (benchmarks/random_dilation_step.py).
EVAL_BATCH = 64


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((predict_proba(model, x, batch_size=EVAL_BATCH).argmax(1) == y.numpy()).mean())


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


def by_stride(model: nn.Module, x, y, stride: np.ndarray) -> dict[str, float]:
    """Test accuracy per frame-rate stride (keys are the strides as strings, for JSON)."""
    pred = predict_proba(model, x, batch_size=EVAL_BATCH).argmax(1)
    correct = pred == y.numpy()
    return {str(s): float(correct[stride == s].mean()) for s in np.unique(stride)}


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
