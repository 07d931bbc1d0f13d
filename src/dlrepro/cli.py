"""`dlrepro ...`: the one entry point every pipeline rule calls (so Snakemake and DVC run the
identical command).

    dlrepro [--params FILE ...] [--provenance FILE] <study> <step> [options]
    dlrepro params [--params FILE ...]     print the merged, validated params
    dlrepro dvc-yaml [--check]             (re)generate dvc.yaml from the Snakemake workflow
    dlrepro pull [-r REMOTE]               artifacts from the DVC remote, nothing left to rerun
    dlrepro verify [TARGET ...]            rebuild in a scratch copy, compare every hash with dvc.lock
    dlrepro report ...                     build results/report/
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from dlrepro.errors import DlreproError

# study name -> module with `add_steps(subparsers)`; modules stay import-light.
STUDIES = {
    "slash": "dlrepro.studies.slash.cli",
    "quora": "dlrepro.studies.quora.cli",
    "adversarial": "dlrepro.studies.adversarial.cli",
    "kernels": "dlrepro.studies.kernels.cli",
    "correlation": "dlrepro.studies.correlation.cli",
    "dilation": "dlrepro.studies.dilation.cli",
    "random_dilation": "dlrepro.studies.random_dilation.cli",
    "selu": "dlrepro.studies.selu.cli",
    "shattered": "dlrepro.studies.shattered.cli",
    "memorization": "dlrepro.studies.memorization.cli",
    "pca_prob": "dlrepro.studies.pca_prob.cli",
    "skm": "dlrepro.studies.skm.cli",
    "corrviz": "dlrepro.studies.corrviz.cli",
    "polysim": "dlrepro.studies.polysim.cli",
    "feedback_loop": "dlrepro.studies.feedback_loop.cli",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlrepro", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", action="append", metavar="FILE",
                        help="params file(s), merged in order (default: params.yaml)")
    parser.add_argument("--provenance", metavar="FILE",
                        help="write the step's provenance record here")
    sub = parser.add_subparsers(dest="command", required=True)

    for study, module in STUDIES.items():
        study_parser = sub.add_parser(study, help=f"steps of the {study} study")
        steps = study_parser.add_subparsers(dest="step", required=True)
        importlib.import_module(module).add_steps(steps)
        study_parser.set_defaults(study=study)

    from dlrepro.data.cli_steps import (add_arguments as add_fetch_arguments,
                                        add_mnist_arguments, fetch_step, mnist_step)

    p = sub.add_parser("fetch", help="fetch a raw file (mirror or URL), sha256-verified")
    add_fetch_arguments(p)
    p.set_defaults(study="data", step="fetch", func=fetch_step)

    p = sub.add_parser("mnist", help="the four MNIST IDX files -> one checked .npz (shared data)")
    add_mnist_arguments(p)
    p.set_defaults(study="mnist", step="prepare", func=mnist_step)

    p = sub.add_parser("params", help="print the merged, validated params as YAML")
    p.set_defaults(handler="dlrepro.commands:print_params")

    p = sub.add_parser("dvc-yaml", help="generate dvc.yaml from the Snakemake workflow")
    p.add_argument("--check", action="store_true", help="exit 1 if the committed dvc.yaml is stale")
    p.add_argument("--output", default="dvc.yaml")
    p.add_argument("--root", default=".", help="project directory holding the Snakefile")
    p.set_defaults(handler="dlrepro.dvc_export:main")

    from dlrepro import pull, verify

    p = sub.add_parser("pull", help="pull cached artifacts from the DVC remote, ready to use")
    pull.add_arguments(p)
    p.set_defaults(handler="dlrepro.pull:main")

    p = sub.add_parser("verify", help="rebuild in a scratch copy and compare with dvc.lock")
    verify.add_arguments(p)
    p.set_defaults(handler="dlrepro.verify:main")

    from dlrepro.report import add_arguments as add_report_arguments

    p = sub.add_parser("report", help="build the HTML + Markdown report from study outputs")
    add_report_arguments(p)
    p.set_defaults(handler="dlrepro.report.build:main")
    return parser


def _resolve(handler: str):
    module, func = handler.split(":")
    return getattr(importlib.import_module(module), func)


def _pin_hash_seed(argv: list[str] | None) -> None:
    """Re-exec under PYTHONHASHSEED=0: some libraries (gensim's word2vec) seed from str hashes,
    which Python randomises per process unless the variable is set before start-up."""
    if os.environ.get("PYTHONHASHSEED") == "0" or argv is not None:
        return  # already pinned, or called in-process (tests), where we cannot re-exec
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, "-m", "dlrepro", *sys.argv[1:]])


def main(argv: list[str] | None = None) -> int:
    _pin_hash_seed(argv)
    args = build_parser().parse_args(argv)
    try:
        from dlrepro.core.params import load_params
        from dlrepro.paths import DEFAULT_PARAMS

        if getattr(args, "study", None):
            from dlrepro.core import step

            params = load_params(args.params or [DEFAULT_PARAMS])
            step.run(args, params, args.func, args.study, args.step, args.provenance)
        else:
            needs_params = args.command in ("params", "report")
            params = load_params(args.params or [DEFAULT_PARAMS]) if needs_params else None
            return _resolve(args.handler)(args, params) or 0
    except DlreproError as exc:
        print(f"dlrepro: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
