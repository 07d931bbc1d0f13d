"""Unit tests of the dilation study: receptive field by gradient support vs formula, parameters."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlrepro.studies.dilation.cli import measure_stacks, summarise
from dlrepro.studies.dilation.receptive_field import (
    dilations,
    figure_layers,
    formula,
    input_gradient,
    measure,
    stack,
    support,
)


def test_dilations_and_formula():
    assert dilations(4, True) == [1, 2, 4, 8] and dilations(3, False) == [1, 1, 1]
    assert [formula(3, dilations(L, True)) for L in range(1, 6)] == [
        2 ** (L + 1) - 1 for L in range(1, 6)
    ]
    assert [formula(3, dilations(L, False)) for L in range(1, 6)] == [
        2 * L + 1 for L in range(1, 6)
    ]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=4),
    st.sampled_from([2, 3, 5]),
    st.integers(0, 1000),
)
def test_measured_receptive_field_equals_formula_for_any_dilations(rates, kernel, seed):
    m = measure(1, rates, kernel, 2, seed)
    assert m["rf_measured"] == formula(kernel, rates)


def test_holes_are_counted_when_dilations_skip_inputs():
    # dilation 2 then 2: taps only at even offsets; a 1-dilated first layer fills them
    assert measure(1, [2, 2], 3, 1, 0)["holes"] > 0
    assert measure(1, [1, 2, 4], 3, 1, 0)["holes"] == 0
    assert measure(2, [2], 3, 1, 0) == {
        "rf_measured": 5,
        "rf_formula": 5,
        "nonzero_inputs": 9,
        "holes": 16,
        "parameters": 9,
    }


def test_gradient_support_of_a_single_dilated_layer_is_its_taps():
    grad = input_gradient(stack(1, [4], 3, 1, 0), 1, 11, 1)
    assert np.flatnonzero(grad).tolist() == [1, 5, 9]
    assert support(grad) == (9, 3)


def test_stack_weights_are_positive_and_seeded():
    a, b = stack(2, [1, 2], 3, 2, 5), stack(2, [1, 2], 3, 2, 5)
    for la, lb in zip(a, b):
        assert torch.equal(la.weight, lb.weight) and (la.weight > 0).all() and la.bias is None
    assert [layer.dilation for layer in a] == [(1, 1), (2, 2)]


def test_figure_layers_match_the_posts_figure():
    layers = figure_layers([1, 2, 4], 3, 17, 0)
    sides = [int(layers[f"rf_{layer}"].any(axis=1).sum()) for layer in (1, 2, 3)]
    assert sides == [3, 7, 15]
    assert [int(layers[f"taps_{layer}"].sum()) for layer in (1, 2, 3)] == [9, 9, 9]
    rows = np.nonzero(layers["taps_3"].any(axis=1))[0]
    assert np.diff(rows).tolist() == [4, 4]  # the inputs of a 4-dilated unit, 4 apart


@pytest.fixture(scope="module")
def table():
    return measure_stacks({"dims": [1, 2], "max_depth": 4, "kernel_size": 3, "channels": 2}, 1)


def test_summary_of_stacks(table):
    s = summarise(table, 3)
    assert s["formula_mismatches"] == 0 and s["holes"] == 0
    assert s["dilated_rf_max_deviation_from_exponential"] == 0
    assert s["parameters_max_difference_dilated_vs_undilated"] == 0
    assert s["parameters_max_deviation_from_linear"] == 0
    assert s["deepest"] == {
        "depth": 4,
        "rf_dilated_1d": 31,
        "rf_dilated_2d": 31,
        "rf_undilated_1d": 9,
        "rf_undilated_2d": 9,
    }
    two_d = table[(table["dims"] == 2) & (table["depth"] == 3)].set_index("stack")
    assert two_d.loc["dilated", "parameters"] == 3 * 2 * 2 * 9


def test_summary_detects_a_wrong_measurement(table):
    broken = table.copy()
    broken.loc[0, "rf_measured"] += 2
    assert summarise(broken, 3)["formula_mismatches"] == 1


@pytest.mark.parametrize(
    "override, key",
    [
        ("dilation: {kernel_size: 4}\n", r"dilation\.kernel_size"),  # even: no centred field
        ("dilation: {dims: [3]}\n", r"dilation\.dims"),
        ("correlation: {cases: [[8, 8, 1, 1]]}\n", r"correlation\.cases"),  # 1x1 is its own flip
        ("kernels: {gif: {frame_ms: 0}}\n", r"kernels\.gif\.frame_ms"),
    ],
)
def test_invalid_params_of_the_conv_anatomy_studies_name_the_key(tmp_path, override, key):
    from pathlib import Path

    from dlrepro.core.params import load_project_params
    from dlrepro.errors import DlreproError

    (tmp_path / "override.yaml").write_text(override)
    root = Path(__file__).resolve().parents[3]
    with pytest.raises(DlreproError, match=key):
        load_project_params(root, [tmp_path / "override.yaml"])


def test_claims_are_checks_that_pass_on_measured_stacks_and_fail_on_a_wrong_one(table):
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    claims = load_claims(study_dir("dilation") / "claims.yaml")
    assert all(c["kind"] == "check" and c["why"] for c in claims["claims"])
    params = {"scale": "smoke", "dilation": {"kernel_size": 3, "figure_dilations": [1, 2, 4]}}
    layers = figure_layers([1, 2, 4], 3, 17, 0)
    figure = {f"rf_layer{i}": int(layers[f"rf_{i}"].any(axis=1).sum()) for i in (1, 2, 3)}
    result = compare(claims, {**summarise(table, 3), "figure": figure}, params)
    assert (result["verdict"] == "passed").all(), result
    broken = table.copy()
    broken.loc[0, "rf_measured"] += 2
    result = compare(claims, {**summarise(broken, 3), "figure": figure}, params)
    assert "failed" in set(result["verdict"])
