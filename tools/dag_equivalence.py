"""Compare two checkouts' Snakemake DAGs job by job (refactoring check; not a test).

    python tools/dag_equivalence.py OLD_ROOT NEW_ROOT [--configfile config/smoke.yaml] [--rules PREFIX ...]

Per job (rule + wildcards): the shell command (`--log FILE` removed), data inputs, outputs,
params keys, threads and resources must be equal; code inputs are listed where they differ."""

import argparse
import json
import subprocess
import sys

DUMP = r"""
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, DAGSettings, OutputSettings, ResourceSettings
from snakemake.settings.enums import Quietness
root = Path(sys.argv[1]).resolve()
cfg = [Path(p).resolve() for p in sys.argv[2:]]
with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
    w = api.workflow(resource_settings=ResourceSettings(cores=2),
                     config_settings=ConfigSettings(configfiles=cfg),
                     snakefile=root / "Snakefile", workdir=root)
    w.dag(DAGSettings(forceall=True))
    wf = w._workflow
    wf._prepare_dag(forceall=True, ignore_incomplete=True, lock_warn_only=True, nolock=True)
    wf._build_dag()
    out = []
    for job in wf.dag.jobs:
        p = job.params.get("p", {}) if hasattr(job.params, "get") else {}
        out.append({"rule": job.rule.name, "wc": dict(job.wildcards_dict),
                    "cmd": " ".join((job.shellcmd or "").split()),
                    "input": sorted(map(str, job.input)), "output": sorted(map(str, job.output)),
                    "params": sorted(p or {}), "threads": job.threads,
                    "gpu": job.resources.get("gpu", 0)})
    print(json.dumps(out))
"""


def dump(root, configfiles):
    res = subprocess.run(
        [f"{root}/.venv/bin/python", "-c", DUMP, root, *configfiles],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if res.returncode:
        sys.exit(f"{root}: {res.stderr[-3000:]}")
    return {(j["rule"], json.dumps(j["wc"], sort_keys=True)): j for j in json.loads(res.stdout)}


def strip_log(cmd):
    words = cmd.split()
    while "--log" in words:
        i = words.index("--log")
        del words[i : i + 2]
    return " ".join(words)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--configfile", action="append", default=[])
    ap.add_argument("--rules", nargs="*", default=None, help="only rules starting with these")
    a = ap.parse_args()
    old, new = dump(a.old, a.configfile), dump(a.new, a.configfile)
    keep = lambda k: a.rules is None or any(k[0].startswith(r) for r in a.rules)  # noqa: E731
    bad = 0
    for k in sorted(set(old) | set(new)):
        if not keep(k):
            continue
        if k not in old or k not in new:
            print("ONLY IN", "new" if k in new else "old", k)
            bad += 1
            continue
        o, n = old[k], new[k]
        code = lambda j: {
            f for f in j["input"] if f.startswith("src/dlrepro/") and f.endswith(".py")
        }  # noqa: E731
        for field in ("params", "threads", "gpu"):
            if o[field] != n[field]:
                print("DIFF", field, k, o[field], "->", n[field])
                bad += 1
        if strip_log(o["cmd"]) != strip_log(n["cmd"]):
            print("DIFF cmd", k, "\n   ", o["cmd"], "\n   ", strip_log(n["cmd"]))
            bad += 1
        if sorted(set(o["input"]) - code(o)) != sorted(set(n["input"]) - code(n)):
            print("DIFF input", k, sorted(set(o["input"]) - code(o) ^ (set(n["input"]) - code(n))))
            bad += 1
        if o["output"] != n["output"]:
            print("DIFF output", k, sorted(set(o["output"]) ^ set(n["output"])))
            bad += 1
        if code(o) != code(n):
            print(
                "CODE", k, "added", sorted(code(n) - code(o)), "dropped", sorted(code(o) - code(n))
            )
    print(f"{len(old)} old jobs, {len(new)} new jobs, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
