"""The adversarial-ensembles study through the real pipeline, at smoke scale."""

from __future__ import annotations

import json

import pandas as pd
import yaml
from conftest import SMOKE, clone_built, planned_jobs


def test_adversarial_smoke_outputs(smoke_build):
    repo = smoke_build
    smoke = yaml.safe_load((repo / "config/smoke.yaml").read_text())["adversarial"]
    sizes = smoke["ensembles"]["sizes"]
    # one job (own weights + provenance) per member and kind, up to the largest size
    for kind in ("uniform", "bootstrap"):
        for member in range(max(sizes)):
            assert (repo / f"results/adversarial/members/{kind}/{member}/weights.pt").is_file()
    boot = json.loads((repo / "results/adversarial/members/bootstrap/0/metrics.json").read_text())
    n = smoke["data"]["train_size"]
    assert 0.55 * n < boot["distinct_training_images"] < 0.72 * n  # ~63% distinct in a resample

    runs = smoke["runs"]
    for run in range(runs):  # one baseline, attack, adversarial training, ensembles per run
        out = repo / f"results/adversarial/runs/{run}"
        ensembles = pd.read_csv(out / "ensembles.csv")
        assert len(ensembles) == 2 * len(sizes) * 2  # kinds x sizes x {mean, max}
        assert ensembles[["clean_acc", "adversarial_acc"]].stack().between(0, 1).all()
        subsets = json.loads((out / "ensembles.json").read_text())["subsets"]
        assert subsets["uniform"][str(max(sizes))] == list(range(max(sizes)))  # the whole pool

        attack = json.loads((out / "attack.json").read_text())
        assert attack["eps"] == 0.3 and abs(attack["max_abs_perturbation"] - 0.3) < 1e-6
        assert attack["adversarial_test_acc"] < attack["clean_test_acc"]
        sweep = pd.read_csv(out / "attack_sweep.csv")
        assert sweep["test_acc"].iloc[0] == attack["clean_test_acc"]  # eps = 0 is the clean set
        assert (repo / f"data/processed/adversarial/runs/{run}/fgsm_test.npz").is_file()
        at_eps = json.loads((out / "ensemble_eps.json").read_text())
        assert at_eps["eps"] == sorted(smoke["ensemble_eps"]["eps"])
        assert json.loads((out / "receding.json").read_text())["n"] == smoke["data"]["test_size"]
    weights = [
        (repo / f"results/adversarial/runs/{r}/models/baseline/weights.pt").read_bytes()
        for r in range(runs)
    ]
    assert len(set(weights)) == runs  # every run seed trains another baseline
    metrics = json.loads((repo / "results/adversarial/metrics.json").read_text())
    assert len(metrics["attack"]["adversarial_test_acc"]["runs"]) == runs

    comparison = pd.read_csv(repo / "results/adversarial/comparison.csv", keep_default_na=False)
    assert set(comparison["verdict"]) <= {"reproduced", "within noise", "differs", "not comparable"}
    assert set(comparison["kind"]) == {"published", "qualitative"}
    # the post's N = 5/25/50 are not in the smoke run: those claims say so, the rest are judged
    skipped = comparison[comparison["claim"].str.contains("N=5|N=25|N=50|5 < 25")]
    assert len(skipped) >= 10 and (skipped["verdict"] == "not comparable").all()
    judged = comparison[
        comparison["claim"].str.startswith(("Baseline", "Adversarial training:", "Adversarials"))
    ]
    assert len(judged) >= 5 and (judged["verdict"] != "not comparable").all()

    page = (repo / "results/report/adversarial.html").read_text()
    for fig in (
        "samples.png",
        "accuracy_vs_eps.png",
        "ensembles.png",
        "ensembles_vs_eps.png",
        "tsne.png",
    ):
        assert f"../adversarial/figures/{fig}" in page
    assert 'href="adversarial.html"' in (repo / "results/report/index.html").read_text()


def test_ensemble_sizes_change_reuses_the_trained_members(smoke_build, tmp_path):
    repo = clone_built(smoke_build, tmp_path / "clone")
    smoke = yaml.safe_load((repo / "config/smoke.yaml").read_text())
    smoke["adversarial"]["ensembles"]["sizes"] = [2]
    (repo / "config/smoke.yaml").write_text(yaml.safe_dump(smoke))
    assert planned_jobs(repo, *SMOKE) == {
        "adversarial_ensemble": smoke["adversarial"]["runs"],  # one per run
        "adversarial_ensemble_eps": smoke["adversarial"]["runs"],  # the same subsets at other eps
        "adversarial_compare": 1,
        "adversarial_figures": 1,
        "report": 1,
    }
    # a larger ensemble trains only the new members
    smoke["adversarial"]["ensembles"]["sizes"] = [1, 3]
    (repo / "config/smoke.yaml").write_text(yaml.safe_dump(smoke))
    jobs = planned_jobs(repo, *SMOKE)
    assert jobs.get("adversarial_member") == 2 and "adversarial_baseline" not in jobs
    assert "adversarial_attack" not in jobs and "adversarial_advtrain" not in jobs
