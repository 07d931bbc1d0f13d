"""Collect the per-model metrics into the post's table and compare it with claims.yaml."""

from __future__ import annotations

import pandas as pd

from dlrepro.studies.slash.spec import LABELS


def results_table(per_model: dict[str, dict]) -> pd.DataFrame:
    rows = [{"model": name, "label": LABELS[name], **m} for name, m in per_model.items()]
    return pd.DataFrame(
        rows, columns=["model", "label", "trainable_params", "train_acc", "test_acc"]
    )
