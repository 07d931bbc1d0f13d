"""MNIST standardised with the training subset's pixel mean and std (one number each), so the
first layer sees inputs of mean 0 and variance 1 overall, as SELU's fixed point assumes."""

from __future__ import annotations

import torch

from dlrepro.classifier.mnist import load_mnist


def standardised_mnist(path, sizes: dict) -> dict[str, torch.Tensor]:
    d = load_mnist(path, sizes)
    mean = d["x_train"].double().mean()
    std = d["x_train"].double().std()
    for split in ("x_train", "x_test"):
        d[split] = ((d[split].double() - mean) / std).float()
    return d
