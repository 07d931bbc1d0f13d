"""The kernels study over run seeds, in-process on a tiny synthetic MNIST: the train step repeats
its bytes per run and differs between runs; compare describes every quantity over the runs and
judges the claims as checks."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dlrepro.core import io
from dlrepro.core.step import Context
from dlrepro.studies.kernels import cli
from dlrepro.studies.kernels.compare import summarise

RUNS = 2


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("kernels")
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 80), ("test", 20)):
        y = rng.integers(0, 10, size=n)
        x = rng.integers(0, 80, size=(n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(y):  # a bright square whose place is the class
            r, col = 3 + 12 * (c // 5), 1 + 5 * (c % 5)
            x[i, r : r + 6, col : col + 6] = 255
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y.astype(np.uint8)
    data = root / "mnist.npz"
    io.write_npz(data, **arrays)
    params = {
        "seed": 1,
        "scale": "smoke",
        "kernels": {
            "runs": RUNS,
            "data": {"train_size": 80, "test_size": 20},
            "model": {"conv1": 4, "conv2": 6},
            "training": {"epochs": 2, "batch_size": 40, "lr": 1e-2},
            "linear_check_images": 5,
        },
    }
    ctx = Context(params=params, seed=1, threads=1, device_setting="cpu")

    def train(run: int, where: Path) -> dict[str, bytes]:
        files = {k: where / f"{run}/{k}" for k in ("weights.pt", "s.npz", "metrics.json")}
        files["weights.pt"].parent.mkdir(parents=True, exist_ok=True)
        cli.train(SimpleNamespace(run=run, data=data, weights=files["weights.pt"],
                                  snapshots=files["s.npz"], metrics=files["metrics.json"]), ctx)  # fmt: skip
        return {k: p.read_bytes() for k, p in files.items()}

    out = {r: train(r, root / "a") for r in range(RUNS)}
    out["0 again"] = train(0, root / "b")
    each = lambda name: [str(root / "a" / f"{r}/{name}") for r in range(RUNS)]  # noqa: E731
    args = SimpleNamespace(
        data=data, weights=each("weights.pt"), snapshots=each("s.npz"), train=each("metrics.json"),
        claims=str(Path(cli.__file__).with_name("claims.yaml")), table=root / "table.csv",
        summary=root / "metrics.json", comparison=root / "comparison.csv",
    )  # fmt: skip
    cli.compare(args, ctx)
    return SimpleNamespace(root=root, out=out)


def test_a_run_repeats_its_bytes_and_another_run_trains_another_model(built):
    assert built.out[0] == built.out["0 again"]
    assert built.out[0]["weights.pt"] != built.out[1]["weights.pt"]
    assert built.out[0]["s.npz"] != built.out[1]["s.npz"]  # other init, too


def test_compare_holds_every_run_and_judges_checks(built):
    metrics = json.loads((built.root / "metrics.json").read_text())
    for path in (("training", "test_acc"), ("conv1", "neighbour_corr_init"),
                 ("linear_stack", "max_abs_diff")):  # fmt: skip
        leaf = metrics[path[0]][path[1]]
        assert len(leaf["runs"]) == RUNS and leaf["min"] <= leaf["mean"] <= leaf["max"]
    # the init differs per run, so the init statistic does too
    assert len(set(metrics["conv1"]["neighbour_corr_init"]["runs"])) == RUNS
    assert metrics["training"]["epochs"] == 2 and metrics["effective"]["size"] == 5
    assert metrics["linear_stack"]["images"] == 5
    table = pd.read_csv(built.root / "table.csv")
    assert list(table.columns) == ["quantity", "mean", "sd", "min", "max", "runs", "note"]
    assert (table["runs"] == RUNS).all()
    comparison = pd.read_csv(built.root / "comparison.csv", keep_default_na=False)
    assert list(comparison["kind"]) == ["qualitative", "qualitative", "check", "check"]
    identity = comparison[comparison["post"] == "one 5x5 kernel"].iloc[0]
    assert identity["verdict"] == "passed" and int(identity["runs"]) == RUNS
    assert "reproduced" not in set(comparison["verdict"])


def test_summarise_keeps_constants_once_and_rejects_runs_of_other_shapes():
    def run(r):
        return {
            "training": {"test_acc": 0.9 + r / 100, "train_acc": 0.9, "epochs": 5,
                         "parameters": 24000, "n_train": 100, "n_test": 20},
            "conv1": {"neighbour_corr_init": 0.0, "neighbour_corr_trained": 0.3,
                      "relative_change": 1.0},
            "conv2": {"neighbour_corr_trained": 0.6},
            "effective": {"neighbour_corr_trained": 0.4, "size": 5},
            "linear_stack": {"max_abs_diff": 1e-15, "images": 20},
        }  # fmt: skip

    table, summary = summarise([run(r) for r in range(3)])
    assert summary["training"]["parameters"] == 24000
    assert summary["training"]["test_acc"]["runs"] == pytest.approx([0.9, 0.91, 0.92])
    assert table.iloc[0]["mean"] == pytest.approx(0.91) and table.iloc[0]["runs"] == 3
    broken = run(1)
    del broken["conv2"]
    with pytest.raises(Exception, match="other keys"):
        summarise([run(0), broken])
