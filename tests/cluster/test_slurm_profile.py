"""The SLURM profile (workflow/profiles/slurm): per-rule resources, GPU requests, and the smoke
pipeline run through a real single-node SLURM with the same bytes as a local run."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import SMOKE, artifact_hashes, assert_same_artifacts, copy_repo, run
from slurm_cluster import slurm  # noqa: F401  (the fixture)
from snakemake_executor_plugin_slurm.utils import set_gres_string

from dlrepro.pipeline import registry
from dlrepro.studies import STUDIES

PROFILE = "workflow/profiles/slurm"
SLURM_STUDIES = ("adversarial",)
SLURM_TARGETS = [*SLURM_STUDIES, "results/slash/published/models/random_forest/0/metrics.json"]

# For the hand-started test cluster only (see slurm_cluster.py); a real cluster needs none.
TEST_CLUSTER_ARGS = [
    "--slurm-status-command",
    "squeue",  # no slurmdbd: sacct would never see a job end
    "--slurm-no-account",  # no accounting: no account to guess (sacctmgr)
    # smoke jobs take seconds; the plugin's default first status check is after 40 s
    "--slurm-init-seconds-before-status-checks",
    "5",
]


def job_resources(repo: Path, *args: str) -> list[tuple[str, dict]]:
    """(rule, resources) of every job of a dry run, as Snakemake resolved them."""
    out = run(["snakemake", "--dry-run", *args], repo).stdout
    jobs, rule = [], None
    for line in out.splitlines():
        if m := re.fullmatch(r"(?:local)?rule (\w+):", line.strip()):
            rule = m.group(1)
        elif line.strip().startswith("resources:") and rule not in ("all", *STUDIES):
            pairs = (kv.split("=", 1) for kv in line.split(":", 1)[1].strip().split(", "))
            jobs.append((rule, {k: int(v) if v.isdigit() else v for k, v in pairs}))
    return jobs


class _Job:
    """Just enough of a Snakemake job for the plugin's `set_gres_string`."""

    def __init__(self, resources: dict):
        self.resources = type("R", (dict,), {"__getattr__": dict.__getitem__})(resources)


def test_profile_gives_every_rule_resources_and_keeps_the_rules_gpu_requests(tmp_path):
    repo = copy_repo(tmp_path)
    # runtime and memory come from each step's declaration, not from a profile entry per rule
    declared = {s.rule: s for s in registry.all_steps()}
    for rule, res in job_resources(repo, "--workflow-profile", PROFILE):
        if rule in declared:
            assert (res["runtime"], res["mem_mb"]) == (
                declared[rule].runtime,
                declared[rule].mem_mb,
            ), (rule, res)

    # The GPU request is the rule's own `gpu` resource (no profile entry to forget): the
    # profile must keep it, and the plugin must turn it into `sbatch --gpus=N`.
    declared = {r for r, res in job_resources(repo) if res.get("gpu")}  # local profile
    assert declared >= {"slash_train_cnn", "quora_train"}
    for rule, res in job_resources(repo, "--workflow-profile", PROFILE):
        assert {"runtime", "mem_mb", "cpus_per_task"} <= res.keys(), (rule, res)
        gres = set_gres_string(_Job(res))
        assert ("--gpus=1" in gres) == (rule in declared), (rule, gres)


def slurm_jobs(cluster) -> list[dict]:
    """Every job slurmctld knows (it keeps finished ones for MinJobAge), one dict each."""
    out = cluster.check(["scontrol", "--oneliner", "show", "job"])
    return [
        dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        for line in out.splitlines()
        if line.strip()
    ]


def rule_of(slurm_job: dict) -> str:
    """The rule of a SLURM job: the plugin comments it `rule_<name>[_wildcards_<values>]`."""
    return re.match(r"rule_(\w+?)(_wildcards_|$)", slurm_job["Comment"]).group(1)


def test_smoke_pipeline_through_slurm_is_byte_identical_to_local(smoke_build, slurm, tmp_path):  # noqa: F811
    repo = copy_repo(tmp_path)
    # a part of the smoke DAG (the full smoke build is the local reference): one study whole
    # (MNIST from the mirror, PyTorch training, wildcard ensemble members, GPU-tagged rules) and
    # one scikit-learn job with its data steps; each SLURM job costs seconds of its own
    targets = [*SLURM_TARGETS, *SMOKE]
    gpu_rules = {r for r, res in job_resources(repo, *targets) if res.get("gpu")}
    planned = [r for r, _ in job_resources(repo, "--workflow-profile", PROFILE, *targets)]

    proc = run(
        ["snakemake", "--workflow-profile", PROFILE, *targets, *TEST_CLUSTER_ARGS],
        repo,
        check=False,
    )
    log = proc.stdout + proc.stderr
    # the plugin deletes the SLURM logs of successful jobs: what is left is a failed job's
    failed = "".join(
        f"--- {p}:\n{p.read_text()[-2000:]}\n"
        for p in sorted((repo / ".snakemake/slurm_logs").rglob("*.log"))
    )
    assert proc.returncode == 0, (
        f"snakemake through SLURM failed:\n{log[-6000:]}\n{failed}{slurm.logs()}"
    )

    # every job went through SLURM and finished there
    jobs = slurm_jobs(slurm)
    submitted = re.findall(r"submitted with SLURM jobid (\d+)", log)
    assert sorted(submitted) == sorted(j["JobId"] for j in jobs)
    assert sorted(planned) == sorted(rule_of(j) for j in jobs)
    assert {j["JobState"] for j in jobs} == {"COMPLETED"}, jobs

    # GPU rules asked SLURM for a GPU (the node's fake GRES), the others did not
    assert gpu_rules
    for j in jobs:
        assert (j.get("TresPerJob") == "gres:gpu:1") == (rule_of(j) in gpu_rules), j

    # same bytes as the local run, provenance records included: the command line, threads and
    # device (cpu: torch is a CPU build) are the same under SLURM
    cluster = artifact_hashes(repo)
    assert len(cluster) >= 30
    assert_same_artifacts(cluster, artifact_hashes(smoke_build), studies=SLURM_STUDIES)
    assert SLURM_TARGETS[-1] in cluster
