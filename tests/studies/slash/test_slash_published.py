"""The post's published file (../shared/data/raw/slash/slash_data.npz): its registry entry, its
contents, the `published` step (sha256 at every read, a clear error for a corrupt copy), and
our generator's inferred settings against the file's statistics."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from dlrepro.cli import main
from dlrepro.data.fetch import REGISTRY
from dlrepro.errors import DlreproError
from dlrepro.paths import ROOT
from dlrepro.studies.slash import spec
from dlrepro.studies.slash.data import (
    check_published,
    make_slash,
    per_class_sample,
    pixel_statistics,
)
from dlrepro.studies.slash.positions import slash_masks

MIRROR = Path(os.environ.get("DLREPRO_MIRROR") or ROOT.parent / "shared" / "data" / "raw")
REAL = MIRROR / "slash" / "slash_data.npz"
needs_real = pytest.mark.skipif(not REAL.is_file(), reason="published Slash file not in mirror")
SHA256 = "456f500c869d5358f886d8574b130ed64ef4f89da7b26d873c30890961bfa99b"  # SOURCES.md
PAPER = {"n_per_class": 500, "size": 30, "length": 4, "noise": 0.25}  # params/slash.yaml


def _real() -> tuple[np.ndarray, np.ndarray]:
    with np.load(REAL, allow_pickle=False) as d:
        return d["x"], d["y"]


def test_registry_entry_is_the_posts_file():
    raw = REGISTRY[spec.RAW_FILE]
    assert raw.relpath == "slash/slash_data.npz" and spec.RAW == f"data/raw/{raw.relpath}"
    assert raw.sha256 == SHA256 and raw.size == 3_638_260
    assert raw.url == "https://soph.info/data/slash_data.npz"  # the post's stated home


@needs_real
def test_published_file_keys_shapes_dtypes_balance():
    with np.load(REAL, allow_pickle=False) as d:
        assert sorted(d.files) == ["x", "y"]
    x, y = _real()
    assert x.shape == (1000, 30, 30) and x.dtype == np.float64
    assert y.shape == (1000,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [500, 500]
    check_published(x, y, "real")  # no error


@needs_real
def test_published_file_statistics_are_those_of_sources_md():
    stats = pixel_statistics(_real()[0])
    assert stats["white_fraction"] == pytest.approx(0.4975, abs=5e-5)
    assert stats["dark_per_image"] == 4.0
    assert stats["mean_pixel"] == pytest.approx(0.9336, abs=5e-5)
    assert stats["background_min"] >= 0.75 and stats["slash_max"] <= 0.25


@needs_real
def test_every_published_image_is_one_slash_of_its_class_at_every_corner():
    x, y = _real()
    masks = slash_masks(x, y).reshape(-1, 30, 30)  # raises unless each is its class's diagonal
    for cls in (0, 1):
        rows, cols = np.nonzero(masks[y == cls].any(axis=0))
        assert rows.min() == 0 and rows.max() == 29 and cols.min() == 0 and cols.max() == 29
    # the top-left corner of the 4x4 box takes every value 0..26 on both axes
    corner_rows = [np.nonzero(m)[0].min() for m in masks]
    corner_cols = [np.nonzero(m)[1].min() for m in masks]
    assert set(corner_rows) == set(range(27)) and set(corner_cols) == set(range(27))


# Tolerances of the generator test: the file is one draw of 900,000 pixels; pixel statistics of
# two draws differ by a few standard errors of a mean over that many pixels (about 0.0005 for
# the white fraction, 0.0001 for the mean pixel), so 0.002 and 0.0005 leave room without letting
# a different noise level through (noise 0.2 or 0.3 moves the mean pixel by about 0.006).
@needs_real
def test_generator_with_the_paper_params_matches_the_published_statistics():
    x, y = make_slash(
        PAPER["n_per_class"],
        PAPER["size"],
        PAPER["length"],
        PAPER["noise"],
        np.random.default_rng(2019),
    )
    ours, theirs = pixel_statistics(x), pixel_statistics(_real()[0])
    assert x.shape == (1000, 30, 30) and np.bincount(y).tolist() == [500, 500]
    assert ours["white_fraction"] == pytest.approx(theirs["white_fraction"], abs=0.002)
    assert ours["dark_per_image"] == theirs["dark_per_image"] == 4.0
    assert ours["mean_pixel"] == pytest.approx(theirs["mean_pixel"], abs=0.0005)
    assert ours["background_min"] >= 0.75 and theirs["background_min"] >= 0.75
    assert ours["slash_max"] <= 0.25 and theirs["slash_max"] <= 0.25
    # and the noise reaches the same bounds (uniform over the whole interval, not narrower)
    assert ours["background_min"] < 0.751 and theirs["background_min"] < 0.751
    assert ours["slash_max"] > 0.249 and theirs["slash_max"] > 0.249


def test_statistics_tell_another_noise_level_apart():
    """The generator test can fail: noise 0.3 or 0.2 lands outside its tolerances."""
    base = pixel_statistics(make_slash(500, 30, 4, 0.25, np.random.default_rng(1))[0])
    for noise in (0.2, 0.3):
        other = pixel_statistics(make_slash(500, 30, 4, noise, np.random.default_rng(1))[0])
        assert abs(other["mean_pixel"] - base["mean_pixel"]) > 0.0005 * 5


def test_pixel_statistics_exact_small_case():
    x = np.array([[[1.0, 0.8], [0.1, 0.0]], [[1.0, 1.0], [0.2, 0.9]]])
    stats = pixel_statistics(x)
    assert stats["white_fraction"] == 3 / 8
    assert stats["dark_per_image"] == 1.5  # 2 and 1 pixels below 0.3
    assert stats["mean_pixel"] == pytest.approx(5.0 / 8)
    assert stats["background_min"] == 0.8 and stats["slash_max"] == 0.2


# ----------------------------------------------------------------------------- checks, sampling


@pytest.mark.parametrize(
    "x,y,match",
    [
        (np.zeros((4, 3, 2)), np.zeros(4, dtype=int), "side"),
        (np.zeros((4, 3, 3)), np.zeros(3, dtype=int), "one per image"),
        (np.full((2, 3, 3), 1.5), np.zeros(2, dtype=int), "outside"),
        (np.full((2, 3, 3), np.nan), np.zeros(2, dtype=int), "finite"),
        (np.zeros((2, 3, 3)), np.array([0, 2]), "0 and 1"),
    ],
)
def test_check_published_names_the_problem(x, y, match):
    with pytest.raises(DlreproError, match=match):
        check_published(x, y, "f.npz")


def test_per_class_sample_keeps_all_in_order_at_the_full_count():
    y = np.array([0, 1] * 5)
    assert per_class_sample(y, 5, seed=3).tolist() == list(range(10))


def test_per_class_sample_is_stratified_sorted_and_seeded():
    y = np.array([0, 1] * 50)
    a = per_class_sample(y, 7, seed=3)
    assert np.bincount(y[a]).tolist() == [7, 7] and np.all(np.diff(a) > 0)
    assert np.array_equal(a, per_class_sample(y, 7, seed=3))
    assert not np.array_equal(a, per_class_sample(y, 7, seed=4))
    with pytest.raises(DlreproError, match="published file has 50"):
        per_class_sample(y, 51, seed=3)


# ----------------------------------------------------------------------------- the step


def _project(root: Path) -> None:
    """The project's params in `root` (every command reads them from the cwd)."""
    shutil.copy(ROOT / "params.yaml", root)
    shutil.copytree(ROOT / "params", root / "params", dirs_exist_ok=True)


def _published_step(root: Path, n_per_class: int | None = None) -> int:
    """`dlrepro slash published` in `root` (the mirror: $DLREPRO_MIRROR, set by the caller)."""
    _project(root)
    argv = []
    if n_per_class is not None:
        (root / "o.yaml").write_text(f"slash: {{data: {{n_per_class: {n_per_class}}}}}\n")
        argv = ["--params", "params.yaml", "--params", "o.yaml"]
    return main([*argv, "slash", "published", "--raw", spec.RAW, "--out", "out.npz"])


@needs_real
def test_published_step_reads_the_checked_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLREPRO_MIRROR", str(MIRROR))
    _project(tmp_path)
    assert main(["fetch", "--name", spec.RAW_FILE, "--out", spec.RAW]) == 0
    assert _published_step(tmp_path) == 0
    out = np.load(tmp_path / "out.npz")
    x, y = _real()
    assert out["x"].dtype == np.float32 and out["idx"].tolist() == list(range(1000))
    assert np.array_equal(out["y"], y)
    assert np.max(np.abs(out["x"] - x)) < 1e-7  # float32 rounding only
    assert _published_step(tmp_path, n_per_class=20) == 0  # smoke: a stratified sample
    small = np.load(tmp_path / "out.npz")
    assert np.bincount(small["y"]).tolist() == [20, 20]
    assert np.array_equal(small["x"], x[small["idx"]].astype(np.float32))


def test_published_step_refuses_a_corrupt_copy(tmp_path, monkeypatch, capsys):
    """A local copy that is not the registered bytes is fetched again; when the mirror's copy is
    bad too, the step stops with an error naming the file, and nothing is read from it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLREPRO_MIRROR", str(tmp_path / "mirror"))
    for where in (tmp_path / spec.RAW, tmp_path / "mirror/slash/slash_data.npz"):
        where.parent.mkdir(parents=True, exist_ok=True)
        np.savez(where, x=np.ones((2, 3, 3)), y=np.array([0, 1]))  # a valid npz, wrong bytes
    assert _published_step(tmp_path) == 2
    err = capsys.readouterr().err
    assert "data/raw/slash/slash_data.npz: local copy of slash_published is corrupt" in err
    assert "could not be fetched again" in err and "size" in err
    assert not (tmp_path / "out.npz").exists()
