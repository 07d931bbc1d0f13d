"""The slash study's claims.yaml: one well-formed claim per model and metric, the post's numbers
as quoted, and the verdicts compare() gives for them (the claims machinery itself:
tests/platform/test_claims.py)."""

from __future__ import annotations

import pytest

from dlrepro.core.claims import compare, load_claims
from dlrepro.paths import study_dir
from dlrepro.studies.slash import spec

CLAIMS_YAML = study_dir("slash") / "claims.yaml"
METRICS = ("trainable_params", "train_acc", "test_acc")


@pytest.fixture(scope="module")
def slash_claims():
    return load_claims(CLAIMS_YAML)


def test_slash_claims_load(slash_claims):
    assert slash_claims["study"] == "slash"
    assert len(slash_claims["claims"]) == 27  # 9 models x 3 numbers


def test_slash_claims_paths(slash_claims):
    seen = set()
    for c in slash_claims["claims"]:
        parts = c["ours"].split(".")
        assert len(parts) == 3, c["ours"]
        head, name, metric = parts
        assert head == "models"
        assert name in spec.MODELS, c["ours"]
        assert metric in METRICS, c["ours"]
        seen.add((name, metric))
    # every model x metric exactly once
    assert seen == {(m, k) for m in spec.MODELS for k in METRICS}


def test_slash_claims_are_well_formed(slash_claims):
    names = [c["claim"] for c in slash_claims["claims"]]
    assert len(set(names)) == len(names)
    for c in slash_claims["claims"]:
        assert isinstance(c["post"], (int, float)) and not isinstance(c["post"], bool)
        if "not_comparable" in c:
            continue
        tol = c["tolerance"]
        assert len({"abs", "rel", "at_most", "at_least"} & set(tol)) == 1, c["claim"]
        assert tol.get("why"), f"{c['claim']}: tolerance without a reason"
        # the claim's label names the model it points at
        name = c["ours"].split(".")[1]
        assert c["claim"].startswith(spec.LABELS[name] + ":"), c["claim"]


def test_slash_claims_post_numbers_match_the_quote(slash_claims):
    # the quote lists params, train and test scores in the post's column order
    quote = slash_claims["quote"]
    numbers = [float(t) for t in quote.replace("/", " ").split() if t.replace(".", "").isdigit()]
    assert len(numbers) == 27
    columns = (
        "random_forest",
        "svm_linear",
        "svm_rbf",
        "svm_poly",
        "logistic_regression",
        "knn_default",
        "knn_k1",
        "vanilla_cnn",
        "custom_cnn",
    )
    expected = {}
    for row, metric in enumerate(METRICS):
        for col, name in enumerate(columns):
            expected[f"models.{name}.{metric}"] = numbers[row * 9 + col]
    for c in slash_claims["claims"]:
        assert float(c["post"]) == expected[c["ours"]], c["claim"]


def test_slash_claims_all_reproduced_when_ours_equals_post(slash_claims):
    metrics = {"models": {m: {} for m in spec.MODELS}}
    for c in slash_claims["claims"]:
        _, name, metric = c["ours"].split(".")
        metrics["models"][name][metric] = c["post"]
    df = compare(slash_claims, metrics)
    assert len(df) == 27
    assert set(df["verdict"]) == {"reproduced"}
    assert list(df["post"]) == list(df["ours"])


def test_slash_claims_expected_verdicts_for_our_architectures(slash_claims):
    # our CNNs' sizes are fixed by the architecture: 1041 (exact) and 37 (<= 80)
    metrics = {
        "models": {
            m: {"trainable_params": 0, "train_acc": 0.0, "test_acc": 0.0} for m in spec.MODELS
        }
    }
    metrics["models"]["vanilla_cnn"]["trainable_params"] = 1041
    metrics["models"]["custom_cnn"]["trainable_params"] = 37
    metrics["models"]["logistic_regression"]["trainable_params"] = 902  # one off: exact fails
    df = compare(slash_claims, metrics).set_index("claim")
    assert df.loc["Vanilla CNN: trainable params", "verdict"] == "reproduced"
    assert df.loc["Custom CNN: trainable params", "verdict"] == "reproduced"
    assert df.loc["Logistic Regression: trainable params", "verdict"] == "differs"
    assert df.loc["Custom CNN: trainable params", "tolerance"] == "ours ≤ post"
