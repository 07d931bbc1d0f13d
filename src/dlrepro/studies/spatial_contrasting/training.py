"""Unsupervised pretraining with the spatial contrasting loss, held-out triplet accuracy, a
linear probe on frozen features, and fine-tuning on the labelled images."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlrepro.studies.spatial_contrasting.models import distance_ratio_loss, distances
from dlrepro.studies.spatial_contrasting.patches import sample_triplets, triplet_patches


def pretrain(
    encoder: nn.Module,
    images: torch.Tensor,
    *,
    steps: int,
    batch_size: int,
    patch: int,
    lr: float,
    rng: np.random.Generator,
    device: torch.device,
) -> list[float]:
    """Adam on the distance-ratio loss over fresh patch triplets each step; the loss per step."""
    encoder.to(device).train()
    optimiser = torch.optim.Adam(encoder.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        t = sample_triplets(len(images), batch_size, images.shape[-1], patch, rng)
        a, p, n = (x.to(device) for x in triplet_patches(images, t, patch))
        f = encoder(torch.cat([a, p, n]))  # one forward for the three patch batches
        loss = distance_ratio_loss(*distances(*f.split(batch_size)))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    return losses


@torch.no_grad()
def triplet_scores(encoder: nn.Module, images: torch.Tensor, t: dict, patch: int) -> dict:
    """On fixed triplets: the fraction whose positive is nearer the anchor than the negative,
    and the mean spatial contrasting loss."""
    encoder.eval()
    device = next(encoder.parameters()).device
    d_pos, d_neg = distances(*(encoder(x.to(device)) for x in triplet_patches(images, t, patch)))
    return {
        "accuracy": float((d_pos < d_neg).double().mean()),
        "loss": float(distance_ratio_loss(d_pos, d_neg)),
    }


@torch.no_grad()
def features(encoder: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    encoder.eval()
    device = next(encoder.parameters()).device
    return torch.cat(
        [encoder(x[i : i + batch_size].to(device)).cpu() for i in range(0, len(x), batch_size)]
    ).numpy()


def linear_probe(encoder: nn.Module, x_fit, y_fit, evaluate: dict) -> dict[str, float]:
    """Logistic regression on the frozen encoder's standardised features of (x_fit, y_fit);
    accuracy on each {name: (x, y)} of `evaluate`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    probe.fit(features(encoder, x_fit), y_fit.numpy())
    return {
        name: float((probe.predict(features(encoder, x)) == y.numpy()).mean())
        for name, (x, y) in evaluate.items()
    }
