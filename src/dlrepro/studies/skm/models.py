"""A Smooth Kernel Machine output layer, as inferred from the post's teaser, on the adversarial
study's ConvNet feature extractor; the K-way softmax baseline is that ConvNet unchanged.

SKM head (our reading): m learned centres per class c_kj in feature space and an RBF kernel
k(f, c) = exp(-gamma ||f - c||^2) with a learned gamma. Class k's kernel mass is
s_k(f) = mean_j k(f, c_kj) in (0, 1]. Class probabilities are p_k = s_k / (b + sum_j s_j) with a
fixed background mass b: the head outputs the K + 1 logits (log s_1, ..., log s_K, log b), so
the shared cross-entropy loop trains it (no target is ever the background). Without b only
ratios of masses are trained and the absolute mass means nothing (tried: noise images then got
more mass than digits); with it, a training digit must have mass well above b. Its built-in
confidence is max_k s_k (kept as a log): high near a centre of the predicted class, low far from
every centre (where softmax probabilities can still be ~1); 1 - sum_k p_k is the background share."""

from __future__ import annotations

import math

import torch
from torch import nn

from dlrepro.classifier.convnet import N_CLASSES, ConvNet
from dlrepro.classifier.train import predict_proba
from dlrepro.errors import DlreproError
from dlrepro.studies.skm import HEADS


class SKMHead(nn.Module):
    def __init__(self, features: int, centres_per_class: int, gamma: float, background: float):
        super().__init__()
        if centres_per_class < 1 or gamma <= 0 or background <= 0:
            raise DlreproError(
                f"SKMHead: need centres_per_class >= 1, gamma > 0 and background > 0,"
                f" got {centres_per_class}, {gamma}, {background}"
            )
        self.m = centres_per_class
        self.log_background = math.log(background)
        # centres start in the positive orthant where the (post-ReLU) features live
        self.centres = nn.Parameter(torch.rand(N_CLASSES * centres_per_class, features))
        self.log_gamma = nn.Parameter(torch.tensor(math.log(gamma)))

    def log_mass(self, f: torch.Tensor) -> torch.Tensor:
        """log s_k(f) [B, K]: log of the mean kernel value over class k's centres."""
        # squared distances [B, K*m] by the expansion (one matmul; clamp the rounding below 0)
        d2 = (
            f.square().sum(1, keepdim=True) - 2 * f @ self.centres.T + self.centres.square().sum(1)
        ).clamp_min(0)
        log_k = (-self.log_gamma.exp() * d2).view(len(f), N_CLASSES, self.m)
        return torch.logsumexp(log_k, dim=2) - math.log(self.m)

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        """K + 1 logits: log s_k per class, then log b (softmax: s_k / (b + sum s), b / ...)."""
        log_s = self.log_mass(f)
        return torch.cat([log_s, log_s.new_full((len(f), 1), self.log_background)], dim=1)


class SKMNet(ConvNet):
    """The ConvNet with its dense K-way output replaced by an SKM head. The body is built first
    under the same seed, so both heads start from the same feature extractor."""

    def __init__(
        self,
        conv1: int,
        conv2: int,
        hidden: int,
        dropout: float,
        *,
        centres_per_class: int,
        gamma: float,
        background: float,
        kernel: int = 5,
    ):
        super().__init__(conv1, conv2, hidden, dropout, kernel)
        self.head = SKMHead(hidden, centres_per_class, gamma, background)

    @torch.no_grad()
    def log_kernel_confidence(self, x: torch.Tensor) -> torch.Tensor:
        """log max_k s_k(f(x)) <= 0, eval mode (logs: far from every centre s underflows)."""
        self.eval()
        return self.head.log_mass(self.features(x)).max(dim=1).values


def build(head: str, model: dict, skm: dict) -> ConvNet:
    if head == "softmax":
        return ConvNet(**model)
    if head == "skm":
        return SKMNet(**model, **skm)
    raise DlreproError(f"unknown head {head!r}; choose from {HEADS}")


def class_proba(model: nn.Module, x: torch.Tensor):
    """(class probabilities [N, K] summing to 1, background share [N]). For the SKM these are
    s_k / sum_j s_j (given that x is a digit, as a K-way softmax assumes) and b / (b + sum s);
    for the softmax head the background share is 0."""
    probs = predict_proba(model, x)
    background = probs[:, N_CLASSES:].sum(1)
    classes = probs[:, :N_CLASSES]
    return classes / classes.sum(1, keepdims=True), background
