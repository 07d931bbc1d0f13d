"""Quora study through the real pipeline: outputs at smoke scale. (A damaged raw file: tests/pipeline/test_bad_input.py.)"""

from __future__ import annotations

import pandas as pd
from conftest import ROOT

MIRROR = ROOT.parent / "shared" / "data" / "raw"


def test_quora_smoke_outputs(smoke_build):
    repo = smoke_build
    comparison = pd.read_csv(repo / "results/quora/comparison.csv", keep_default_na=False)
    assert len(comparison) == 17
    # offline default data: numeric claims are not comparable, orderings are judged
    numeric = comparison[comparison["tolerance"] != "order"]
    assert (numeric["verdict"].iloc[:-1] == "not comparable").all()
    assert set(comparison[comparison["tolerance"] == "order"]["verdict"]) <= {
        "reproduced",
        "differs",
    }
    quirks = pd.read_csv(repo / "results/quora/quirks.csv", keep_default_na=False)
    assert {"quantity", "raw", "cleaned", "post"} <= set(quirks.columns)
    assert "404351" in quirks["post"].astype(str).tolist()
    table = pd.read_csv(repo / "results/quora/table.csv")
    assert len(table) == 11 and table["test_acc"].between(0, 1).all()
    page = (repo / "results/report/quora.html").read_text()
    assert "Data quirks" in page or "Quirks" in page
    assert "../quora/figures/accuracy.png" in page
