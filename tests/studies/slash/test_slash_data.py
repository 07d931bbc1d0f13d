"""Unit tests for the Slash generator (make_slash) and its stratified split."""

from __future__ import annotations

import numpy as np
import pytest

from dlrepro.errors import DlreproError
from dlrepro.studies.slash.data import make_slash, stratified_split

SIZE, LENGTH = 30, 4


def _gen(n_per_class, noise, seed=0, size=SIZE, length=LENGTH):
    return make_slash(n_per_class, size, length, noise, np.random.default_rng(seed))


def _dark_pixels(x, length):
    """(n, length, 2) array of (row, col) of the pixels of each image that are dark.

    Requires exactly `length` dark pixels per image (asserted), sorted by row then col.
    """
    dark = x < 0.5
    counts = dark.reshape(len(x), -1).sum(axis=1)
    assert np.all(counts == length), f"dark-pixel counts {np.unique(counts)} != {length}"
    coords = np.argwhere(dark)  # (n*length, 3): image, row, col (row-major order)
    coords = coords.reshape(len(x), length, 3)
    assert np.all(coords[:, :, 0] == np.arange(len(x))[:, None])
    return coords[:, :, 1:]


def _corners(x, y, length):
    """Check the slash geometry and return the top-left corner (r, c) of each bounding box."""
    rc = _dark_pixels(x, length)
    rows, cols = rc[:, :, 0], rc[:, :, 1]
    step = np.arange(length)
    r = rows[:, 0]
    assert np.array_equal(rows, r[:, None] + step), "slash rows are not consecutive"
    c = cols.min(axis=1)
    back = y == 0
    # class 0 (backslash): (r+i, c+i); class 1 (forward slash): (r+i, c+length-1-i)
    assert np.array_equal(cols[back], c[back][:, None] + step)
    assert np.array_equal(cols[~back], c[~back][:, None] + length - 1 - step)
    return r, c


# ----------------------------------------------------------------------------- shapes, dtypes


def test_class_balance_dtypes_and_shapes():
    x, y = _gen(37, 0.25)
    assert x.shape == (74, SIZE, SIZE)
    assert y.shape == (74,)
    assert x.dtype == np.float32
    assert y.dtype == np.int64
    assert set(np.unique(y).tolist()) == {0, 1}
    assert np.count_nonzero(y == 0) == 37
    assert np.count_nonzero(y == 1) == 37


def test_labels_are_shuffled_not_blocked():
    _, y = _gen(200, 0.0)
    # a generator that emits all 0s then all 1s would make a split by position trivial
    assert not np.array_equal(y, np.repeat([0, 1], 200))
    assert 0 < np.count_nonzero(y[:200] == 0) < 200


def test_non_square_shape_other_size_and_length():
    x, y = _gen(5, 0.0, size=12, length=3)
    assert x.shape == (10, 12, 12)
    _corners(x, y, 3)


def test_length_larger_than_size_raises():
    with pytest.raises(DlreproError, match="length"):
        _gen(3, 0.0, size=4, length=5)


# ----------------------------------------------------------------------------- geometry


def test_noise_free_images_are_binary_with_length_dark_pixels():
    x, y = _gen(300, 0.0, seed=1)
    flat = x.reshape(len(x), -1)
    assert np.all((flat == 0.0) | (flat == 1.0))
    assert np.all((flat == 0.0).sum(axis=1) == LENGTH)
    assert np.all((flat == 1.0).sum(axis=1) == SIZE * SIZE - LENGTH)


def test_slash_geometry_noise_free():
    x, y = _gen(300, 0.0, seed=2)
    r, c = _corners(x, y, LENGTH)
    assert np.all((0 <= r) & (r <= SIZE - LENGTH))
    assert np.all((0 <= c) & (c <= SIZE - LENGTH))


def test_backslash_and_slash_are_mirror_images_of_each_other():
    x, y = _gen(50, 0.0, seed=3)
    r, c = _corners(x, y, LENGTH)
    # redraw a class-0 image's pattern mirrored inside its box: it must be a class-1 pattern
    i = int(np.flatnonzero(y == 0)[0])
    box = x[i, r[i] : r[i] + LENGTH, c[i] : c[i] + LENGTH]
    assert np.array_equal(box == 0, np.eye(LENGTH, dtype=bool))
    j = int(np.flatnonzero(y == 1)[0])
    box = x[j, r[j] : r[j] + LENGTH, c[j] : c[j] + LENGTH]
    assert np.array_equal(box == 0, np.fliplr(np.eye(LENGTH, dtype=bool)))


def test_corner_covers_every_position_where_the_slash_fits():
    x, y = _gen(10_000, 0.0, seed=4)
    r, c = _corners(x, y, LENGTH)
    for coord in (r, c):
        assert coord.min() == 0
        assert coord.max() == SIZE - LENGTH
        # every position in 0..size-length occurs (uniform corner, no off-by-one at the edges)
        assert set(np.unique(coord).tolist()) == set(range(SIZE - LENGTH + 1))
    for cls in (0, 1):
        sel = y == cls
        assert r[sel].min() == 0 and r[sel].max() == SIZE - LENGTH
        assert c[sel].min() == 0 and c[sel].max() == SIZE - LENGTH


def test_dark_pixels_touch_every_border_over_a_large_sample():
    # the slash must be able to reach the last row/column (a common off-by-one)
    x, _ = _gen(2_000, 0.0, seed=5)
    dark = x == 0
    assert dark[:, 0, :].any() and dark[:, -1, :].any()
    assert dark[:, :, 0].any() and dark[:, :, -1].any()


# ----------------------------------------------------------------------------- noise


def test_noise_range_and_distribution():
    noise = 0.25
    x, y = _gen(300, noise, seed=6)
    assert np.all((x >= 0.0) & (x <= 1.0))
    slash = x < 0.5  # noise <= 0.25 keeps the two populations apart
    # the slash is still exactly `length` pixels on the right diagonal
    _corners(x, y, LENGTH)
    bg, fg = x[~slash], x[slash]
    assert bg.min() >= 1.0 - noise and bg.max() <= 1.0
    assert fg.min() >= 0.0 and fg.max() <= noise
    # the noise reaches its bounds ...
    assert bg.min() < 1.0 - noise + 0.01
    assert fg.max() > noise - 0.01
    # ... and is symmetric around the clean value: half of it is clipped away
    assert np.mean(bg == 1.0) == pytest.approx(0.5, abs=0.02)
    assert np.mean(fg == 0.0) == pytest.approx(0.5, abs=0.05)
    # uniform in [-noise, 0] for background pixels: mean 1 - noise/4 after clipping
    assert bg.mean() == pytest.approx(1.0 - noise / 4, abs=0.003)
    # unclipped background values are spread over the whole interval, not stuck at one value
    assert np.unique(bg[bg < 1.0]).size > 1000


def test_noise_is_per_pixel_not_per_image():
    x, _ = _gen(5, 0.25, seed=7)
    bg = x[0][x[0] > 0.5]
    assert np.unique(bg).size > 100


# ----------------------------------------------------------------------------- seeding


def test_same_seed_gives_identical_arrays():
    x1, y1 = _gen(50, 0.25, seed=11)
    x2, y2 = _gen(50, 0.25, seed=11)
    assert np.array_equal(x1, x2)
    assert np.array_equal(y1, y2)
    assert x1.tobytes() == x2.tobytes()


def test_different_seed_gives_different_arrays():
    x1, y1 = _gen(50, 0.25, seed=11)
    x2, y2 = _gen(50, 0.25, seed=12)
    assert not np.array_equal(x1, x2)
    assert not np.array_equal(y1, y2)


# ----------------------------------------------------------------------------- split


def _labels(n0, n1, seed=0):
    return np.random.default_rng(seed).permutation(
        np.repeat(np.array([0, 1], dtype=np.int64), [n0, n1])
    )


def test_split_sizes_disjoint_sorted_and_covering():
    y = _labels(500, 500)
    train, test = stratified_split(y, 250, seed=3)
    assert len(test) == 250
    assert len(train) == 750
    assert np.all(np.diff(train) > 0), "train indices not sorted / not unique"
    assert np.all(np.diff(test) > 0), "test indices not sorted / not unique"
    assert np.intersect1d(train, test).size == 0
    assert np.array_equal(np.union1d(train, test), np.arange(len(y)))
    assert np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer)


def test_split_preserves_class_proportions_exactly():
    y = _labels(500, 500, seed=1)
    train, test = stratified_split(y, 250, seed=3)
    assert np.count_nonzero(y[test] == 0) == 125
    assert np.count_nonzero(y[test] == 1) == 125
    assert np.count_nonzero(y[train] == 0) == 375
    assert np.count_nonzero(y[train] == 1) == 375


def test_split_on_generated_data_smoke_scale():
    _, y = _gen(60, 0.25, seed=8)
    train, test = stratified_split(y, 30, seed=5)
    assert len(train) == 90 and len(test) == 30
    assert np.count_nonzero(y[test] == 1) == 15


def test_split_is_deterministic_in_its_seed():
    y = _labels(100, 100)
    a = stratified_split(y, 50, seed=9)
    b = stratified_split(y, 50, seed=9)
    c = stratified_split(y, 50, seed=10)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("test_size", [0, -5, 1000, 1001])
def test_split_invalid_test_size_raises(test_size):
    y = _labels(500, 500)
    with pytest.raises(DlreproError, match="test_size"):
        stratified_split(y, test_size, seed=0)
