"""Measures the slash study adds to the post's table: test slashes with a twin in training
(positions.py), random-forest size candidates (forest.py), and metrics.json per source
(compare.py)."""

from __future__ import annotations

import numpy as np
import pytest

from dlrepro.errors import DlreproError
from dlrepro.studies.slash import compare as cmp
from dlrepro.studies.slash.data import make_slash, stratified_split
from dlrepro.studies.slash.forest import forest_sizes
from dlrepro.studies.slash.positions import slash_masks, twin_fractions
from dlrepro.studies.slash.spec import MODELS, sources
from dlrepro.studies.slash.train import fit_sklearn

# ----------------------------------------------------------------------------- twins


def _image(side: int, pixels: list[tuple[int, int]]) -> np.ndarray:
    x = np.ones((side, side))
    for r, c in pixels:
        x[r, c] = 0.1
    return x


def _back(r, c, n=3):  # backslash: down-right
    return [(r + i, c + i) for i in range(n)]


def _fwd(r, c, n=3):  # forward slash: down-left from its top-right pixel (r, c + n - 1)
    return [(r + i, c + n - 1 - i) for i in range(n)]


def test_twin_fractions_exact_small_case():
    train_x = np.stack([_image(8, _back(0, 0)), _image(8, _fwd(4, 4))])
    train_y = np.array([0, 1])
    test = [
        (_back(0, 0), 0),  # exact twin of training image 0
        (_back(1, 1), 0),  # shifted along its diagonal: shares 2 pixels -> near twin only
        (_back(2, 2), 0),  # shares 1 pixel: neither
        (_fwd(0, 0), 1),  # crosses training image 0 (other class) at one pixel: neither
        (_fwd(4, 4), 1),  # exact twin of training image 1
        (_back(4, 4), 0),  # same pixels' box as image 1 but the other class: neither
    ]
    test_x = np.stack([_image(8, p) for p, _ in test])
    test_y = np.array([y for _, y in test])
    got = twin_fractions(train_x, train_y, test_x, test_y)
    assert got["test_twin_fraction"] == pytest.approx(2 / 6)
    assert got["test_near_twin_fraction"] == pytest.approx(3 / 6)


def test_slash_masks_refuse_what_is_not_a_slash_of_its_class():
    with pytest.raises(DlreproError, match="image 0 .class 1.*not one forward slash"):
        slash_masks(np.stack([_image(6, _back(0, 0))]), np.array([1]))
    with pytest.raises(DlreproError, match="image 1"):
        bad = _image(6, [(0, 0), (0, 1), (1, 2)])  # two dark pixels on one row
        slash_masks(np.stack([_image(6, _back(0, 0)), bad]), np.array([0, 0]))
    with pytest.raises(DlreproError, match="1 dark pixels"):
        slash_masks(np.stack([_image(6, [(2, 2)])]), np.array([0]))


def test_slash_masks_are_the_generators_slashes():
    x, y = make_slash(50, 12, 4, 0.25, np.random.default_rng(0))
    clean, _ = make_slash(50, 12, 4, 0.0, np.random.default_rng(0))  # same draws, no noise
    masks = slash_masks(x, y)
    assert np.array_equal(masks, (clean == 0).reshape(len(x), -1))
    assert (masks.sum(axis=1) == 4).all()


def test_twin_fraction_on_the_generator_is_what_chance_gives():
    """729 corners per class, 375 training images per class: a test slash has an exact twin with
    probability 1 - (1 - 1/729)^375 = 0.402 (analytic; one draw of 250 test images varies by
    about 0.03)."""
    x, y = make_slash(500, 30, 4, 0.25, np.random.default_rng(7))
    train, test = stratified_split(y, 250, seed=1)
    got = twin_fractions(x[train], y[train], x[test], y[test])
    expected = 1 - (1 - 1 / 729) ** 375
    assert got["test_twin_fraction"] == pytest.approx(expected, abs=0.1)
    # near twin: corners within 2 steps along the slash's own diagonal (5 of 729 corners,
    # fewer at the borders), so about 1 - (1 - 5/729)^375 = 0.92 at most
    assert 0.8 < got["test_near_twin_fraction"] <= 1 - (1 - 5 / 729) ** 375 + 0.05


# ----------------------------------------------------------------------------- forest sizes


def _split(n=40, seed=3):
    x, y = make_slash(n, 30, 4, 0.25, np.random.default_rng(seed))
    train, test = stratified_split(y, n // 2, seed=seed)
    return {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test]}


def test_forest_sizes_first_trees_are_the_pipelines_forest():
    split, hp, seed = _split(), {"n_estimators": 4}, 1234
    sizes = forest_sizes(split["x_train"], split["y_train"], hp, [4, 12], seed)
    model = fit_sklearn("random_forest", hp, split, seed)
    assert sizes["trees_4"]["nodes"] == model["trainable_params"]


def test_forest_sizes_counts_are_consistent():
    split = _split()
    sizes = forest_sizes(split["x_train"], split["y_train"], {"n_estimators": 10}, [3, 10], 5)
    for k in (3, 10):
        c = sizes[f"trees_{k}"]
        # binary trees: nodes = leaves + splits, and leaves = splits + 1 per tree
        assert c["nodes"] == c["leaves"] + c["splits"]
        assert c["leaves"] == c["splits"] + k
    assert sizes["trees_3"]["nodes"] < sizes["trees_10"]["nodes"]
    assert sizes["nodes_per_tree"] == pytest.approx(sizes["trees_10"]["nodes"] / 10)


# ----------------------------------------------------------------------------- per source


def _records(value: float) -> list[dict]:
    row = {"trainable_params": 1, "train_acc": value, "test_acc": value}
    return [{"model": m, "run": r, **row} for m in MODELS for r in range(2)]


def _data(twin: float) -> dict:
    stats = dict.fromkeys(cmp.DATA_STATS, 0.5)
    runs = [{"test_twin_fraction": twin, "test_near_twin_fraction": 0.9}] * 2
    return {"images": 10, **stats, "runs": runs}


def _forest() -> dict:
    run = {"trees_10": {"nodes": 5, "leaves": 3, "splits": 2}, "trees_3": {"nodes": 1,
           "leaves": 1, "splits": 0}, "nodes_per_tree": 0.5}  # fmt: skip
    return {"runs": [run, run]}


def test_summarise_sources_keys_and_tables():
    summary = cmp.summarise_sources(
        {"generated": _records(0.6), "published": _records(0.5)},
        {"generated": _data(0.4), "published": _data(0.3)},
        {"generated": _forest(), "published": _forest()},
    )
    assert summary["sources"] == ["published", "generated"]  # spec.SOURCES order
    assert summary["published"]["models"]["knn_k1"]["test_acc"]["runs"] == [0.5, 0.5]
    assert summary["generated"]["data"]["test_twin_fraction"]["mean"] == 0.4
    assert summary["published"]["forest_sizes"]["trees_10"]["nodes"]["mean"] == 5
    table = cmp.results_table(summary)
    assert table["source"].tolist() == ["published"] * 9 + ["generated"] * 9
    forest = cmp.forest_table(summary)
    assert forest[forest["source"] == "published"]["trees"].tolist() == [3, 3, 3, 10, 10, 10, 1]
    data = cmp.data_table(summary)
    assert data["test_twin_fraction_mean"].tolist() == [0.3, 0.4]


def test_summarise_sources_refuses_measures_with_other_runs():
    data = _data(0.4)
    data["runs"] = data["runs"][:1]
    with pytest.raises(DlreproError, match="generated data has 1 runs, the models have 2"):
        cmp.summarise_sources({"generated": _records(0.5)}, {"generated": data},
                              {"generated": _forest()})  # fmt: skip


@pytest.mark.parametrize(
    "value,expected",
    [("published", ["published"]), (["generated", "published"], ["published", "generated"])],
)
def test_sources_accepts_a_name_or_a_list(value, expected):
    assert sources({"slash": {"data": {"source": value}}}) == expected
