"""MNIST at 14x14 (2x2 average pooling): a quarter of the inputs, so that many nets train in the
study's budget. The last `validation_size` training images are held out of training (they
choose nothing here but measure the path gradients on images the net did not fit)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dlrepro.classifier.mnist import load_mnist
from dlrepro.errors import DlreproError


def small_mnist(path, sizes: dict) -> dict[str, torch.Tensor]:
    n_train, n_val = sizes["train_size"], sizes["validation_size"]
    if n_train + n_val > 60000:
        raise DlreproError(f"small_mnist: train_size + validation_size {n_train + n_val} > 60000")
    d = load_mnist(path, {"train_size": n_train + n_val, "test_size": sizes["test_size"]})
    out = {}
    for split in ("train", "test"):
        out[f"x_{split}"] = F.avg_pool2d(d[f"x_{split}"], 2).flatten(1)
        out[f"y_{split}"] = d[f"y_{split}"]
    out["x_val"], out["y_val"] = out["x_train"][n_train:], out["y_train"][n_train:]
    out["x_train"], out["y_train"] = out["x_train"][:n_train], out["y_train"][:n_train]
    return out
