"""Train one model variant on question pairs and record its accuracies and learning curve.

The model after the last epoch is the one reported: test accuracy is logged per epoch for
the learning curve only, never used to pick an epoch. A loss that turns NaN/inf stops the
run instead of crashing it, so the study can report the post's "Fail" row as what happened.
"""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import torch
from tqdm import tqdm

from dlrepro.core.determinism import stream_seed
from dlrepro.core.torch_utils import EpochLog, trainable_parameters
from dlrepro.errors import DlreproError
from dlrepro.studies.quora import models

STEP_GAMMA = 0.1  # "step" schedule: lr x 0.1 after each third of the epochs


# ----------------------------------------------------------------------------- data


def input_keys(spec: dict) -> tuple[str, str]:
    """The two question arrays a variant reads: word ids for sequences, else mean vectors."""
    return ("q1_ids", "q2_ids") if spec["encoder"] == "birnn_conv" else ("q1", "q2")


def _check_data(spec: dict, data: dict) -> None:
    """Shape and dtype errors as DlreproError, before any training time is spent."""
    k1, k2 = input_keys(spec)
    for key in (k1, k2, "y", "is_train"):
        if key not in data:
            raise DlreproError(f"quora data: missing {key!r} (have {sorted(data)})")
    n = len(data["y"])
    for key in (k1, k2, "is_train"):
        if len(data[key]) != n:
            raise DlreproError(f"quora data: {key!r} has {len(data[key])} rows, 'y' has {n}")
    if np.asarray(data["is_train"]).dtype != bool:
        raise DlreproError("quora data: 'is_train' must be boolean")
    labels = np.asarray(data["y"])
    if not np.isin(labels, (0, 1)).all():
        raise DlreproError("quora data: 'y' must be 0/1")
    for key in (k1, k2):
        _check_questions(spec, key, np.asarray(data[key]))
    train = np.asarray(data["is_train"])
    if train.all() or not train.any():
        raise DlreproError("quora data: need both training and test pairs")


def _check_questions(spec: dict, key: str, x: np.ndarray) -> None:
    """Vectors: [n, input_dim] and finite (a NaN input would pass for a diverged run).
    Word ids: integer [n, max_len]."""
    if spec["encoder"] == "birnn_conv":
        if x.ndim != 2 or not np.issubdtype(x.dtype, np.integer):
            raise DlreproError(
                f"quora data: {key!r} must be integer [n, max_len], got {x.dtype} {x.shape}"
            )
        return
    if x.ndim != 2 or x.shape[1] != spec["input_dim"]:
        raise DlreproError(f"quora data: {key!r} must be [n, {spec['input_dim']}], got {x.shape}")
    if not np.isfinite(x).all():
        raise DlreproError(f"quora data: {key!r} has NaN/inf values")


def _check_ids(spec: dict, data: dict, embeddings) -> None:
    """Word ids must index the table: out of range is an IndexError on CPU and a device-side
    assert (which kills the CUDA context) on GPU."""
    if spec["encoder"] != "birnn_conv" or embeddings is None:
        return
    rows = len(embeddings)
    for key in input_keys(spec):
        ids = np.asarray(data[key])
        if ids.size and (ids.min() < 0 or ids.max() >= rows):
            raise DlreproError(
                f"quora data: {key!r} ids must be in [0, {rows - 1}] "
                f"(rows of the embeddings table), got [{ids.min()}, {ids.max()}]"
            )


def to_tensors(spec: dict, data: dict, device: torch.device, embeddings=None) -> dict[str, tuple]:
    """{"train": (a, b, y), "test": (a, b, y)}, checked, converted and moved to `device` once.

    Word ids stay in their (int32) dtype: the encoder widens them per batch, which keeps
    the resident copy half the size."""
    _check_data(spec, data)
    _check_ids(spec, data, embeddings)
    k1, k2 = input_keys(spec)
    train = torch.from_numpy(np.asarray(data["is_train"], dtype=bool))

    def tensor(key: str) -> torch.Tensor:
        arr = np.asarray(data[key])
        if key in ("q1", "q2"):
            arr = arr.astype(np.float32, copy=False)
        elif key == "y":
            arr = arr.astype(np.int64, copy=False)
        return torch.from_numpy(np.ascontiguousarray(arr))

    a, b, y = tensor(k1), tensor(k2), tensor("y")
    return {
        "train": (a[train].to(device), b[train].to(device), y[train].to(device)),
        "test": (a[~train].to(device), b[~train].to(device), y[~train].to(device)),
    }


# ----------------------------------------------------------------------------- optimiser


def make_optimiser(spec: dict, model: torch.nn.Module):
    """Adam (the post's choice) or SGD + (Nesterov) momentum, with an optional lr schedule.

    Adam is AdamW, as in core.torch_utils: with weight_decay = 0 it is exactly Adam. Every
    schedule steps once per epoch except keras_decay, which steps after every batch (see
    `steps_per_batch`): Keras 1's SGD(decay=d) uses lr / (1 + d * updates so far)."""
    params = [p for p in model.parameters() if p.requires_grad]
    if spec["optimizer"] == "adam":
        opt = torch.optim.AdamW(params, lr=spec["lr"], weight_decay=spec["weight_decay"])
    else:
        opt = torch.optim.SGD(
            params,
            lr=spec["lr"],
            momentum=spec["momentum"],
            nesterov=spec["nesterov"],
            weight_decay=spec["weight_decay"],
        )
    if spec["lr_schedule"] == "keras_decay":
        decay = spec["lr_decay"]
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda updates: 1 / (1 + decay * updates))
    elif spec["lr_schedule"] == "step":
        step = max(1, spec["epochs"] // 3)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step, gamma=STEP_GAMMA)
    elif spec["lr_schedule"] == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=spec["epochs"])
    else:
        sched = None
    return opt, sched


def steps_per_batch(spec: dict) -> bool:
    """Whether the lr schedule steps after every batch (Keras' decay) rather than every epoch."""
    return spec["lr_schedule"] == "keras_decay"


# ----------------------------------------------------------------------------- the loop


def order_seed(seed: int) -> int:
    """The seed of the test order for BN batch statistics (a run's stream, as the batches')."""
    return stream_seed(seed, "quora", "bn_batch_order")


def accuracy(model: models.SiameseNet, split: tuple, bn: str = "running", seed: int = 0) -> float:
    """Share of correct "duplicate" calls; bn and seed as models.scores (bn, order_seed)."""
    a, b, y = split
    order = order_seed(seed) if bn == "batch" else None
    return float((models.predict(model, a, b, bn=bn, order_seed=order) == y.cpu()).double().mean())


def run_epoch(
    model, optimiser, split: tuple, perm: torch.Tensor, batch_size: int, per_batch=None
) -> float | None:
    """One pass over shuffled mini-batches; the mean loss, or None when it turned NaN/inf.

    The step on a non-finite loss is not taken, so the model is left as it was just before.
    A last batch of one pair is skipped: BatchNorm cannot normalise a single example.
    `per_batch`, when given, is called after every optimiser step (a per-update lr schedule)."""
    a, b, y = split
    model.train()
    total, seen = 0.0, 0
    for start in range(0, len(perm), batch_size):
        idx = perm[start : start + batch_size]
        if len(idx) < 2:
            continue
        optimiser.zero_grad()
        loss = model.loss(model(a[idx], b[idx]), y[idx])
        value = loss.item()
        if not math.isfinite(value):
            return None
        loss.backward()
        optimiser.step()
        if per_batch is not None:
            per_batch()
        total += value * len(idx)
        seen += len(idx)
    return total / max(seen, 1)


def fit(model, spec: dict, splits: dict, seed: int, desc: str) -> tuple[list[dict], int | None]:
    """Train for spec["epochs"]; returns (history rows, epoch where the loss diverged or None)."""
    optimiser, scheduler = make_optimiser(spec, model)
    per_batch = scheduler.step if scheduler is not None and steps_per_batch(spec) else None
    bn = spec["bn_test"]
    train = splits["train"]
    device = train[0].device
    # CPU generator: the same batch order on any device
    order = torch.Generator().manual_seed(stream_seed(seed, "quora", "batches"))
    history = []
    # progress bar on terminals only (disable=None), so logs stay readable
    for epoch in tqdm(
        range(1, spec["epochs"] + 1), desc=desc, unit="epoch", leave=False, disable=None
    ):
        perm = torch.randperm(len(train[0]), generator=order).to(device)
        loss = run_epoch(model, optimiser, train, perm, spec["batch_size"], per_batch)
        if loss is None:
            return history, epoch
        if scheduler is not None and per_batch is None:
            scheduler.step()
        row = asdict(EpochLog(epoch, loss, accuracy(model, train, bn, seed)))
        history.append({**row, "test_acc": accuracy(model, splits["test"], bn, seed)})
    return history, None


def test_scores(pred: torch.Tensor, y: torch.Tensor) -> dict:
    """Accuracy, the share called duplicate, and the linked code's number: its `compute_accuracy`
    was `labels[distance < 0.5].mean()`, the precision of the "duplicate" calls (None when
    there are none). From 0/1 predictions and 0/1 labels of the same pairs."""
    positives = pred == 1
    return {
        "test_acc": float((pred == y).double().mean()),
        "test_positive_rate": float(positives.double().mean()),
        "test_precision": float(y[positives].double().mean()) if positives.any() else None,
    }


def majority_accuracy(splits: dict) -> float:
    """Test accuracy of calling every pair the training set's majority class ("all zeros")."""
    majority = int(splits["train"][2].double().mean() > 0.5)
    return float((splits["test"][2].cpu() == majority).double().mean())


def evaluate(model, splits: dict, train_acc: float | None = None, bn="running", seed=0) -> dict:
    """Accuracies, the post's "all zeros" baseline, and the original script's precision.

    We report accuracy and precision (see `test_scores`) so the study can say which one the
    post's numbers match. `train_acc` of the same model may be passed in: on the training set
    of the sequence model it costs a third of an epoch on CPU. bn, seed: as `accuracy`."""
    if train_acc is None:
        train_acc = accuracy(model, splits["train"], bn, seed)
    a, b, y = splits["test"]
    order = order_seed(seed) if bn == "batch" else None
    scores = test_scores(models.predict(model, a, b, bn=bn, order_seed=order), y.cpu())
    return {
        "train_acc": train_acc,
        "test_acc": scores["test_acc"],
        "trainable_params": trainable_parameters(model),
        "test_majority_acc": majority_accuracy(splits),
        "test_positive_rate": scores["test_positive_rate"],  # share predicted duplicate
        "test_precision": scores["test_precision"],
    }


def train_variant(spec: dict, data: dict, seed: int, device: torch.device, embeddings=None):
    """Build, train and score one variant. Returns (model on CPU, metrics, history rows).

    metrics also carry "diverged" (bool) and "diverged_epoch" (int or None); a diverged model
    is scored as it stood when its loss turned non-finite (that step is not taken)."""
    spec = models.validate_spec(spec)
    splits = to_tensors(spec, data, device, embeddings)
    torch.manual_seed(seed)  # weight init
    model = models.build_model(spec, embeddings).to(device)
    desc = f"quora {spec['encoder']}/{spec['head']}"
    history, diverged_epoch = fit(model, spec, splits, seed, desc)
    last_train_acc = history[-1]["train_acc"] if history and diverged_epoch is None else None
    metrics = evaluate(model, splits, last_train_acc, spec["bn_test"], seed)
    metrics["diverged"] = diverged_epoch is not None
    metrics["diverged_epoch"] = diverged_epoch
    return model.cpu(), metrics, history
