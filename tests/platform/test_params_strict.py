"""Strict params: integers are integers, no key twice, YAML errors at file:line:column, in
every job (dlrepro) and in Snakemake before any job runs."""

from __future__ import annotations

import pytest
from conftest import ROOT, run

from dlrepro.cli import main
from dlrepro.core.params import load_project_params
from dlrepro.errors import DlreproError

PARAMS = ROOT / "params.yaml"


@pytest.mark.parametrize(
    "override, key",
    [
        ("seed: 20180601.0\n", "seed"),
        ("slash: {models: {vanilla_cnn: {epochs: 2.0}}}\n", "slash.models.vanilla_cnn.epochs"),
        ("slash: {models: {random_forest: {n_estimators: 3.0}}}\n", "slash.models.random_forest"),
    ],
)
def test_a_float_where_an_integer_goes_is_refused_naming_the_key(tmp_path, override, key):
    bad = tmp_path / "bad.yaml"
    bad.write_text(override)
    with pytest.raises(DlreproError, match="is not of type 'integer'") as exc:
        load_project_params(ROOT, [bad])
    assert key in str(exc.value)


def test_a_float_where_a_number_goes_is_fine(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("slash: {models: {vanilla_cnn: {lr: 1}}}\n")  # an int is a number
    assert load_project_params(ROOT, [ok])["slash"]["models"]["vanilla_cnn"]["lr"] == 1


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path):
    bad = tmp_path / "dup.yaml"
    bad.write_text("slash:\n  split: {test_size: 100}\n  split: {test_size: 200}\n")
    with pytest.raises(DlreproError) as exc:
        load_project_params(ROOT, [bad])
    assert str(exc.value) == f"{bad}:3:3: invalid YAML: duplicate key 'split' (first at line 2)"


def test_a_yaml_syntax_error_names_file_line_and_column(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\nslash: {split: {test_size: 100}\n")
    assert main(["--params", str(PARAMS), "--params", str(bad), "params"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:1: invalid YAML" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "text, message",
    [
        ("seed: 7\nseed: 8\n", "bad.yaml:2:1: invalid YAML: duplicate key 'seed'"),
        ("seed: 7.0\n", "seed: 7.0 is not of type 'integer'"),
    ],
)
def test_snakemake_refuses_them_before_any_job(tmp_path, text, message):
    from conftest import copy_repo

    repo = copy_repo(tmp_path / "repo")
    (repo / "bad.yaml").write_text(text)
    proc = run(["snakemake", "-n", "--configfile", "bad.yaml"], repo, check=False)
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr
    assert not (repo / "results").exists() or not any((repo / "results").rglob("*.json"))
