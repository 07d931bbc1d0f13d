"""Training (plain or FGSM-adversarial), prediction, hidden features, accuracy.

Determinism: the caller seeds torch (dlrepro.core.torch_utils.setup / configure_torch, then
torch.manual_seed(member seed) before building the model). Weight init and dropout masks come
from torch's global generator; the mini-batch order from a CPU generator seeded with `seed`, so
it is the same on any device. Same seed + same thread count -> bit-identical weights on CPU."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from dlrepro.classifier.fgsm import perturb
from dlrepro.errors import DlreproError


def train_classifier(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    device: torch.device,
    adversarial_eps: float | None = None,
    adversarial_weight: float = 0.5,
    desc: str = "train",
    on_epoch: Callable[[int, nn.Module], bool | None] | None = None,
) -> list[dict]:
    """Adam + cross-entropy over seeded mini-batches; one row {epoch, loss, train_acc} per epoch.

    With adversarial_eps: per batch, FGSM adversarials of the batch on the current model (eval
    mode; labels = the model's own predictions, as cleverhans' tutorial generates them), then
    loss = (1 - w) CE(clean, y) + w CE(adversarial, y) in train mode (true labels y in both).
    loss: the epoch's mean training loss per example (the combined loss when adversarial).
    train_acc: running accuracy on the clean batches during the epoch (train mode, dropout on,
    weights still moving): free, and slightly below the end-of-epoch accuracy.
    on_epoch(epoch, model): called after each epoch (e.g. to snapshot weights); must not train.
    If it returns True, training stops after that epoch (e.g. once the training set is fit)."""
    if len(x) != len(y) or len(x) == 0:
        raise DlreproError(f"train_classifier: {len(x)} inputs and {len(y)} labels")
    if adversarial_eps is not None and not 0.0 <= adversarial_weight <= 1.0:
        raise DlreproError(
            f"train_classifier: adversarial_weight must be in [0, 1], got {adversarial_weight}"
        )
    model.to(device)
    x, y = x.to(device, torch.float32), y.to(device).long()
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)  # CPU generator: same order on any device
    w = adversarial_weight
    history = []
    # progress bar on terminals only (disable=None), so logs stay readable
    for epoch in tqdm(range(1, epochs + 1), desc=desc, unit="epoch", leave=False, disable=None):
        model.train()
        perm = torch.randperm(len(x), generator=order).to(device)
        total_loss = torch.zeros((), device=device, dtype=torch.float64)
        correct = torch.zeros((), device=device, dtype=torch.int64)
        for start in range(0, len(x), batch_size):
            idx = perm[start : start + batch_size]
            xb, yb = x[idx], y[idx]
            if adversarial_eps is None:
                logits = model(xb)
                loss = F.cross_entropy(logits, yb)
            else:
                model.eval()
                x_adv = perturb(model, xb, None, adversarial_eps)
                model.train()
                # one forward over clean + adversarial (no batch norm here, so this equals two)
                both = model(torch.cat([xb, x_adv]))
                logits = both[: len(xb)]
                loss = (1 - w) * F.cross_entropy(logits, yb) + w * F.cross_entropy(
                    both[len(xb) :], yb
                )
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            # accumulate on the device: no per-batch host sync
            total_loss += loss.detach().double() * len(idx)
            correct += (logits.detach().argmax(1) == yb).sum()
        history.append(
            {"epoch": epoch, "loss": float(total_loss) / len(x), "train_acc": int(correct) / len(x)}
        )
        if on_epoch is not None and on_epoch(epoch, model):
            break
    return history


@torch.no_grad()
def _batched(fn, model: nn.Module, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    model.eval()
    device = next(model.parameters()).device
    if len(x) == 0:
        return torch.cat([fn(torch.zeros(1, *x.shape[1:], device=device))[:0].float().cpu()])
    return torch.cat(
        [
            fn(x[i : i + batch_size].to(device, torch.float32)).float().cpu()
            for i in range(0, len(x), batch_size)
        ]
    )


def predict_proba(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    """Softmax probabilities float32 [N, 10], eval mode, no grad."""
    return _batched(lambda b: torch.softmax(model(b), dim=1), model, x, batch_size).numpy()


def hidden_features(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    """Last hidden layer activations float32 [N, hidden] (model.features), eval mode."""
    return _batched(model.features, model, x, batch_size).numpy()


def accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    pred, y = np.asarray(pred), np.asarray(y)
    if pred.shape != y.shape or pred.ndim != 1 or len(y) == 0:
        raise DlreproError(
            f"accuracy: predictions {pred.shape} and labels {y.shape} must be "
            f"equal-length non-empty vectors"
        )
    return float(np.mean(pred == y))
