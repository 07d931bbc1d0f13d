"""Unit tests of the kernels study: effective kernels of stacked convolutions (exact, property
based), the structure statistic, kernel mosaics, deterministic GIF bytes, and a tiny training
run with per-epoch snapshots through the shared training loop."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from dlrepro.classifier.mnist import as_images
from dlrepro.classifier.train import train_classifier
from dlrepro.core.determinism import configure_torch
from dlrepro.studies.kernels.effective import (
    compose,
    linear_stack_error,
    neighbour_correlation,
)
from dlrepro.studies.kernels.figures import (
    as_rows,
    gif_bytes,
    gif_frames,
    mosaic,
    palette,
)
from dlrepro.studies.kernels.models import StackedConvNet


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 4),
    st.booleans(),
    st.integers(0, 2**31 - 1),
)
def test_stack_without_nonlinearity_is_one_correlation(cin, c1, c2, k1, k2, bias, seed):
    g = torch.Generator().manual_seed(seed)
    w1 = torch.randn(c1, cin, k1, k1 + 1, generator=g, dtype=torch.float64)
    w2 = torch.randn(c2, c1, k2, k2, generator=g, dtype=torch.float64)
    b1 = torch.randn(c1, generator=g, dtype=torch.float64) if bias else None
    b2 = torch.randn(c2, generator=g, dtype=torch.float64) if bias else None
    x = torch.randn(2, cin, 12, 13, generator=g, dtype=torch.float64)
    weight, b = compose(w1, b1, w2, b2)
    assert weight.shape == (c2, cin, k1 + k2 - 1, k1 + k2)
    stacked = F.conv2d(F.conv2d(x, w1, b1), w2, b2)
    torch.testing.assert_close(F.conv2d(x, weight, b), stacked, rtol=0, atol=1e-10)


def test_composing_with_an_identity_kernel_is_a_no_op():
    w1 = torch.randn(4, 1, 3, 3, dtype=torch.float64)
    delta = torch.zeros(4, 4, 1, 1, dtype=torch.float64)
    delta[range(4), range(4)] = 1.0
    weight, bias = compose(w1, None, delta, None)
    torch.testing.assert_close(weight, w1)
    assert torch.count_nonzero(bias) == 0


def test_two_3x3_box_filters_compose_to_the_5x5_tent():
    box = torch.ones(1, 1, 3, 3, dtype=torch.float64)
    weight, _ = compose(box, None, box, None)
    tent = torch.tensor([1.0, 2, 3, 2, 1], dtype=torch.float64)
    torch.testing.assert_close(weight[0, 0], torch.outer(tent, tent))


def test_linear_stack_error_on_the_study_model_is_rounding_noise():
    torch.manual_seed(0)
    model = StackedConvNet(conv1=3, conv2=5)
    assert linear_stack_error(model, torch.rand(3, 1, 28, 28)) < 1e-12
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 10)


def test_neighbour_correlation_separates_smooth_from_checkerboard_kernels():
    yy, xx = np.mgrid[0:3, 0:3]
    smooth = np.stack([xx + 0.1 * i for i in range(4)]).astype(float)
    checker = np.stack([(-1.0) ** (xx + yy) * (i + 1) for i in range(4)])
    assert neighbour_correlation(smooth) > 0.5
    assert neighbour_correlation(checker) < -0.5
    noise = np.random.default_rng(0).standard_normal((2000, 3, 3))
    assert abs(neighbour_correlation(noise)) < 0.05


def test_mosaic_layout_with_blank_padding():
    k = np.arange(5 * 4, dtype=float).reshape(5, 2, 2)
    grid = as_rows(k, 3)
    assert grid.shape == (2, 3, 2, 2) and np.isnan(grid[1, 2]).all()
    m = mosaic(grid)
    assert m.shape == (5, 8)
    np.testing.assert_array_equal(m[0:2, 3:5], k[1])
    assert np.isnan(m[2]).all() and np.isnan(m[:, 2]).all()


def _gif(seed=0):
    snaps = np.random.default_rng(seed).standard_normal((4, 6, 3, 3))
    return gif_bytes(gif_frames(snaps, 4, 5), 250)


def test_gif_bytes_repeat_and_loop_with_fixed_frames():
    data = _gif()
    assert data == _gif() and data != _gif(1)
    image = Image.open(io.BytesIO(data))
    assert image.n_frames == 4 and image.info["loop"] == 0 and image.info["duration"] == 250
    assert image.size == (4 * 3 * 5 + 3 * 5, 2 * 3 * 5 + 5 + 5 // 3)  # kernels + gaps, + bar
    assert len(palette()) == 768


def test_gif_frames_share_one_colour_scale():
    snaps = np.stack([np.full((1, 3, 3), 1.0), np.full((1, 3, 3), -2.0)])
    first, last = gif_frames(snaps, 1, 1)
    # -2 is the scale's minimum (index 0); +1 maps halfway up the positive side
    assert first[0, 0] == round(3 / 4 * 253) and last[0, 0] == 0


def test_training_loop_calls_back_once_per_epoch_with_the_model():
    configure_torch(0, 1)
    rng = np.random.default_rng(0)
    x = as_images(rng.integers(0, 255, (40, 28, 28)).astype(np.uint8))
    y = torch.from_numpy(rng.integers(0, 10, 40))
    torch.manual_seed(0)
    model = StackedConvNet(conv1=2, conv2=3)
    seen = []
    before = model.conv1.weight.detach().clone()
    train_classifier(
        model,
        x,
        y,
        epochs=2,
        batch_size=16,
        lr=1e-2,
        seed=1,
        device=torch.device("cpu"),
        on_epoch=lambda epoch, m: seen.append((epoch, m.conv1.weight.detach().clone())),
    )
    assert [e for e, _ in seen] == [1, 2]
    assert not torch.equal(seen[0][1], before) and not torch.equal(seen[0][1], seen[1][1])
    assert torch.equal(seen[1][1], model.conv1.weight.detach())


@pytest.mark.parametrize("kernel", [3, 5])
def test_model_output_shape_for_other_kernels(kernel):
    assert StackedConvNet(2, 2, kernel=kernel)(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
