"""The quora study's runs: one train job per (variant, run seed) through the real step (the same
run repeated gives the same bytes, two runs differ), compare's description over runs, the claims'
kinds and verdicts, and the figures over runs (in-process, seconds)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from dlrepro.cli import main
from dlrepro.core import io
from dlrepro.core.claims import compare, load_claims
from dlrepro.core.params import load_project_params
from dlrepro.core.repeats import STAT_KEYS
from dlrepro.errors import DlreproError
from dlrepro.paths import ROOT, study_dir
from dlrepro.studies.quora import compare as qc
from dlrepro.studies.quora import figures
from dlrepro.studies.quora.spec import ordered_variants

SMOKE = ["--params", str(ROOT / "config/smoke.yaml")]
CLAIMS = study_dir("quora") / "claims.yaml"
PARAMS = load_project_params(ROOT, [ROOT / "config/smoke.yaml"])
VARIANTS = ordered_variants(PARAMS["quora"]["variants"])
RUNS = PARAMS["quora"]["runs"]
MODEL = "results/quora/models/{variant}/{run}"
N_CLAIMS = 40
N_JUDGED_ORDERS = 12  # 6 orderings of accuracy, 6 of precision (the BN placement is not judged)
COS_FAIL = 'unit norm + cosine distance 1 - cos: "Fail" (no better than the all-zeros baseline)'
NEG_MEAN_FAIL = (
    "unit norm + the linked code's cosine distance -mean(x*y): "
    '"Fail" (no better than the all-zeros baseline)'
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A scratch folder with the project's params (read from the cwd), as a job sees it."""
    shutil.copy(ROOT / "params.yaml", tmp_path)
    shutil.copytree(ROOT / "params", tmp_path / "params")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _record(variant: str, run: int, acc: float, **extra) -> dict:
    return {
        "variant": variant,
        "run": run,
        "train_acc": acc + 0.1,
        "test_acc": acc,
        "trainable_params": 1000 + len(variant),
        "test_majority_acc": 0.5,
        "test_positive_rate": 0.4,
        "test_precision": 0.6,
        "diverged": False,
        "diverged_epoch": None,
        **extra,
    }


def _records(runs: int = RUNS) -> list[dict]:
    return [
        _record(v, r, 0.6 + 0.01 * i + 0.001 * r)
        for i, v in enumerate(VARIANTS)
        for r in range(runs)
    ]


def _way(acc: float, precision: float | None = 0.6) -> dict:
    return {"test_acc": acc, "test_positive_rate": 0.4, "test_precision": precision}


def _evaluation(records: list[dict], **over) -> list[dict]:
    """The evaluate step's record of each trained record: the weights reproduce its numbers."""
    return [
        {
            "variant": r["variant"],
            "run": r["run"],
            "split": "random" if r["variant"].startswith("code_") else "prepared",
            "bn_test": "batch" if r["variant"].startswith("code_") else "running",
            "has_batchnorm": True,
            "test_majority_acc": r["test_majority_acc"],
            "running": _way(r["test_acc"], r["test_precision"]),
            "batch": _way(r["test_acc"] - 0.01, r["test_precision"]),
            **over.get(r["variant"], {}),
        }
        for r in records
    ]


def _summary(records: list[dict], **over) -> dict:
    return qc.summary(records, VARIANTS, _evaluation(records, **over))


# ----------------------------------------------------------------------------- the train step


def _features(path, n: int = 160, dim: int = 300) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    q1 = rng.normal(size=(n, dim)).astype(np.float32)
    q2 = (q1 + rng.normal(scale=1.0 + y[:, None], size=(n, dim))).astype(np.float32)
    io.write_npz(path, q1=q1, q2=q2, y=y, is_train=np.arange(n) < 120)


def _train(variant: str, run: int, out: str) -> None:
    argv = ["quora", "train", "--variant", variant, "--run", str(run),
            "--features", "data/processed/quora/features_spacy_tfidf.npz",
            "--weights", f"{out}/weights.pt", "--metrics", f"{out}/metrics.json",
            "--history", f"{out}/history.csv"]  # fmt: skip
    assert main([*SMOKE, *argv]) == 0


def test_train_run_seeds_repeat_and_differ(project):
    _features(project / "data/processed/quora/features_spacy_tfidf.npz")
    for run, out in ((0, "a"), (0, "b"), (1, "c")):
        _train("net_3layer_adam", run, out)
    a, b, c = (project / d for d in "abc")
    for f in ("weights.pt", "history.csv", "metrics.json"):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f  # the same run: the same bytes
    assert (a / "weights.pt").read_bytes() != (c / "weights.pt").read_bytes()
    assert json.loads((c / "metrics.json").read_text())["run"] == 1


# ----------------------------------------------------------------------------- compare


def test_summary_describes_every_variant_over_runs():
    result = _summary(_records())
    assert result["runs"] == RUNS and list(result["variants"]) == VARIANTS
    assert result["baseline"] == {"test_majority_acc": 0.5}
    for i, (name, m) in enumerate(result["variants"].items()):
        for key in ("train_acc", "test_acc", "test_positive_rate", "gain_over_majority"):
            assert set(m[key]) == set(STAT_KEYS) and len(m[key]["runs"]) == RUNS, (name, key)
        assert m["test_acc"]["runs"] == [0.6 + 0.01 * i + 0.001 * r for r in range(RUNS)]
        assert m["gain_over_majority"]["runs"] == pytest.approx(
            [a - 0.5 for a in m["test_acc"]["runs"]]
        )
        assert m["trainable_params"] == 1000 + len(name)  # the same in every run: one number
        assert m["diverged"] == {"all": False, "any": False, "runs": [False] * RUNS}
        ev = m["evaluated"]
        assert ev["running"]["test_precision"]["runs"] == [0.6] * RUNS
        assert ev["batch"]["test_acc"]["runs"] == pytest.approx(
            [a - 0.01 for a in m["test_acc"]["runs"]]
        )
        assert ev["own_minus_trained_max"] == pytest.approx(0 if ev["own"] == "running" else 0.01)
    table = qc.accuracy_table(result)
    assert list(table["variant"]) == VARIANTS and (table["runs"] == RUNS).all()
    assert {"test_acc_mean", "test_acc_sd", "test_acc_per_run"} <= set(table.columns)
    assert {"code_precision_mean", "bn_batch_test_acc_mean", "split"} <= set(table.columns)


def test_summary_keeps_runs_without_a_precision_aligned():
    records = _records()
    records[0] = {**records[0], "test_precision": None, "diverged": True, "diverged_epoch": 1}
    m = _summary(records)["variants"][VARIANTS[0]]
    assert m["test_precision"] == {"runs": [None, 0.6]}
    # no precision described over runs when a run has none: a claim on it is "missing"
    assert "test_precision" not in m["evaluated"]["running"]
    assert m["evaluated"]["running"]["test_precision_runs"] == [None, 0.6]
    assert m["diverged"]["runs"] == [True, False] and m["diverged_epoch"]["runs"] == [1, None]
    table = qc.accuracy_table(_summary(records))
    assert table["diverged_runs"].iloc[0] == 1 and pd.isna(table["code_precision_mean"].iloc[0])


def test_summary_baseline_is_the_prepared_splits_and_code_variants_keep_their_own():
    records = [
        {**r, "test_majority_acc": 0.55} if r["variant"].startswith("code_") else r
        for r in _records()
    ]
    result = _summary(records)
    assert result["baseline"] == {"test_majority_acc": 0.5}
    code = result["variants"]["code_spacy_tfidf"]
    assert code["test_majority_acc"] == 0.55 and code["evaluated"]["split"] == "random"
    assert code["gain_over_majority"]["runs"] == pytest.approx(
        [a - 0.55 for a in code["test_acc"]["runs"]]
    )
    with pytest.raises(DlreproError, match="evaluated runs"):
        qc.summary(records, VARIANTS, _evaluation(records)[1:])


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda rs: rs[:-1], "different numbers of runs"),
        (lambda rs: rs + [rs[0]], "twice"),
        (lambda rs: [{**r, "run": 5} if i == 1 else r for i, r in enumerate(rs)], "not 0..1"),
        (lambda rs: [{**rs[0], "trainable_params": 1}] + rs[1:], "trainable_params differs"),
        (
            lambda rs: [
                {**r, "test_majority_acc": 0.7} if r["variant"] == VARIANTS[1] else r for r in rs
            ],
            "majority baseline",
        ),  # fmt: skip
    ],
)
def test_summary_refuses_inconsistent_runs(change, match):
    records = change(_records())
    with pytest.raises(DlreproError, match=match):
        qc.summary(records, VARIANTS, _evaluation(records))


def test_compare_step_reads_every_variant_and_run(project):
    paths = []
    for rec in _records():
        path = f"{MODEL.format(variant=rec['variant'], run=rec['run'])}/metrics.json"
        io.write_json(path, rec)
        paths.append(path)
    out = "results/quora"
    io.write_json(f"{out}/evaluation.json", {"runs": _evaluation(_records())})
    argv = ["quora", "compare", "--metrics", *paths, "--evaluation", f"{out}/evaluation.json",
            "--claims", str(CLAIMS), "--table", f"{out}/table.csv",
            "--summary", f"{out}/metrics.json", "--comparison", f"{out}/comparison.csv"]  # fmt: skip
    assert main([*SMOKE, *argv]) == 0
    comparison = pd.read_csv(project / out / "comparison.csv", keep_default_na=False)
    assert len(comparison) == N_CLAIMS
    orders = comparison[comparison["tolerance"] == "order, beyond noise"]
    assert len(orders) == N_JUDGED_ORDERS and (orders["runs"].astype(int) == RUNS).all()
    # one variant missing a run: the params call for more files than were given
    assert main([*SMOKE, *argv[:3], *paths[:-1], *argv[3 + len(paths) :]]) != 0


# ----------------------------------------------------------------------------- claims


def _metrics(
    test_acc: dict[str, list[float]], majority: float = 0.5, precision: float | None = 0.6
) -> dict:
    records = [
        _record(v, r, acc, test_majority_acc=majority, test_precision=precision)
        for v in VARIANTS
        for r, acc in enumerate(test_acc.get(v, [0.7, 0.7]))
    ]
    return _summary(records)


def test_claims_kinds():
    claims = load_claims(CLAIMS)["claims"]
    kinds = {c["claim"]: c["kind"] for c in claims}
    assert [n for n, k in kinds.items() if k == "check"] == [
        "All-zeros (majority class) baseline: test accuracy",
        NEG_MEAN_FAIL,
    ]
    (fail,) = [c for c in claims if c["kind"] == "qualitative"]
    assert fail["post"] == "Fail" and fail["tolerance"]["below"] == 0.02
    assert fail["ours"] == "variants.unit_norm_cosine.gain_over_majority"
    # the threshold was fixed with the study, before any paper-scale run (git history)
    assert str(fail["fixed"]) == "2026-11-21"
    (code_fail,) = [c for c in claims if c["claim"] == NEG_MEAN_FAIL]
    assert code_fail["ours"] == "variants.cosine_post.gain_over_majority"
    for c in claims:
        if c["kind"] == "published" and "order" in c:  # the post's values, quoted in order
            values = [float(v) for v in c["post"].split("<")]
            assert values == sorted(values) and len(values) == len(c["order"]), c["claim"]


def test_every_number_and_ordering_is_compared_as_accuracy_and_as_precision():
    claims = load_claims(CLAIMS)["claims"]
    numbers = [c for c in claims if c["kind"] == "published" and "order" not in c]
    accuracy = {(c["variant"], c["post"]) for c in numbers if c["ours"].endswith(".test_acc")}
    precision = {(c["variant"], c["post"]) for c in numbers if "precision" in c["ours"]}
    assert accuracy == precision and len(accuracy) == 12  # 10 rows + 2 set up as the code
    accuracy_orders = [
        (c["post"], c["order"]) for c in claims if "order" in c and not c.get("optional")
    ]
    precision_orders = [c for c in claims if "order" in c and c.get("optional")]
    assert len(precision_orders) == len(accuracy_orders) - 1  # all but the BN placement
    for c in precision_orders:  # each has its accuracy twin, with the same post text
        assert all(p.endswith(".evaluated.running.test_precision") for p in c["order"])
        twin = [p.replace("evaluated.running.test_precision", "test_acc") for p in c["order"]]
        assert (c["post"], twin) in accuracy_orders, c["claim"]


def test_bn_placement_is_not_judged_because_the_code_swaps_it():
    (row,) = [c for c in load_claims(CLAIMS)["claims"] if c["claim"].startswith("BN placement")]
    assert row["post"] == "0.77 < 0.78" and "0.78" in row["not_comparable"]
    df = compare(load_claims(CLAIMS), _metrics({}), {"quora": {"data": {"source": "full"}}})
    assert df.set_index("claim").loc[row["claim"], "verdict"] == "not comparable"


def test_offline_data_judges_only_the_orderings_and_the_fails():
    df = compare(load_claims(CLAIMS), _metrics({}), {"quora": {"data": {"source": "bimpm"}}})
    judged = df[df["verdict"] != "not comparable"]
    assert set(judged["kind"]) == {"published", "qualitative", "check"}
    assert len(judged) == N_JUDGED_ORDERS + 2  # the orderings + the two "Fail" rows


def test_precision_orderings_are_not_judged_without_a_precision_below_paper_scale():
    metrics = _metrics({}, precision=None)
    smoke = {"scale": "smoke", "quora": {"data": {"source": "bimpm"}}}
    df = compare(load_claims(CLAIMS), metrics, smoke)
    rows = df[df["claim"].str.contains("(precision)", regex=False)]
    assert len(rows) == 6 and (rows["verdict"] == "not comparable").all()
    with pytest.raises(DlreproError, match="precision"):  # at paper scale a missing one is an error
        compare(load_claims(CLAIMS), metrics, {**smoke, "scale": "paper"})


@pytest.mark.parametrize(
    "gains, verdict",
    [
        ([0.0] * 5, "reproduced"),  # no better than the baseline in every run (5 runs)
        ([0.0, 0.2], "within noise"),
        ([0.2, 0.25, 0.22, 0.21, 0.23], "differs"),  # it learns in every run
    ],
)
def test_fail_is_judged_over_runs(gains, verdict):
    metrics = _metrics({v: [0.5 + g for g in gains] for v in VARIANTS})
    df = compare(load_claims(CLAIMS), metrics, {"quora": {"data": {"source": "bimpm"}}})
    row = df.set_index("claim").loc[COS_FAIL]
    assert row["kind"] == "qualitative" and row["verdict"] == verdict
    code_row = df.set_index("claim").loc[NEG_MEAN_FAIL]  # the same test, as a check
    assert code_row["verdict"] == {"reproduced": "passed", "differs": "failed"}.get(
        verdict, verdict
    )


def test_full_release_accuracy_within_noise_when_runs_vary_more_than_the_tolerance():
    params = {"quora": {"data": {"source": "full"}}}
    claim = "Spacy + Siamese: test accuracy"  # post 0.72
    steady = _metrics({"siamese_spacy": [0.719, 0.7192]}, majority=0.63)  # t(1) is wide
    noisy = _metrics({"siamese_spacy": [0.66, 0.78]}, majority=0.63)
    far = _metrics({"siamese_spacy": [0.60, 0.601]}, majority=0.63)
    for metrics, verdict in ((steady, "reproduced"), (noisy, "within noise"), (far, "differs")):
        df = compare(load_claims(CLAIMS), metrics, params).set_index("claim")
        assert df.loc[claim, "verdict"] == verdict
        assert df.loc["All-zeros (majority class) baseline: test accuracy", "verdict"] == "passed"


# ----------------------------------------------------------------------------- figures


def test_figures_draw_bands_over_runs_and_a_diverged_run(tmp_path):
    def history(epochs, shift):
        e = np.arange(1, epochs + 1)
        return pd.DataFrame(
            {"epoch": e, "loss": 1 / e + shift, "train_acc": 0.6, "test_acc": 0.5 + shift}
        )

    empty = pd.DataFrame(columns=["epoch", "loss", "train_acc", "test_acc"])
    histories = {
        "net_2layer": [history(3, 0.0), history(3, 0.1)],
        "resnet_dropout": [history(3, 0.0), history(1, 0.05)],  # the second run diverged
        "unit_norm_cosine": [empty, empty],  # both diverged in their first epoch
    }
    figures.learning_curves(histories, tmp_path / "curves.png")
    metrics = _metrics({"net_2layer": [0.6, 0.7]})
    figures.accuracy_chart(metrics, load_claims(CLAIMS), tmp_path / "accuracy.png")
    for name in ("curves", "accuracy"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
