"""Patch triplets for spatial contrasting: anchor and positive are two random patches of one
image, the negative a random patch of another image (Hoffer, Hubara & Ailon 2016; post 003)."""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.errors import DlreproError


def sample_triplets(
    n_images: int, count: int, image_size: int, patch: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """`count` triplets over images 0..n_images-1: image indices (anchor's = positive's, the
    negative's always another image) and each patch's top-left corner, uniform over the
    positions where a patch x patch square fits inside an image_size x image_size image."""
    if n_images < 2:
        raise DlreproError(f"patch triplets need at least 2 images, got {n_images}")
    if not 1 <= patch <= image_size:
        raise DlreproError(f"patch size {patch} must be in [1, {image_size}]")
    if count < 1:
        raise DlreproError(f"patch triplets: count must be >= 1, got {count}")
    anchor = rng.integers(n_images, size=count)
    # uniform over the other n - 1 images: draw from n - 1 and skip the anchor's index
    other = rng.integers(n_images - 1, size=count)
    negative = other + (other >= anchor)
    corners = rng.integers(image_size - patch + 1, size=(3, count, 2))
    return {
        "anchor_image": anchor,
        "negative_image": negative,
        "anchor_corner": corners[0],
        "positive_corner": corners[1],
        "negative_corner": corners[2],
    }


def crop(images: torch.Tensor, index: np.ndarray, corner: np.ndarray, patch: int) -> torch.Tensor:
    """Patches [count, C, patch, patch] of images [N, C, H, W] at the given top-left corners."""
    rows = torch.as_tensor(corner[:, 0])[:, None] + torch.arange(patch)  # [count, patch]
    cols = torch.as_tensor(corner[:, 1])[:, None] + torch.arange(patch)
    picked = images[torch.as_tensor(index)]  # [count, C, H, W]
    i = torch.arange(len(index))[:, None, None]
    # advanced indexing: [count, patch, patch, C] -> channels first
    return picked.permute(0, 2, 3, 1)[i, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


def triplet_patches(images: torch.Tensor, t: dict, patch: int) -> tuple[torch.Tensor, ...]:
    """(anchor, positive, negative) patch batches of a sample_triplets draw."""
    return (
        crop(images, t["anchor_image"], t["anchor_corner"], patch),
        crop(images, t["anchor_image"], t["positive_corner"], patch),
        crop(images, t["negative_image"], t["negative_corner"], patch),
    )
