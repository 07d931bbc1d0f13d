"""The `dlrepro` entry point: clear errors (exit 2, no traceback) and nothing written."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dlrepro.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_invalid_params_exit_2_naming_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slash: {split: {test_size: -5}}\n")
    out = tmp_path / "data.npz"
    code = main(
        [
            "--params",
            str(ROOT / "params.yaml"),
            "--params",
            str(bad),
            "slash",
            "generate",
            "--out",
            str(out),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "slash.split.test_size" in err and "Traceback" not in err
    assert not out.exists()


def test_missing_input_is_reported_before_any_work(tmp_path, capsys):
    out = tmp_path / "split.npz"
    code = main(
        [
            "--params",
            str(ROOT / "params.yaml"),
            "slash",
            "split",
            "--source",
            "generated",
            "--run",
            "0",
            "--data",
            str(tmp_path / "nope.npz"),
            "--out",
            str(out),
        ]
    )
    assert code == 2
    assert "nope.npz" in capsys.readouterr().err
    assert not out.exists()


def test_step_writes_output_and_provenance(tmp_path):
    out, prov = tmp_path / "slash_data.npz", tmp_path / "prov.json"
    smoke = ROOT / "config" / "smoke.yaml"
    assert (
        main(
            [
                "--params",
                str(ROOT / "params.yaml"),
                "--params",
                str(smoke),
                "--provenance",
                str(prov),
                "slash",
                "generate",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    import json

    import numpy as np

    record = json.loads(prov.read_text())
    assert record["step"] == "slash generate"
    assert record["outputs"] == {
        str(out): __import__("hashlib").sha256(out.read_bytes()).hexdigest()
    }
    assert record["params"]["slash"]["data"]["n_per_class"] == 60
    assert record["environment"]["threads"] == 1 and "torch" in record["environment"]["libraries"]
    with np.load(out) as data:
        assert sorted(data.files) == ["x", "y"] and data["x"].shape == (120, 30, 30)


@pytest.mark.parametrize("argv", [["slash", "fit", "--model", "xgboost"], ["nostudy"]])
def test_unknown_choices_are_usage_errors(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_building_the_parser_imports_no_heavy_library():
    """Every pipeline job builds the full parser first; a study CLI that imports torch, pandas
    or scikit-learn at parser time adds seconds to every job of every study."""
    code = (
        "import sys; from dlrepro.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('torch', 'pandas', 'sklearn', 'matplotlib', 'scipy', "
        "'spacy', 'gensim') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv, loaded",
    [
        (["fetch", "--name", "mnist_train_images", "--out", "x"], {"dlrepro.data.steps"}),
        # the published Slash file comes through the shared fetch step, as MNIST's files do
        (["slash", "split", "--help"], {"dlrepro.studies.slash.cli", "dlrepro.data.steps"}),
        (["shattered", "measure", "--help"], {"dlrepro.studies.shattered.cli"}),
    ],
)
def test_a_job_imports_only_its_own_declarations(argv, loaded):
    """A job's code inputs are computed from its own declarations' imports; loading every
    study's (or the shared data steps') would make each job depend on all of them."""
    code = (
        "import json, sys; from dlrepro.cli import build_parser; build_parser(sys.argv[1:]); "
        "print(json.dumps(sorted(m for m in sys.modules if m.endswith('.cli') and "
        "m.startswith('dlrepro.studies.') or m == 'dlrepro.data.steps')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], check=True, capture_output=True, text=True
    )
    assert set(json.loads(out.stdout)) == loaded
