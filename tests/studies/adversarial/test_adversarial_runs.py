"""The adversarial study over run seeds: member subsets per run, the ensemble results of one run,
the summary over runs, and the steps themselves run in-process on a tiny synthetic MNIST (run 0
twice gives the same bytes, run 1 other weights; compare holds every run's value)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dlrepro.core import io
from dlrepro.core.step import Context
from dlrepro.errors import DlreproError
from dlrepro.studies.adversarial import cli
from dlrepro.studies.adversarial.compare import results_table, summarise
from dlrepro.studies.adversarial.evaluate import draw_subsets, evaluate_ensembles

# ----------------------------------------------------------------------------- subsets


def _seed_of(run):
    return lambda kind, n: 1000 * run + 10 * n + (kind == "bootstrap")


def test_subsets_are_distinct_sorted_members_and_the_full_size_is_the_whole_pool():
    draws = [
        draw_subsets({"uniform": 10, "bootstrap": 10}, [3, 10, 6], _seed_of(r)) for r in range(4)
    ]
    for subsets in draws:
        assert list(subsets) == ["uniform", "bootstrap"] and list(subsets["uniform"]) == [3, 6, 10]
        for kind in subsets:
            for n, idx in subsets[kind].items():
                assert len(idx) == n and len(set(idx)) == n and list(idx) == sorted(idx)
                assert 0 <= idx.min() and idx.max() < 10 and idx.dtype == np.int64
            assert subsets[kind][10].tolist() == list(range(10))
    # runs draw other subsets below the pool size; the same seed draws the same subset
    assert len({tuple(d["uniform"][3]) for d in draws}) > 1
    again = draw_subsets({"uniform": 10, "bootstrap": 10}, [3, 10, 6], _seed_of(0))
    assert again["bootstrap"][6].tolist() == draws[0]["bootstrap"][6].tolist()


def test_subsets_larger_than_the_pool_are_refused():
    with pytest.raises(DlreproError, match="pool of 4"):
        draw_subsets({"uniform": 4}, [2, 5], _seed_of(0))
    with pytest.raises(DlreproError):
        draw_subsets({"uniform": 4}, [0], _seed_of(0))


# ----------------------------------------------------------------------------- one run


def _probs(rng, members, n=40, classes=10):
    return rng.dirichlet(np.ones(classes), size=(members, n)).astype(np.float32)


def test_evaluate_ensembles_uses_the_subsets_and_adds_the_baseline_to_each_max_ensemble():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 40)
    members = {k: (_probs(rng, 4), _probs(rng, 4)) for k in ("uniform", "bootstrap")}
    baseline = (_probs(rng, 1)[0], _probs(rng, 1)[0])
    subsets = {
        "uniform": {1: np.array([2]), 4: np.arange(4)},
        "bootstrap": {1: np.array([0]), 4: np.arange(4)},
    }
    table, metrics = evaluate_ensembles(members, baseline, y, subsets)
    assert len(table) == 2 * 2 * 2
    # an ensemble of one member is that member (here member 2, not the first)
    one = metrics["ensembles"]["uniform"]["1"]["max"]["adversarial_acc"]
    assert one == float(np.mean(members["uniform"][1][2].argmax(1) == y))
    assert set(metrics["max_plus_baseline"]["bootstrap"]) == {"1", "4"}
    assert metrics["subsets"]["uniform"] == {"1": [2], "4": [0, 1, 2, 3]}
    assert metrics["largest"] == "4"
    bad = {**subsets, "uniform": {2: np.array([1, 1])}}
    with pytest.raises(DlreproError, match="distinct members"):
        evaluate_ensembles(members, baseline, y, bad)
    with pytest.raises(DlreproError, match="pool of 4"):
        evaluate_ensembles(members, baseline, y, {**subsets, "uniform": {1: np.array([4])}})


# ----------------------------------------------------------------------------- over runs


def _run_result(r: int) -> dict:
    acc = lambda base: base + 0.01 * r  # noqa: E731
    ens = {
        kind: {
            str(n): {
                how: {
                    "clean_acc": acc(0.9),
                    "adversarial_acc": acc(
                        0.2 + 0.01 * n + (how == "max") * 0.05 * (kind == "bootstrap")
                    ),
                }
                for how in ("mean", "max")
            }
            for n in (1, 2)
        }
        for kind in ("uniform", "bootstrap")
    }
    return {
        "baseline": {"clean_test_acc": acc(0.98), "train_acc": acc(0.97), "parameters": 21000, "n_train": 2000, "n_test": 500},
        "attack": {"eps": 0.3, "clean_test_acc": acc(0.98), "adversarial_test_acc": acc(0.1), "max_abs_perturbation": 0.3},
        "advtrain": {"clean_test_acc": acc(0.97), "baseline_adversarial_test_acc": acc(0.8), "own_adversarial_test_acc": acc(0.7)},
        "ensembles": {
            "ensembles": ens,
            "best_single": {"member": "uniform/1", "clean_acc": 0.98, "adversarial_acc": acc(0.22)},
            "max_plus_baseline": {k: {"1": acc(0.2), "2": acc(0.24)} for k in ens},
            "largest": "2",
            "subsets": {k: {"1": [r % 2], "2": [0, 1]} for k in ens},
        },
        "receding": {"clean_nn_median": acc(1.0), "adversarial_nn_median": acc(2.0), "nn_ratio": acc(2.0),
                     "beyond_clean_p95": acc(0.5), "shift_median": acc(3.0), "n": 500},
        "ensemble_eps": {"eps": [0.1, 0.3], "by_eps": {e: {"baseline": acc(0.5), "best_single": acc(0.6),
                         "ensembles": {k: {"2": {"mean": acc(0.5), "max": acc(0.5), "any": acc(0.8)}} for k in ens},
                         "confidence": {k: {"right": acc(0.9), "wrong": acc(0.8)} for k in ens}}
                         for e in ("0.1", "0.3")}},
    }  # fmt: skip


def test_summary_holds_every_run_and_picks_one_best_max_ensemble_for_all_runs():
    summary = summarise([_run_result(r) for r in range(3)])
    leaf = summary["advtrain"]["own_adversarial_test_acc"]
    assert leaf["runs"] == pytest.approx([0.7, 0.71, 0.72]) and leaf["mean"] == pytest.approx(0.71)
    assert summary["baseline"]["parameters"] == 21000 and summary["attack"]["eps"] == 0.3
    assert summary["ensembles"]["best_single"]["member"] == "uniform/1"
    assert summary["ensembles"]["best_single"]["clean_acc"]["sd"] == 0.0
    assert "subsets" not in summary["ensembles"]
    assert summary["receding"]["n"] == 500  # a constant, kept as a number
    assert summary["receding"]["nn_ratio"]["runs"] == pytest.approx([2.0, 2.01, 2.02])
    assert summary["ensemble_eps"]["eps"] == [0.1, 0.3]
    at = summary["ensemble_eps"]["by_eps"]["0.1"]["ensembles"]["bootstrap"]["2"]["any"]
    assert at["mean"] == pytest.approx(0.81)
    best = summary["ensembles"]["best_max_plus_baseline"]
    assert best["ensemble"] == "bootstrap N=2"
    assert best["before"]["runs"] == pytest.approx([0.27, 0.28, 0.29])
    assert best["after"]["runs"] == pytest.approx([0.24, 0.25, 0.26])
    table = results_table(summary)
    assert {"model", "clean_test_acc_mean", "clean_test_acc_sd", "runs"} <= set(table.columns)
    assert (table["runs"] == 3).all() and len(table) == 3 + 2 * 2 * 2 + 1
    row = table[table["model"] == "adversarial training"].iloc[0]
    assert row["own_adversarial_test_acc_mean"] == pytest.approx(0.71)
    assert row["own_adversarial_test_acc_sd"] == pytest.approx(0.01)


# ----------------------------------------------------------------------------- steps


def synthetic_mnist(path: Path, n_train=120, n_test=40) -> None:
    """uint8 digit-like images (a bright square whose place is the class) in the artifact's
    layout."""
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        y = rng.integers(0, 10, size=n)
        x = rng.integers(0, 80, size=(n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(y):
            r, col = 3 + 12 * (c // 5), 1 + 5 * (c % 5)
            x[i, r : r + 6, col : col + 6] = 255
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y.astype(np.uint8)
    io.write_npz(path, **arrays)


def _ctx(sizes):
    params = {
        "seed": 1,
        "scale": "smoke",
        "adversarial": {
            "runs": 2,
            "data": {"train_size": 120, "test_size": 40},
            "model": {"conv1": 4, "conv2": 8, "hidden": 16, "dropout": 0.25},
            "training": {"epochs": 1, "batch_size": 40, "lr": 3e-3},
            "attack": {"eps": 0.3, "sweep": [0.0, 0.3]},
            "adversarial_training": {"eps": 0.3, "weight": 0.5},
            "ensembles": {"sizes": sizes},
            "ensemble_eps": {"eps": [0.1, 0.3]},
        },
    }
    return Context(params=params, seed=1, threads=1, device_setting="cpu")


def _files(root: Path, pattern: str, **wildcards) -> str:
    path = root / pattern.format(**wildcards)
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def test_steps_per_run_repeat_their_bytes_differ_between_runs_and_compare_holds_every_run(tmp_path):
    data = tmp_path / "mnist.npz"
    synthetic_mnist(data)
    ctx = _ctx([1, 2])
    out = {}

    def run_steps(run, root):
        f = lambda p: _files(root, p, run=run)  # noqa: E731
        cli.baseline(
            SimpleNamespace(
                run=run,
                data=data,
                weights=f(f"{cli.BASELINE}/weights.pt"),
                metrics=f(f"{cli.BASELINE}/metrics.json"),
                history=f(f"{cli.BASELINE}/history.csv"),
            ),
            ctx,
        )
        cli.attack(
            SimpleNamespace(
                run=run,
                data=data,
                weights=f(f"{cli.BASELINE}/weights.pt"),
                examples=f(cli.EXAMPLES),
                sweep=f(f"{cli.RUN}/attack_sweep.csv"),
                metrics=f(f"{cli.RUN}/attack.json"),
            ),
            ctx,
        )
        cli.advtrain(
            SimpleNamespace(
                run=run,
                data=data,
                examples=f(cli.EXAMPLES),
                weights=f(f"{cli.ADVTRAIN}/weights.pt"),
                metrics=f(f"{cli.ADVTRAIN}/metrics.json"),
                history=f(f"{cli.ADVTRAIN}/history.csv"),
            ),
            ctx,
        )
        cli.ensemble(SimpleNamespace(run=run, data=data, examples=f(cli.EXAMPLES),
                                     baseline=f(f"{cli.BASELINE}/weights.pt"), members=members,
                                     table=f(f"{cli.RUN}/ensembles.csv"),
                                     metrics=f(f"{cli.RUN}/ensembles.json")), ctx)  # fmt: skip
        cli.ensemble_eps(SimpleNamespace(run=run, data=data, baseline=f(f"{cli.BASELINE}/weights.pt"),
                                         ensembles=f(f"{cli.RUN}/ensembles.json"), members=members,
                                         metrics=f(f"{cli.RUN}/ensemble_eps.json")), ctx)  # fmt: skip
        cli.receding(SimpleNamespace(run=run, data=data, examples=f(cli.EXAMPLES),
                                     weights=f(f"{cli.BASELINE}/weights.pt"),
                                     metrics=f(f"{cli.RUN}/receding.json")), ctx)  # fmt: skip
        return {rel: (root / rel.format(run=run)).read_bytes() for rel in (
            f"{cli.BASELINE}/weights.pt", cli.EXAMPLES, f"{cli.ADVTRAIN}/weights.pt",
            f"{cli.RUN}/ensembles.json", f"{cli.RUN}/ensemble_eps.json",
            f"{cli.RUN}/receding.json")}  # fmt: skip

    members = []
    for kind in ("uniform", "bootstrap"):
        for m in range(2):
            w = _files(tmp_path, f"{cli.MEMBER}/weights.pt", kind=kind, member=m)
            cli.member(SimpleNamespace(kind=kind, member=m, data=data, weights=w,
                                       metrics=w.replace("weights.pt", "metrics.json")), ctx)  # fmt: skip
            members.append(w)
    out[0] = run_steps(0, tmp_path / "a")
    out["0 again"] = run_steps(0, tmp_path / "b")
    out[1] = run_steps(1, tmp_path / "a")
    assert out[0] == out["0 again"]  # the same run repeats its bytes
    for rel in (f"{cli.BASELINE}/weights.pt", cli.EXAMPLES, f"{cli.ADVTRAIN}/weights.pt"):
        assert out[0][rel] != out[1][rel], rel  # another run seed: another model and attack
    # the largest size is the whole pool in every run
    subsets = [json.loads(out[r][f"{cli.RUN}/ensembles.json"])["subsets"] for r in (0, 1)]
    assert subsets[0]["uniform"]["2"] == subsets[1]["uniform"]["2"] == [0, 1]
    for r in (0, 1):
        # at the attack's eps, the pool on FGSM made afresh scores what the ensemble step and
        # the attack step scored on the stored adversarials
        ens = json.loads(out[r][f"{cli.RUN}/ensembles.json"])
        at = json.loads(out[r][f"{cli.RUN}/ensemble_eps.json"])["by_eps"]["0.3"]
        attack = json.loads((tmp_path / "a" / cli.RUN.format(run=r) / "attack.json").read_text())
        assert at["baseline"] == attack["adversarial_test_acc"]
        assert at["best_single"] == ens["best_single"]["adversarial_acc"]
        for kind, by_n in ens["ensembles"].items():
            for n, hows in by_n.items():
                for how, scores in hows.items():
                    assert at["ensembles"][kind][n][how] == scores["adversarial_acc"], (kind, n)
                assert hows["max"]["adversarial_acc"] <= at["ensembles"][kind][n]["any"]
        ratio = json.loads(out[r][f"{cli.RUN}/receding.json"])["nn_ratio"]
        assert np.isfinite(ratio) and ratio > 0

    root = tmp_path / "a"
    each = lambda p: [str(root / p.format(run=r)) for r in range(2)]  # noqa: E731
    args = SimpleNamespace(
        baseline=each(f"{cli.BASELINE}/metrics.json"), attack=each(f"{cli.RUN}/attack.json"),
        advtrain=each(f"{cli.ADVTRAIN}/metrics.json"), ensembles=each(f"{cli.RUN}/ensembles.json"),
        receding=each(f"{cli.RUN}/receding.json"), ensemble_eps=each(f"{cli.RUN}/ensemble_eps.json"),
        claims=str(Path(cli.__file__).with_name("claims.yaml")), table=str(root / "table.csv"),
        summary=str(root / "metrics.json"), comparison=str(root / "comparison.csv"),
    )  # fmt: skip
    cli.compare(args, ctx)
    metrics = json.loads((root / "metrics.json").read_text())
    assert len(metrics["baseline"]["clean_test_acc"]["runs"]) == 2
    assert (
        len(metrics["ensembles"]["ensembles"]["bootstrap"]["2"]["max"]["adversarial_acc"]["runs"])
        == 2
    )
    assert isinstance(metrics["baseline"]["parameters"], int)
    comparison = pd.read_csv(root / "comparison.csv", keep_default_na=False)
    assert set(comparison["kind"]) == {"published", "qualitative"}
    judged = comparison[comparison["verdict"] != "not comparable"]
    assert len(judged) >= 8 and (judged["runs"].astype(int) == 2).all()
    receding = comparison[comparison["claim"].str.contains("recede")].iloc[0]
    assert receding["verdict"] != "not comparable" and receding["tolerance"] == "ours > 1.5"
    assert float(receding["ours"]) == pytest.approx(metrics["receding"]["nn_ratio"]["mean"])
