"""Fit one model on the split and record its parameter count and accuracies."""

from __future__ import annotations

import numpy as np

from dlrepro.core import io
from dlrepro.core.determinism import stream_seed
from dlrepro.studies.slash import models

SPLIT_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_split(path) -> dict[str, np.ndarray]:
    return io.read_npz(path, SPLIT_KEYS)


def fit_sklearn(name: str, hp: dict, split: dict, seed: int) -> dict:
    model = models.make_sklearn(name, hp, stream_seed(seed, "slash", name))
    flat = {k: v.reshape(len(v), -1) if k.startswith("x") else v for k, v in split.items()}
    model.fit(flat["x_train"], flat["y_train"])
    return {
        "trainable_params": models.stored_parameters(model),
        "train_acc": float(model.score(flat["x_train"], flat["y_train"])),
        "test_acc": float(model.score(flat["x_test"], flat["y_test"])),
    }


def train_cnn(name: str, hp: dict, split: dict, seed: int, device):
    """Returns (model, metrics, history rows)."""
    import torch

    from dlrepro.core.torch_utils import (
        accuracy,
        train_binary_classifier,
        trainable_parameters,
    )

    model_seed = stream_seed(seed, "slash", name)
    torch.manual_seed(model_seed)  # weight init
    model = models.make_cnn(name, hp)
    as_tensor = lambda a: torch.from_numpy(a).unsqueeze(1)  # noqa: E731  (n, 1, H, W)
    x_train, x_test = as_tensor(split["x_train"]), as_tensor(split["x_test"])
    y_train, y_test = torch.from_numpy(split["y_train"]), torch.from_numpy(split["y_test"])
    history = train_binary_classifier(
        model,
        x_train,
        y_train,
        epochs=hp["epochs"],
        batch_size=hp["batch_size"],
        lr=hp["lr"],
        weight_decay=hp["weight_decay"],
        seed=model_seed,
        device=device,
        desc=name,
    )
    metrics = {
        "trainable_params": trainable_parameters(model),
        "train_acc": accuracy(model, x_train, y_train),
        "test_acc": accuracy(model, x_test, y_test),
    }
    return model.cpu(), metrics, history
