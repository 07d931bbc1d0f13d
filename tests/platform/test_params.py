"""Unit tests for params loading: deep merge, YAML reading and schema validation."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from dlrepro.core.params import (
    deep_merge,
    load_params,
    load_project_params,
    project_params_files,
    read_yaml,
    select,
    validate,
)
from dlrepro.errors import DlreproError
from dlrepro.paths import SCHEMA
from dlrepro.studies import STUDIES
from dlrepro.studies.slash import spec

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ROOT / "config" / "smoke.yaml"


def _override(tmp_path, text, name="override.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _load_with(tmp_path, text):
    return load_project_params(ROOT, [_override(tmp_path, text)])


# ----------------------------------------------------------------------------- real files


def test_params_yaml_validates():
    p = load_project_params(ROOT)
    assert p["seed"] == 20180601
    assert p["threads"] == 1
    assert p["device"] == "auto"
    assert p["slash"]["data"] == {
        "source": ["published", "generated"],
        "n_per_class": 500,
        "size": 30,
        "length": 4,
        "noise": 0.25,
    }
    assert p["slash"]["split"]["test_size"] == 250
    assert set(p["slash"]["models"]) == set(spec.MODELS)


def test_params_plus_smoke_validates_and_merges():
    p = load_project_params(ROOT, [SMOKE])
    d = p["slash"]["data"]
    assert d["n_per_class"] == 60  # overridden
    assert (d["size"], d["length"], d["noise"]) == (30, 4, 0.25)  # kept from params.yaml
    assert p["slash"]["split"]["test_size"] == 30
    m = p["slash"]["models"]
    assert m["random_forest"] == {"n_estimators": 3}
    assert m["vanilla_cnn"] == {
        "channels": 10,
        "epochs": 2,
        "batch_size": 32,
        "lr": 0.01,
        "weight_decay": 0.0,
    }
    assert m["custom_cnn"]["epochs"] == 3 and m["custom_cnn"]["filters"] == 2
    assert m["svm_rbf"] == {"kernel": "rbf", "C": 1.0, "gamma": "auto"}
    assert p["slash"]["figures"]["n_samples"] == 8
    assert p["seed"] == 20180601


def test_file_order_matters():
    p = load_params([SMOKE, *project_params_files(ROOT)])  # the project's last: they win
    assert p == load_project_params(ROOT)


def test_smoke_keeps_the_test_split_feasible():
    p = load_project_params(ROOT, [SMOKE])
    assert p["slash"]["split"]["test_size"] < 2 * p["slash"]["data"]["n_per_class"]


def test_empty_override_file_is_a_no_op(tmp_path):
    assert _load_with(tmp_path, "") == load_project_params(ROOT)
    assert _load_with(tmp_path, "# only a comment\n") == load_project_params(ROOT)


def test_load_params_accepts_str_paths():
    assert load_project_params(str(ROOT), [str(SMOKE)]) == load_project_params(ROOT, [SMOKE])


# ----------------------------------------------------------------------------- deep_merge


def test_deep_merge_nested_dicts_merge():
    base = {"a": {"b": 1, "c": {"d": 2, "e": 3}}, "f": 4}
    over = {"a": {"c": {"d": 20}, "g": 5}}
    assert deep_merge(base, over) == {"a": {"b": 1, "c": {"d": 20, "e": 3}, "g": 5}, "f": 4}


def test_deep_merge_scalars_and_lists_replace():
    base = {"x": [1, 2, 3], "y": 1, "z": {"k": 1}, "w": "s"}
    over = {"x": [9], "y": "one", "z": 7, "w": {"now": "a dict"}}
    assert deep_merge(base, over) == {"x": [9], "y": "one", "z": 7, "w": {"now": "a dict"}}


def test_deep_merge_none_replaces():
    assert deep_merge({"a": {"b": 1}}, {"a": None}) == {"a": None}


def test_deep_merge_does_not_mutate_inputs():
    base = {"a": {"b": [1, 2], "c": {"d": 1}}}
    over = {"a": {"c": {"d": 2}, "e": [3]}}
    base_copy, over_copy = copy.deepcopy(base), copy.deepcopy(over)
    merged = deep_merge(base, over)
    assert base == base_copy and over == over_copy
    # the result shares no mutable objects with the inputs
    merged["a"]["b"].append(99)
    merged["a"]["c"]["d"] = 100
    merged["a"]["e"].append(4)
    assert base == base_copy and over == over_copy


def test_deep_merge_empty_sides():
    assert deep_merge({}, {"a": {"b": 1}}) == {"a": {"b": 1}}
    assert deep_merge({"a": {"b": 1}}, {}) == {"a": {"b": 1}}


# ----------------------------------------------------------------------------- validation


def test_wrong_type_names_the_key_path(tmp_path):
    with pytest.raises(DlreproError) as exc:
        _load_with(tmp_path, 'slash: {data: {n_per_class: "ten"}}\n')
    msg = str(exc.value)
    assert "slash.data.n_per_class" in msg
    assert "override.yaml" in msg  # the source files are named
    assert "params.yaml" in msg


@pytest.mark.parametrize(
    "override, key",
    [
        ("slash: {split: {test_size: -5}}\n", r"slash\.split\.test_size"),  # negative size
        (
            "slash: {models: {vanilla_cnn: {epochs: 0}}}\n",
            r"slash\.models\.vanilla_cnn\.epochs",
        ),  # 0 is not positive
        ("slash: {data: {size: 30.5}}\n", r"slash\.data\.size"),  # float for an integer
        ("slash: {data: {noise: 1.5}}\n", r"slash\.data\.noise"),  # above its maximum
    ],
)
def test_out_of_range_values_name_the_key_path(tmp_path, override, key):
    with pytest.raises(DlreproError, match=key):
        _load_with(tmp_path, override)


def test_unknown_model_name_is_named(tmp_path):
    with pytest.raises(DlreproError) as exc:
        _load_with(tmp_path, "slash: {models: {gradient_boosting: {n_estimators: 100}}}\n")
    msg = str(exc.value)
    assert "slash.models" in msg
    assert "gradient_boosting" in msg


def test_unknown_hyper_parameter_is_named(tmp_path):
    with pytest.raises(DlreproError) as exc:
        _load_with(tmp_path, "slash: {models: {knn_k1: {weights: distance}}}\n")
    assert "slash.models.knn_k1" in str(exc.value)
    assert "weights" in str(exc.value)


def test_unknown_top_level_key_is_named(tmp_path):
    with pytest.raises(DlreproError, match="sead"):
        _load_with(tmp_path, "sead: 3\n")


def test_bad_device_enum(tmp_path):
    with pytest.raises(DlreproError) as exc:
        _load_with(tmp_path, "device: tpu\n")
    assert "device" in str(exc.value)
    assert "tpu" in str(exc.value)


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda"])
def test_valid_devices(tmp_path, device):
    assert _load_with(tmp_path, f"device: {device}\n")["device"] == device


def test_bad_kernel_and_gamma(tmp_path):
    with pytest.raises(DlreproError, match=r"slash\.models\.svm_rbf\.kernel"):
        _load_with(tmp_path, "slash: {models: {svm_rbf: {kernel: cubic}}}\n")
    with pytest.raises(DlreproError, match=r"slash\.models\.svm_rbf\.gamma"):
        _load_with(tmp_path, "slash: {models: {svm_rbf: {gamma: sometimes}}}\n")
    # numeric gamma is allowed
    assert _load_with(tmp_path, "slash: {models: {svm_rbf: {gamma: 0.01}}}\n")


def test_missing_required_section_is_named(tmp_path):
    with pytest.raises(DlreproError, match=r"slash\.figures"):
        _load_with(tmp_path, "slash: {figures: null}\n")


def test_missing_required_key_alone(tmp_path):
    # only the override: seed/threads/device/slash are all missing
    with pytest.raises(DlreproError, match="required"):
        load_params([_override(tmp_path, "seed: 1\n")])


def test_every_error_is_reported(tmp_path):
    with pytest.raises(DlreproError) as exc:
        _load_with(
            tmp_path, 'threads: 0\nslash: {data: {n_per_class: "ten"}, split: {test_size: -5}}\n'
        )
    msg = str(exc.value)
    for key in ("threads", "slash.data.n_per_class", "slash.split.test_size"):
        assert key in msg


def test_validate_directly():
    p = load_project_params(ROOT)
    validate(p)  # no exception
    bad = deep_merge(p, {"seed": -1})
    with pytest.raises(DlreproError, match=r"invalid my source"):
        validate(bad, source="my source")


# ----------------------------------------------------------------------------- reading files


def test_missing_file_is_named(tmp_path):
    missing = tmp_path / "no_such.yaml"
    with pytest.raises(DlreproError, match="no_such.yaml"):
        load_project_params(ROOT, [missing])


def test_directory_is_not_readable(tmp_path):
    with pytest.raises(DlreproError, match=re.escape(tmp_path.name)):
        read_yaml(tmp_path)


def test_malformed_yaml_is_named(tmp_path):
    bad = _override(tmp_path, "slash: {data: [unclosed\n", name="broken.yaml")
    with pytest.raises(DlreproError) as exc:
        load_project_params(ROOT, [bad])
    assert "broken.yaml" in str(exc.value)
    assert "YAML" in str(exc.value)


def test_top_level_not_a_mapping(tmp_path):
    bad = _override(tmp_path, "- 1\n- 2\n", name="list.yaml")
    with pytest.raises(DlreproError, match="list.yaml"):
        load_project_params(ROOT, [bad])


def test_read_yaml_empty_is_empty_dict(tmp_path):
    assert read_yaml(_override(tmp_path, "")) == {}


# ----------------------------------------------------------------------------- select


def test_select():
    p = load_project_params(ROOT)
    assert select(p, "slash.models.knn_k1") == {"n_neighbors": 1}
    assert select(p, "seed") == 20180601
    with pytest.raises(DlreproError, match="slash.models.nope"):
        select(p, "slash.models.nope")
    with pytest.raises(DlreproError):
        select(p, "seed.deeper")  # descending into a scalar


@pytest.mark.parametrize(
    "path", [*project_params_files(ROOT), ROOT / "config" / "smoke.yaml", SCHEMA], ids=str
)
def test_fast_yaml_loader_reads_the_same_values_as_pyyaml_safe_load(path):
    assert read_yaml(path) == yaml.safe_load(path.read_text())


# ----------------------------------------------------------------------------- project files


def _project(tmp_path, **files):
    """A scratch project: the real params files, with some replaced or added."""
    for f in project_params_files(ROOT):
        dest = tmp_path / f.relative_to(ROOT)
        dest.parent.mkdir(exist_ok=True)
        dest.write_text(f.read_text())
    for name, text in files.items():
        (tmp_path / name.replace("__", "/")).write_text(text)
    return tmp_path


def test_each_study_has_its_own_params_file_and_params_yaml_holds_the_platform():
    files = {f.name: read_yaml(f) for f in project_params_files(ROOT)}
    assert set(files.pop("params.yaml")) == {
        "scale", "seed", "threads", "device", "cpu_isa", "mirror", "published"
    }  # fmt: skip
    assert files == {f"{s}.yaml": {s: load_project_params(ROOT)[s]} for s in STUDIES}


def test_a_key_set_in_two_project_files_is_refused(tmp_path):
    root = _project(tmp_path)
    with open(root / "params.yaml", "a") as f:
        f.write("slash: {split: {test_size: 3}}\n")
    with pytest.raises(DlreproError, match=r"`slash` is set in both .*params.yaml and"):
        load_project_params(root)


def test_a_study_file_holds_only_its_own_section(tmp_path):
    root = _project(tmp_path, **{"params__slash.yaml": "slash: {}\nseed: 3\n"})
    with pytest.raises(DlreproError, match=r"slash.yaml: a study's params file holds only"):
        load_project_params(root)


def test_params_write_lays_out_the_merged_params_as_project_files(tmp_path):
    from dlrepro.cli import main

    assert main(["--params", str(SMOKE), "params", "--write", str(tmp_path)]) == 0
    assert load_project_params(tmp_path) == load_project_params(ROOT, [SMOKE])


def test_dvc_stages_read_a_studys_params_from_its_own_file():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert stages["slash_fit_sklearn-published-random_forest-0"]["params"] == [
        "threads", "cpu_isa", "seed",  # platform keys: params.yaml, DVC's default file
        {"params/slash.yaml": ["slash.models.random_forest"]},
    ]  # fmt: skip
