"""The semi-supervised model: Kingma et al.'s M2 (2014) with the class as a Gumbel-softmax latent
on unlabelled images (as Jang et al. 2016, section 4.3), and its classifier q(y|x) alone as the
supervised baseline. Small MLPs on downsampled MNIST; pixel intensities in [0, 1] are the
Bernoulli likelihood's targets."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from dlrepro.errors import DlreproError

CLASSES = 10


def gumbel_softmax(logits: torch.Tensor, tau: float, generator=None) -> torch.Tensor:
    """A relaxed one-hot sample per row: softmax((logits + g) / tau), g standard Gumbel."""
    if tau <= 0:
        raise DlreproError(f"gumbel_softmax: the temperature must be > 0, got {tau}")
    u = torch.rand(logits.shape, generator=generator, dtype=logits.dtype, device=logits.device)
    g = -torch.log(-torch.log(u.clamp_min(torch.finfo(logits.dtype).tiny)))
    return torch.softmax((logits + g) / tau, dim=-1)


def classifier(inputs: int, hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, CLASSES))


class M2(nn.Module):
    """q(y|x) (the classifier), q(z|x,y) Gaussian, p(x|y,z) Bernoulli, p(z) = N(0, I),
    p(y) uniform."""

    def __init__(self, inputs: int, hidden: int, latent: int):
        super().__init__()
        self.classify = classifier(inputs, hidden)
        self.encode = nn.Sequential(
            nn.Linear(inputs + CLASSES, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent)
        )
        self.decode = nn.Sequential(
            nn.Linear(latent + CLASSES, hidden), nn.ReLU(), nn.Linear(hidden, inputs)
        )

    def negative_elbo(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """-ELBO(x, y) per row for a (one-hot or relaxed) class vector y: reconstruction + KL(z)
        + log K (the uniform prior on y)."""
        mu, logvar = self.encode(torch.cat([x, y], 1)).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        recon = F.binary_cross_entropy_with_logits(
            self.decode(torch.cat([z, y], 1)), x, reduction="none"
        ).sum(1)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
        return recon + kl + math.log(CLASSES)

    def labelled_loss(self, x, y, alpha: float) -> torch.Tensor:
        onehot = F.one_hot(y, CLASSES).to(x.dtype)
        return self.negative_elbo(x, onehot).mean() + alpha * F.cross_entropy(self.classify(x), y)

    def unlabelled_loss(self, x, tau: float) -> torch.Tensor:
        """-ELBO with y ~ Gumbel-softmax(q(y|x)) in place of M2's sum over the 10 classes (one
        decoder pass instead of ten), minus the entropy of q(y|x)."""
        logits = self.classify(x)
        y = gumbel_softmax(logits, tau)
        log_q = torch.log_softmax(logits, 1)
        entropy = -(log_q.exp() * log_q).sum(1)
        return (self.negative_elbo(x, y) - entropy).mean()
