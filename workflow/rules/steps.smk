# Every step's rule, generated from its one declaration (dlrepro.pipeline.declare, in each
# study's cli.py): shell command, provenance, log, benchmark, threads, resources, report
# captions, and code inputs computed from the step's imports (dlrepro.pipeline.codedeps).
from dlrepro.pipeline import registry
from dlrepro.pipeline.codedeps import step_code
from dlrepro.pipeline.declare import PLATFORM_PARAMS, In, Out


def _bind(fn):
    """A declaration's fn(wildcards, config) as a Snakemake function of the wildcards."""
    return lambda wildcards: fn(wildcards, config)


def _inputs(step):
    files = {f: _bind(a.path) if callable(a.path) else a.path for f, a in step.files(In).items()}
    return {**files, "code": step_code(step)}


def _outputs(step):
    outs = {}
    for flag, a in step.files(Out).items():
        path = a.resolve(config)
        caption = f"../../src/dlrepro/studies/{step.owner}/captions/{Path(path).stem}.rst"
        outs[flag] = report(path, caption=caption, category=step.owner) if a.figure else path
    if step.provenance:
        outs["provenance"] = step.provenance_path()
    return outs


def _params(step):
    keys = step.params
    if callable(keys):
        p = lambda w: params_at(*PLATFORM_PARAMS, *keys(w, config))(w)
    else:
        p = params_at(*PLATFORM_PARAMS, *keys)
    log = f"{step.log_stem()}.log"

    # the command as a param: a rule's `shell:` expression is evaluated again when its job runs,
    # by then in the scope of the loop's last step; a param is bound to its own rule
    def cmd(wildcards, input, output):
        return step.render(DLREPRO, log.format(**wildcards), wildcards, input, output, config)

    return {"p": p, "cmd": cmd}


for _step in registry.all_steps():

    rule:
        name:
            _step.rule
        input:
            **_inputs(_step),
        output:
            **_outputs(_step),
        params:
            **_params(_step),
        log:
            f"{_step.log_stem()}.log",
        benchmark:
            f"{_step.log_stem()}.tsv"
        threads: _step.threads or config["threads"]
        resources:
            **({"gpu": 1} if _step.gpu else {}),  # used when present (device: auto)
            runtime=_step.runtime,
            mem_mb=_step.mem_mb,
        wildcard_constraints:
            **_step.wildcard_constraints(),
        shell:
            "{params.cmd}"
