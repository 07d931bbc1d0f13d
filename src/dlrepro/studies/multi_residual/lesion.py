"""Veit's lesion test: delete one block at test time and measure test accuracy."""

from __future__ import annotations

import torch

from dlrepro.classifier.train import accuracy, predict_proba
from dlrepro.studies.multi_residual.models import BlockNet


def test_accuracy(model: BlockNet, x: torch.Tensor, y: torch.Tensor) -> float:
    return accuracy(predict_proba(model, x).argmax(1), y.numpy())


def accuracy_without_each_block(model: BlockNet, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Test accuracy with block i deleted (the identity in its place), for every block i."""
    out = []
    try:
        for i in range(model.n_blocks):
            model.deleted = frozenset({i})
            out.append(test_accuracy(model, x, y))
    finally:
        model.deleted = frozenset()
    return out
