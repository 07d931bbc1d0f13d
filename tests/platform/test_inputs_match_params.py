"""A step refuses inputs that do not match its params (a DAG built with other params)."""

from __future__ import annotations

from conftest import ROOT

from dlrepro.cli import main

SMOKE = ["--params", str(ROOT / "params.yaml"), "--params", str(ROOT / "config/smoke.yaml")]
MEMBER = "results/adversarial/members/{kind}/{i}/weights.pt"


def _ensemble(tmp_path, members, sizes):
    override = tmp_path / "sizes.yaml"
    override.write_text(f"adversarial: {{ensembles: {{sizes: {sizes}}}}}\n")
    out = tmp_path / "ensembles.json"
    code = main(
        [*SMOKE, "--params", str(override), "adversarial", "ensemble", "--run", "0",
         "--data", "data/processed/mnist/mnist.npz", "--examples", "x.npz",
         "--baseline", "b.pt", "--members", *members,
         "--table", str(tmp_path / "e.csv"), "--metrics", str(out)]
    )  # fmt: skip
    return code, out


def test_an_ensemble_larger_than_its_members_is_refused(tmp_path, capsys):
    # `dvc exp run -S adversarial.ensembles.sizes=[1,2,3]` with a dvc.yaml of 2 members per kind
    two = [MEMBER.format(kind=k, i=i) for k in ("uniform", "bootstrap") for i in range(2)]
    code, out = _ensemble(tmp_path, two, [1, 2, 3])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "--members got 4 file(s), the params call for 6" in err
    assert "missing: results/adversarial/members/bootstrap/2/weights.pt" in err
    assert "dlrepro dvc-yaml" in err and "Traceback" not in err


def test_extra_members_are_refused_too(tmp_path, capsys):
    three = [MEMBER.format(kind=k, i=i) for k in ("uniform", "bootstrap") for i in range(3)]
    code, _ = _ensemble(tmp_path, three, [1, 2])
    assert code == 2 and "not called for: results/adversarial/members/bootstrap/2" in (
        capsys.readouterr().err
    )
