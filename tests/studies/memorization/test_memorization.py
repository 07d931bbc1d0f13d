"""Unit tests of the memorization study: the corrupted labels (exact fraction, named streams),
Gaussian pixels, early stopping in the shared training loop, and the summary table."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlrepro.classifier.fully_connected import fully_connected
from dlrepro.classifier.train import train_classifier
from dlrepro.core.determinism import rng
from dlrepro.errors import DlreproError
from dlrepro.studies.memorization.data import (
    PIXELS,
    corrupt_labels,
    gaussian_pixels,
    percent_of,
    setting_names,
)
from dlrepro.studies.memorization.summary import results_table, summarise


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 500), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_exactly_the_fraction_of_labels_is_replaced_and_no_other(n, fraction, seed):
    y = np.random.default_rng(seed).integers(0, 10, n)
    new, replaced = corrupt_labels(y, fraction, np.random.default_rng(seed))
    assert replaced.sum() == round(fraction * n)
    assert (new[~replaced] == y[~replaced]).all()
    assert new.min() >= 0 and new.max() <= 9 and new.dtype == np.int64


def test_replaced_labels_are_uniform_so_about_nine_in_ten_change():
    y = np.zeros(20000, dtype=np.int64)
    new, replaced = corrupt_labels(y, 1.0, np.random.default_rng(0))
    assert replaced.all()
    assert (new != y).mean() == pytest.approx(0.9, abs=0.01)
    assert np.bincount(new, minlength=10) / len(new) == pytest.approx(np.full(10, 0.1), abs=0.01)


def test_each_level_has_its_own_named_stream():
    y = np.arange(1000) % 10
    a, _ = corrupt_labels(y, 0.4, rng(1, "memorization", "labels", "40"))
    b, _ = corrupt_labels(y, 0.4, rng(1, "memorization", "labels", "40"))
    c, _ = corrupt_labels(y, 0.4, rng(1, "memorization", "labels", "60"))
    assert (a == b).all() and (a != c).any()


def test_bad_fraction_is_an_error():
    with pytest.raises(DlreproError):
        corrupt_labels(np.zeros(3, dtype=np.int64), 1.5, np.random.default_rng(0))


def test_gaussian_pixels_match_the_images_mean_and_std():
    x = torch.rand(500, 1, 28, 28) ** 3
    noise = gaussian_pixels(x, np.random.default_rng(0))
    assert noise.shape == x.shape and noise.dtype == torch.float32
    assert float(noise.mean()) == pytest.approx(float(x.mean()), abs=0.002)
    assert float(noise.std()) == pytest.approx(float(x.std()), rel=0.01)


def test_setting_names_round_trip():
    names = setting_names([0, 20, 100])
    assert names == ["labels_0", "labels_20", "labels_100", PIXELS]
    assert [percent_of(n) for n in names] == [0, 20, 100, None]
    with pytest.raises(DlreproError):
        percent_of("labels_x")


def test_training_stops_when_the_callback_says_so():
    torch.manual_seed(0)
    model = fully_connected(4, 1, 8, "relu", out_features=10)
    x, y = torch.randn(64, 4), torch.randint(0, 10, (64,))
    seen = []
    history = train_classifier(
        model,
        x,
        y,
        epochs=10,
        batch_size=16,
        lr=1e-3,
        seed=0,
        device=torch.device("cpu"),
        on_epoch=lambda e, m: seen.append(e) or e == 3,
    )
    assert seen == [1, 2, 3] and len(history) == 3


def test_a_small_mlp_memorises_random_labels():
    """The study's premise at unit scale: 100 random points, random labels, fit in <= 300 epochs."""
    torch.manual_seed(0)
    model = fully_connected(20, 2, 128, "relu", out_features=10)
    x, y = torch.randn(100, 20), torch.randint(0, 10, (100,))
    history = train_classifier(
        model,
        x,
        y,
        epochs=300,
        batch_size=50,
        lr=3e-3,
        seed=0,
        device=torch.device("cpu"),
        on_epoch=lambda e, m: (m(x).argmax(1) == y).float().mean() >= 0.99,
    )
    assert len(history) < 300


def _job(setting, run, percent, train_acc, test_acc, fitted, epochs):
    return {
        "setting": setting,
        "run": run,
        "corrupted_percent": percent,
        "train_acc": train_acc,
        "test_acc": test_acc,
        "fitted": fitted,
        "epochs_to_fit": epochs if fitted else None,
        "epochs_run": epochs,
        "replaced_labels": 0 if percent is None else percent,
        "n_train": 10,
        "n_test": 5,
    }


PARAMS = {"fit_threshold": 0.99, "training": {"epochs": 9}}


def test_summary_describes_every_run_and_the_table_leaves_unfitted_cells_empty():
    jobs = [
        _job("labels_100", 1, 100, 0.995, 0.12, True, 8),
        _job("labels_100", 0, 100, 0.5, 0.1, False, 9),
        _job("labels_0", 0, 0, 1.0, 0.9, True, 2),
        _job("labels_0", 1, 0, 0.99, 0.92, True, 3),
        _job(PIXELS, 0, None, 0.99, 0.1, True, 5),
        _job(PIXELS, 1, None, 1.0, 0.11, True, 4),
    ]
    result = summarise(jobs, PARAMS)
    assert list(result["levels"]) == ["0", "100"] and result["runs"] == 2
    level = result["levels"]["100"]
    assert level["train_acc"]["runs"] == [0.5, 0.995]  # in run order
    assert level["fitted"] == {"all": False, "any": True, "runs": [False, True]}
    assert level["epochs_to_fit"] == [None, 8] and level["replaced_labels"] == 100
    assert result["min_train_acc"]["runs"] == [0.5, 0.99]  # the lowest setting of each run
    assert result["all_fitted"]["runs"] == [False, True]
    assert result[PIXELS]["epochs_run"]["mean"] == 4.5
    table = results_table(result)
    assert list(table["training set"]) == [
        "0% random labels",
        "100% random labels",
        "Gaussian pixels, real labels",
    ]
    assert list(table["epochs_to_fit per run"]) == ["2 3", "- 8", "5 4"]
    assert list(table["fitted runs"]) == [2, 1, 2] and list(table["runs"]) == [2, 2, 2]


def test_summary_refuses_a_missing_run():
    jobs = [_job("labels_0", 0, 0, 1.0, 0.9, True, 2), _job("labels_0", 1, 0, 1.0, 0.9, True, 2)]
    with pytest.raises(DlreproError, match="gaussian_pixels"):
        summarise([*jobs, _job(PIXELS, 0, None, 1.0, 0.1, True, 2)], PARAMS)


def test_fit_rows_are_checks_and_an_unfitted_run_is_not_passed():
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    claims = load_claims(study_dir("memorization") / "claims.yaml")
    fit_rows = [c for c in claims["claims"] if "fitted" in c.get("ours", "")]
    assert fit_rows and all(c["kind"] == "check" for c in fit_rows)
    # the fit step's rows only (the fixed-budget and construction rows: test_memorization_issue16)
    claims["claims"] = [
        c
        for c in claims["claims"]
        if str(c.get("ours", c.get("order"))).startswith(("all_", "gau", "lev", "['lev"))
    ]

    def jobs(pixel_acc):
        return [_job(PIXELS, r, None, a, 0.1, a >= 0.99, 5) for r, a in enumerate(pixel_acc)] + [
            _job("labels_0", r, 0, 1.0, 0.95, True, 2) for r in range(3)
        ]

    def verdict(pixel_acc):
        table = compare(claims, summarise(jobs(pixel_acc), PARAMS), {"scale": "smoke"})
        return table.set_index("claim")["verdict"]

    fitted = verdict([0.99, 0.995, 1.0])
    assert list(fitted.iloc[:2]) == ["passed", "passed"] and fitted.iloc[-1] == "reproduced"
    assert list(verdict([0.5, 0.55, 0.6]).iloc[:2]) == ["failed", "failed"]
    assert verdict([0.995, 0.5, 1.0]).iloc[1] != "passed"  # one run did not fit
