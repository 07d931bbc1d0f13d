"""Quora study through the real pipeline: outputs at smoke scale. (A damaged raw file: tests/pipeline/test_bad_input.py.)"""

from __future__ import annotations

import pandas as pd
from conftest import ROOT

MIRROR = ROOT.parent / "shared" / "data" / "raw"


def test_quora_smoke_outputs(smoke_build):
    repo = smoke_build
    comparison = pd.read_csv(repo / "results/quora/comparison.csv", keep_default_na=False)
    assert len(comparison) == 17
    # offline default data: the post's accuracies (and the baseline check) are not comparable;
    # the orderings and the qualitative "Fail" are judged over the runs
    orders = comparison["tolerance"] == "order, beyond noise"
    fail = comparison["kind"] == "qualitative"
    assert orders.sum() == 5 and fail.sum() == 1
    assert (comparison[~orders & ~fail]["verdict"] == "not comparable").all()
    assert set(comparison[orders | fail]["verdict"]) <= {"reproduced", "within noise", "differs"}
    assert (comparison[orders | fail]["runs"].astype(int) == 2).all()  # smoke: 2 runs
    quirks = pd.read_csv(repo / "results/quora/quirks.csv", keep_default_na=False)
    assert {"quantity", "raw", "cleaned", "post"} <= set(quirks.columns)
    assert "404351" in quirks["post"].astype(str).tolist()
    table = pd.read_csv(repo / "results/quora/table.csv")
    assert len(table) == 11 and table["test_acc_mean"].between(0, 1).all()
    assert (table["runs"] == 2).all()
    page = (repo / "results/report/quora.html").read_text()
    assert "Data quirks" in page or "Quirks" in page
    assert "../quora/figures/accuracy.png" in page
