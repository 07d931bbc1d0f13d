"""The kernels study through the real pipeline, at smoke scale: its outputs, report page, and
bytes that repeat when a step is rerun."""

from __future__ import annotations

import json

import pandas as pd
import yaml
from conftest import SMOKE, read_comparison, run
from PIL import Image


def test_kernels_smoke_outputs(smoke_build):
    repo, k = smoke_build, smoke_build / "results/kernels"
    smoke = yaml.safe_load((repo / "config/smoke.yaml").read_text())["kernels"]
    metrics = json.loads((k / "metrics.json").read_text())
    assert metrics["training"]["n_train"] == smoke["data"]["train_size"]
    accs = metrics["training"]["test_acc"]["runs"]  # one per run seed
    assert len(accs) == smoke["runs"] and all(0.1 < a <= 1.0 for a in accs)  # beats chance
    assert metrics["linear_stack"]["max_abs_diff"]["max"] < 1e-10
    assert metrics["effective"]["size"] == 5
    weights = [(k / f"runs/{r}/weights.pt").read_bytes() for r in range(smoke["runs"])]
    assert len(set(weights)) == smoke["runs"]  # every run seed trains another model
    with Image.open(k / "figures/conv1_epochs.gif") as gif:  # init + one frame per epoch
        assert gif.n_frames == smoke["training"]["epochs"] + 1 and gif.info["loop"] == 0
    comparison = read_comparison(repo, "kernels")
    assert (comparison["verdict"] == "not comparable").sum() == 2
    assert list(comparison["kind"]) == ["qualitative", "qualitative", "check", "check"]
    assert "reproduced" not in set(comparison["verdict"])  # checks pass or fail
    assert "quantity" in pd.read_csv(k / "table.csv").columns
    page = (repo / "results/report/kernels.html").read_text()
    for fig in ("conv1.png", "conv2.png", "effective.png", "slash_kernels.png", "conv1_epochs.gif"):
        assert f"../kernels/figures/{fig}" in page


def test_rerun_steps_repeat_their_bytes(smoke_build, tmp_path):
    """Same params + inputs + code -> identical bytes (weights, npz, csv, png, gif)."""
    repo, k = smoke_build, "results/kernels"
    base = ["dlrepro", "--params", "params.yaml", "--params", SMOKE[1], "kernels"]
    out = {
        name: tmp_path / name
        for name in ("w.pt", "s.npz", "m.json", "c1.png", "c2.png", "e.png", "sl.png", "a.gif")
    }
    run(
        [
            *base,
            "train",
            "--run",
            "0",
            "--data",
            "data/processed/mnist/mnist.npz",
            "--weights",
            str(out["w.pt"]),
            "--snapshots",
            str(out["s.npz"]),
            "--metrics",
            str(out["m.json"]),
        ],
        repo,
    )
    run(
        [
            *base,
            "figures",
            "--weights",
            f"{k}/runs/0/weights.pt",
            "--snapshots",
            f"{k}/runs/0/conv1_snapshots.npz",
            "--slash-weights",
            "results/slash/generated/models/vanilla_cnn/0/weights.pt",
            "--conv1",
            str(out["c1.png"]),
            "--conv2",
            str(out["c2.png"]),
            "--effective",
            str(out["e.png"]),
            "--slash",
            str(out["sl.png"]),
            "--gif",
            str(out["a.gif"]),
        ],
        repo,
    )
    built = {
        "w.pt": "runs/0/weights.pt",
        "s.npz": "runs/0/conv1_snapshots.npz",
        "m.json": "runs/0/metrics.json",
        "c1.png": "figures/conv1.png",
        "c2.png": "figures/conv2.png",
        "e.png": "figures/effective.png",
        "sl.png": "figures/slash_kernels.png",
        "a.gif": "figures/conv1_epochs.gif",
    }
    for name, rel in built.items():
        assert out[name].read_bytes() == (repo / k / rel).read_bytes(), rel
