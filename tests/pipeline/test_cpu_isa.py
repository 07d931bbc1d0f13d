"""`cpu_isa: avx2` makes a trained model's bytes independent of the kernels the CPU offers.

One machine cannot be two, so the other machine's choice is simulated the way torch reads it:
each run inherits a different ATEN_CPU_CAPABILITY / ONEDNN_MAX_CPU_ISA from its environment
(what a wider or narrower CPU would pick). Under the cap the step overrides both and the weights
are equal; under `native` on an AVX-512 CPU they differ (measured in issue 13: the slash
Vanilla CNN's weights on an AVX-512 VM differ from the AVX2 builder's without the cap).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from dlrepro.cli import main
from dlrepro.core.provenance import machine
from dlrepro.paths import ROOT

SMOKE = [
    "--params",
    str(ROOT / "params.yaml"),
    "--params",
    str(ROOT / "config" / "smoke.yaml"),
]
WIDE = {"ATEN_CPU_CAPABILITY": "avx512", "ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}
NARROW = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}


def _train(tmp_path, split, name, cpu_isa, inherited):
    override = tmp_path / f"{name}.yaml"
    override.write_text(f"cpu_isa: {cpu_isa}\n")
    out = tmp_path / name
    out.mkdir()
    env = {k: v for k, v in __import__("os").environ.items() if k not in WIDE}
    subprocess.run(
        [sys.executable, "-m", "dlrepro", *SMOKE, "--params", str(override),
         "--provenance", str(out / "prov.json"), "slash", "train",
         "--source", "generated", "--model", "vanilla_cnn", "--run", "0", "--split", str(split), "--weights", str(out / "w.pt"),
         "--metrics", str(out / "m.json"), "--history", str(out / "h.csv")],
        check=True, env={**env, **inherited, "PYTHONHASHSEED": "0"}, capture_output=True,
    )  # fmt: skip
    record = json.loads((out / "prov.json").read_text())
    return hashlib.sha256((out / "w.pt").read_bytes()).hexdigest(), record["environment"]


def test_the_cap_makes_weights_independent_of_the_cpus_kernels(tmp_path):
    data, split = tmp_path / "data.npz", tmp_path / "split.npz"
    assert main([*SMOKE, "slash", "generate", "--out", str(data)]) == 0
    assert (
        main(
            [
                *SMOKE,
                "slash",
                "split",
                "--source",
                "generated",
                "--run",
                "0",
                "--data",
                str(data),
                "--out",
                str(split),
            ]
        )
        == 0
    )

    wide, env_wide = _train(tmp_path, split, "wide", "avx2", WIDE)
    narrow, env_narrow = _train(tmp_path, split, "narrow", "avx2", NARROW)
    assert wide == narrow
    assert env_wide["cpu_isa"] == env_narrow["cpu_isa"] == {"cap": "avx2", "aten": "AVX2"}

    native, env_native = _train(tmp_path, split, "native", "native", WIDE)
    if "avx512f" in machine()["isa"]:
        # the test has teeth here: the CPU's own choice gives other bytes, and says so
        assert env_native["cpu_isa"] == {"cap": "native", "aten": "AVX512"}
        assert native != narrow
    else:  # an AVX2 CPU's own choice is the cap: same kernels, same bytes
        assert native == narrow
