"""Torch helpers shared by studies: device choice, parameter counts, a small training loop,
and weights I/O that never unpickles (state_dict + weights_only=True)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from dlrepro.core.io import write_bytes
from dlrepro.errors import DlreproError


def setup(ctx) -> torch.device:
    """Make torch deterministic for this step and pick its device (recorded in provenance)."""
    from dlrepro.core.determinism import configure_torch

    configure_torch(ctx.seed, ctx.threads)
    device = choose_device(ctx.device_setting)
    ctx.device = device_description(device)
    return device


def choose_device(setting: str) -> torch.device:
    """`auto` -> CUDA when present, else CPU. `cuda` without a GPU is an error, not a fallback."""
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if setting == "cuda" and not torch.cuda.is_available():
        raise DlreproError("params: device is 'cuda' but no CUDA device is available")
    return torch.device(setting)


def device_description(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda:{torch.cuda.get_device_name(device)}"
    return "cpu"


def trainable_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@dataclass
class EpochLog:
    epoch: int
    loss: float
    train_acc: float


def train_binary_classifier(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    weight_decay: float = 0.0,
    seed: int,
    device: torch.device,
    desc: str = "train",
) -> list[EpochLog]:
    """AdamW + BCE-with-logits over seeded mini-batches; returns one log row per epoch.

    weight_decay = 0 makes AdamW identical to Adam."""
    model.to(device)
    x, y = x.to(device), y.to(device).float()
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.BCEWithLogitsLoss()
    order = torch.Generator().manual_seed(seed)  # CPU generator: same order on any device
    history = []
    # progress bar on terminals only (disable=None), so logs stay readable
    for epoch in tqdm(range(1, epochs + 1), desc=desc, unit="epoch", leave=False, disable=None):
        model.train()
        perm = torch.randperm(len(x), generator=order).to(device)
        total = 0.0
        for start in range(0, len(x), batch_size):
            idx = perm[start : start + batch_size]
            optimiser.zero_grad()
            loss = loss_fn(model(x[idx]).squeeze(1), y[idx])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(idx)
        history.append(EpochLog(epoch, total / len(x), accuracy(model, x, y)))
    return history


@torch.no_grad()
def predict_binary(model: nn.Module, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    model.eval()
    device = next(model.parameters()).device
    out = [
        model(x[i : i + batch_size].to(device)).squeeze(1) > 0 for i in range(0, len(x), batch_size)
    ]
    return torch.cat(out).long().cpu()


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((predict_binary(model, x) == y.long().cpu()).double().mean())


def save_weights(path: Path | str, model: nn.Module) -> None:
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    torch.save(state, buf)
    write_bytes(path, buf.getvalue())


def _load_error(exc: Exception) -> str:
    """torch's reason in one line, without its advice on how to load the file unsafely."""
    text = " ".join(str(exc).split())
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1].split(" Please use")[0]
        text = text.split(" Check the documentation")[0].strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def load_weights(path: Path | str, model: nn.Module) -> nn.Module:
    """Load a state_dict without executing code; shape or key mismatches are errors.

    weights_only=True unpickles tensors and plain containers only: a file whose pickle asks
    for any other global (os.system, a class...) is refused before anything runs."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for tampered/corrupt files
        raise DlreproError(
            f"{path}: not a loadable weights-only state_dict, refused without "
            f"running any of it ({_load_error(exc)})"
        ) from exc
    if not isinstance(state, dict):
        raise DlreproError(
            f"{path}: not a state_dict (a dict of named tensors) but a {type(state).__name__}"
        )
    for key, value in state.items():
        if not (isinstance(key, str) and isinstance(value, torch.Tensor)):
            raise DlreproError(
                f"{path}: not a state_dict (a dict of named tensors): entry "
                f"{key!r} is a {type(value).__name__}"
            )
    try:
        model.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError) as exc:
        raise DlreproError(f"{path}: weights do not fit {type(model).__name__}: {exc}") from exc
    return model
