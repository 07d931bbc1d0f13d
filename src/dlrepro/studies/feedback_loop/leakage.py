"""Leakage from a random split of a time series (the lesson: "If you have time series data and
randomly select points then you can train with data that includes or correlates with the held
out data, making it much easier to solve the validation data").

A synthetic table, one row per time step t, as in a sales log: y_t = s_t + effect * x_t + noise,
where s_t is a slow AR(1) level (autocorrelation phi, unit variance) that no feature measures and
x_t an observed covariate; the features are the date t and x_t. A k-nearest-neighbour regressor
(scikit-learn) is validated on the first `dev` steps in two ways, holding out the same number of
rows: fastai's default random 20% (splits.random_split), or the last 20% (the future). Each
model is also scored on the `future` steps after the development period, the data it would meet
in use. With a random split a validation row's neighbours in time are in the training set, and
their level s_t is nearly its own; with a time split they are not. A control series with
phi = 0 (no autocorrelation) has nothing to leak.
"""

from __future__ import annotations

import numpy as np

from dlrepro.core.repeats import describe, run_seed
from dlrepro.errors import DlreproError
from dlrepro.studies.feedback_loop.splits import random_split, time_split

SPLITS = ("random", "time")


def series(rng: np.random.Generator, length: int, phi: float, effect: float, noise: float):
    """(features [length, 2] = (t, x_t), y [length], level s [length])."""
    if not 0 <= phi < 1:
        raise DlreproError(f"feedback_loop leakage: phi must be in [0, 1), got {phi}")
    shocks = rng.normal(size=length)
    level = np.empty(length)
    level[0] = shocks[0]
    for t in range(1, length):  # unit stationary variance at any phi
        level[t] = phi * level[t - 1] + np.sqrt(1 - phi**2) * shocks[t]
    x = rng.normal(size=length)
    y = level + effect * x + noise * rng.normal(size=length)
    return np.column_stack([np.arange(length, dtype=float), x]), y, level


def mse(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean squared error: in units of y, so comparable across segments (an R^2 would divide
    by each segment's own variance, which a short contiguous block has less of)."""
    return float(np.mean((y - pred) ** 2))


def fit_predict(x_train, y_train, x_test, neighbours: int) -> np.ndarray:
    """k-NN regression on features standardised with the training rows' mean and sd."""
    from sklearn.neighbors import KNeighborsRegressor

    mean, sd = x_train.mean(axis=0), x_train.std(axis=0)
    model = KNeighborsRegressor(n_neighbors=neighbours).fit((x_train - mean) / sd, y_train)
    return model.predict((x_test - mean) / sd)


def one_run(rng: np.random.Generator, p: dict, phi: float) -> dict:
    """Both splits on one series: validation MSE, MSE on the future steps, and the validation
    predictions (for the figure)."""
    features, y, level = series(rng, p["dev"] + p["future"], phi, p["effect"], p["noise"])
    dev, future = np.arange(p["dev"]), np.arange(p["dev"], p["dev"] + p["future"])
    out = {"y": y, "level": level}
    for name in SPLITS:
        train, valid = random_split(p["dev"], rng) if name == "random" else time_split(p["dev"])
        train, valid = dev[train], dev[valid]
        pred = fit_predict(
            features[train], y[train], features[np.r_[valid, future]], p["neighbours"]
        )
        valid_pred, future_pred = pred[: len(valid)], pred[len(valid) :]
        out[name] = {
            "valid": valid,
            "valid_pred": valid_pred,
            "valid_mse": mse(y[valid], valid_pred),
            "future_mse": mse(y[future], future_pred),
        }
    return out


def run_all(p: dict, seed: int) -> tuple[dict, dict[str, np.ndarray]]:
    """Every run on the autocorrelated series and on the control: metrics (each quantity over
    the runs, in run order, so random and time split of run r are paired) and run 0's arrays."""
    if p["runs"] < 1 or p["neighbours"] >= int(0.8 * p["dev"]):
        raise DlreproError(
            "feedback_loop leakage: needs runs >= 1 and fewer neighbours than training rows "
            f"(0.8 dev), got {p}"
        )
    metrics, arrays = {}, {}
    for kind, phi in (("series", p["phi"]), ("control", 0.0)):
        runs = [
            one_run(
                np.random.default_rng(run_seed(seed, "feedback_loop", r, "leakage", kind)), p, phi
            )
            for r in range(p["runs"])
        ]
        per_split = {
            name: {
                "valid_mse": [r[name]["valid_mse"] for r in runs],
                "future_mse": [r[name]["future_mse"] for r in runs],
            }
            for name in SPLITS
        }
        for s in per_split.values():  # how far validation is from what the model meets later
            s["valid_error"] = [abs(v - f) for v, f in zip(s["valid_mse"], s["future_mse"])]
            # signed: > 0 when validation promised a smaller error than the model met later
            s["optimism"] = [f - v for v, f in zip(s["valid_mse"], s["future_mse"])]
        metrics[kind] = {
            "phi": phi,
            **{name: {k: describe(v) for k, v in s.items()} for name, s in per_split.items()},
            "valid_mse_random_over_time": describe(
                [
                    a / b
                    for a, b in zip(
                        per_split["random"]["valid_mse"], per_split["time"]["valid_mse"]
                    )
                ]
            ),
        }
        if kind == "series":
            first = runs[0]
            arrays = {"y": first["y"], "level": first["level"]}
            for name in SPLITS:
                arrays[f"{name}/valid"] = first[name]["valid"]
                arrays[f"{name}/valid_pred"] = first[name]["valid_pred"]
    return metrics, arrays


def table(metrics: dict) -> list[dict]:
    """One row per series x split: validation and future MSE, mean and sd over the runs."""
    return [
        {
            "series": f"{kind} (phi {metrics[kind]['phi']:g})",
            "split": split,
            **{
                f"{k}_{stat}": metrics[kind][split][k][stat]
                for k in ("valid_mse", "future_mse", "valid_error", "optimism")
                for stat in ("mean", "sd")
            },
        }
        for kind in ("series", "control")
        for split in SPLITS
    ]
