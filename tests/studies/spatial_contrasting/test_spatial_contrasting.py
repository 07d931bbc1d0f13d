"""Unit tests of the spatial contrasting study: the patch-triplet sampler, the crop, the loss,
the loss windows and the gains (exact small cases, seconds)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlrepro.classifier.labels import balanced_indices
from dlrepro.errors import DlreproError
from dlrepro.studies.spatial_contrasting.cli import gains
from dlrepro.studies.spatial_contrasting.models import (
    Classifier,
    Encoder,
    distance_ratio_loss,
    distances,
)
from dlrepro.studies.spatial_contrasting.patches import crop, sample_triplets, triplet_patches
from dlrepro.studies.spatial_contrasting.summary import loss_windows


def _draw(seed=0, n=5, count=4000, size=28, patch=12):
    return sample_triplets(n, count, size, patch, np.random.default_rng(seed))


def test_negative_never_comes_from_the_anchors_image_and_covers_the_others():
    t = _draw(n=3)
    assert (t["negative_image"] != t["anchor_image"]).all()
    for a in range(3):  # every other image is drawn as a negative of anchor a
        assert set(t["negative_image"][t["anchor_image"] == a]) == set(range(3)) - {a}


def test_two_images_force_the_other_one():
    t = _draw(n=2, count=100)
    assert (t["negative_image"] == 1 - t["anchor_image"]).all()


def test_patches_lie_inside_the_image_and_reach_every_position():
    t = _draw(size=10, patch=4, count=3000)
    for key in ("anchor_corner", "positive_corner", "negative_corner"):
        c = t[key]
        assert c.min() == 0 and c.max() == 10 - 4  # corner + patch <= image side, all reached
    images = torch.arange(5 * 100, dtype=torch.float32).view(5, 1, 10, 10)
    for p in triplet_patches(images, t, 4):
        assert p.shape == (3000, 1, 4, 4)


def test_sampler_is_deterministic_given_the_seed():
    a, b, c = _draw(seed=1), _draw(seed=1), _draw(seed=2)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["anchor_image"], c["anchor_image"])


def test_sampler_refuses_bad_input():
    with pytest.raises(DlreproError, match="at least 2 images"):
        _draw(n=1)
    with pytest.raises(DlreproError, match="patch size"):
        _draw(patch=29)


def test_crop_takes_the_pixels_at_the_corner():
    images = torch.arange(2 * 2 * 6 * 6, dtype=torch.float32).view(2, 2, 6, 6)
    out = crop(images, np.array([1, 0]), np.array([[2, 3], [0, 0]]), 3)
    assert torch.equal(out[0], images[1, :, 2:5, 3:6])
    assert torch.equal(out[1], images[0, :, 0:3, 0:3])


def test_anchor_and_positive_come_from_one_image_the_negative_from_another():
    # each image is constant (its index): patch values name the image they came from
    images = torch.arange(7, dtype=torch.float32).view(7, 1, 1, 1).expand(7, 1, 28, 28)
    t = _draw(n=7, count=500)
    a, p, n = triplet_patches(images, t, 12)
    assert torch.equal(a, p)
    assert (a[:, 0, 0, 0] != n[:, 0, 0, 0]).all()
    assert torch.equal(a[:, 0, 0, 0], torch.as_tensor(t["anchor_image"], dtype=torch.float32))


def test_distance_ratio_loss_is_the_softmax_over_distances():
    a = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    p = torch.tensor([[3.0, 4.0], [1.0, 1.0]])  # d+ = 5, 0
    n = torch.tensor([[0.0, 1.0], [1.0, 3.0]])  # d- = 1, 2
    d_pos, d_neg = distances(a, p, n)
    assert d_pos.tolist() == [5.0, 0.0] and d_neg.tolist() == [1.0, 2.0]
    expected = np.mean([-math.log(math.exp(-dp) / (math.exp(-dp) + math.exp(-dn)))
                        for dp, dn in ((5, 1), (0, 2))])  # fmt: skip
    assert float(distance_ratio_loss(d_pos, d_neg)) == pytest.approx(expected, rel=1e-6)
    assert float(distance_ratio_loss(torch.ones(3), torch.ones(3))) == pytest.approx(math.log(2))


def test_encoder_maps_patches_and_images_to_one_feature_size():
    torch.manual_seed(0)
    enc = Encoder([4, 8, 6])
    assert enc(torch.zeros(2, 1, 12, 12)).shape == (2, 6)
    assert Classifier(enc)(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_loss_windows_and_gains():
    w = loss_windows([5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0], 0.2)
    assert w == {"loss_first": 4.5, "loss_last": 1.0}
    assert loss_windows([2.0, 1.0], 0.1) == {"loss_first": 2.0, "loss_last": 1.0}
    g = gains({"pretrained": {"test_acc": 0.85}, "scratch": {"test_acc": 0.75}})
    assert g["test_acc"] == pytest.approx(0.1) and g["error_reduction"] == pytest.approx(0.4)


def test_balanced_labels_are_distinct_and_per_class():
    labels = np.repeat(np.arange(3), 5)
    idx = balanced_indices(labels, 2, np.random.default_rng(0))
    assert len(set(idx)) == 6 and np.bincount(labels[idx]).tolist() == [2, 2, 2]
    with pytest.raises(DlreproError, match="class"):
        balanced_indices(labels, 6, np.random.default_rng(0))
