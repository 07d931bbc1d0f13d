"""Quora study through the real pipeline: outputs at smoke scale. (A damaged raw file: tests/pipeline/test_bad_input.py.)"""

from __future__ import annotations

import pandas as pd
from conftest import ROOT

MIRROR = ROOT.parent / "shared" / "data" / "raw"


def test_quora_smoke_outputs(smoke_build):
    repo = smoke_build
    comparison = pd.read_csv(repo / "results/quora/comparison.csv", keep_default_na=False)
    assert len(comparison) == 40
    # offline default data: the post's accuracies and precisions (and the baseline check) are
    # not comparable; the orderings and the two "Fail" rows are judged over the runs
    orders = comparison["tolerance"] == "order, beyond noise"
    precision_orders = comparison["claim"].str.contains("(precision)", regex=False)
    fail = comparison["claim"].str.contains('"Fail"')
    assert (orders & ~precision_orders).sum() == 6 and fail.sum() == 2
    # a 1-epoch model may call no pair a duplicate: no precision, its orderings not judged
    assert (orders | precision_orders).sum() == 12
    assert (comparison[~orders & ~fail]["verdict"] == "not comparable").all()
    judged = comparison[orders | fail]
    assert set(judged["verdict"]) <= {"reproduced", "within noise", "differs", "passed"}
    assert (judged["runs"].astype(int) == 2).all()  # smoke: 2 runs
    # the code's cosine calls every pair a duplicate: its "Fail" holds by construction
    assert comparison.loc[fail & (comparison["kind"] == "check"), "verdict"].tolist() == ["passed"]
    quirks = pd.read_csv(repo / "results/quora/quirks.csv", keep_default_na=False)
    assert {"quantity", "raw", "cleaned", "post"} <= set(quirks.columns)
    assert "404351" in quirks["post"].astype(str).tolist()
    table = pd.read_csv(repo / "results/quora/table.csv")
    assert len(table) == 14 and table["test_acc_mean"].between(0, 1).all()
    assert (table["runs"] == 2).all()
    # the evaluate step's scores of the saved weights reproduce the trained ones (same CPU)
    assert (table["evaluated_minus_trained_max"] == 0).all()
    assert set(table["split"]) == {"prepared", "random"}
    page = (repo / "results/report/quora.html").read_text()
    assert "Data quirks" in page or "Quirks" in page
    assert "../quora/figures/accuracy.png" in page
