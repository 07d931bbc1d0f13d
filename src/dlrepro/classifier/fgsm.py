"""Fast gradient sign method (Goodfellow et al. 2015), as cleverhans' FastGradientMethod with
ord=inf, clip_min=0, clip_max=1: x_adv = clip(x + eps * sign(d CE(model(x), y) / d x), 0, 1).

Labels: y=None uses the model's own predictions, as cleverhans does when no labels are given
("to avoid label leaking", Kurakin et al. 2016); pass the true labels to attack those instead."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from dlrepro.errors import DlreproError


def perturb(model: nn.Module, x: torch.Tensor, y: torch.Tensor | None, eps: float) -> torch.Tensor:
    """FGSM of one batch already on the model's device, in the model's current mode; y=None:
    the model's predictions (from the same forward pass).

    Only the input gradient is taken (torch.autograd.grad), so parameters' .grad stay as they
    were and no weight gradients are even computed."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        logits = model(x)
        target = logits.detach().argmax(1) if y is None else y
        # summed loss, as cleverhans: the sign is scale-free but a mean could underflow to 0
        loss = F.cross_entropy(logits, target, reduction="sum")
        (grad,) = torch.autograd.grad(loss, x)
    return (x.detach() + eps * grad.sign()).clamp_(0.0, 1.0)


def fgsm(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor | None, eps: float, batch_size: int = 1000
) -> torch.Tensor:
    """Adversarials of `x` (detached CPU float32, same shape), computed in eval mode (no
    dropout) and batched; the model's train/eval mode is restored afterwards. eps = 0 -> x.
    y: the labels whose loss is increased; None -> the model's own predictions (cleverhans)."""
    if eps < 0:
        raise DlreproError(f"fgsm: eps must be >= 0, got {eps}")
    if y is not None and len(x) != len(y):
        raise DlreproError(f"fgsm: {len(x)} inputs but {len(y)} labels")
    if eps == 0 or len(x) == 0:
        return x.detach().to("cpu", torch.float32).clone()
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        out = [
            perturb(
                model,
                x[i : i + batch_size].to(device, torch.float32),
                None if y is None else y[i : i + batch_size].to(device).long(),
                eps,
            ).cpu()
            for i in range(0, len(x), batch_size)
        ]
    finally:
        model.train(was_training)
    return torch.cat(out)
