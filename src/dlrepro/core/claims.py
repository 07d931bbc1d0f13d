"""Compare a study's results with the post (its claims.yaml), accounting for run-to-run noise.

Each claim has a `kind`:
- `published`: a number or ordering the post states (`post` quotes it);
- `qualitative`: the post's claim without a number; its threshold was fixed in claims.yaml
  before the run, on the date in `fixed:`;
- `check`: an identity, a self-consistency or something true by construction (`why:` says
  which). Checks pass or fail; they are never counted as reproductions.

What a claim judges (`ours` paths point into the study's metrics.json; a metric holds one value,
or every run's, see core.repeats):
- numeric: `ours: path` + `tolerance: {abs|rel: x, why}`: the post's value lies within the
  tolerance of our mean. The tolerance is what the claim needs; when our runs vary more than
  that (the interval where one more run would fall, see repeats.prediction_half_width) the
  verdict is "within noise", and a post outside both is "differs".
- one-sided: `tolerance: {at_most|at_least: true}` (ours vs the post's value) or
  `{below|above: x}` (a fixed threshold): holds beyond noise (the 95% interval of our mean,
  or every run once there are SIGN_TEST_RUNS) -> reproduced; fails likewise -> differs;
  otherwise within noise.
- ordering: `order: [path, path, ...]`, rising: every adjacent pair rises beyond noise (the
  paired gap's 95% interval excludes 0, or it rises in every run of >= SIGN_TEST_RUNS) ->
  reproduced; a pair falls beyond noise -> differs; otherwise within noise. Runs with the same
  index share a seed, so gaps are paired.
- `comparable_if: {param, equals, otherwise}` / `not_comparable: reason`: not judged.
- `optional: true`: the metric may be missing below paper scale (params `scale`); at paper
  scale a missing metric is an error.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dlrepro.core.params import read_yaml, select
from dlrepro.core.repeats import mean_ci, prediction_half_width, samples
from dlrepro.errors import DlreproError

COLUMNS = [
    "claim",
    "kind",
    "post",
    "ours",
    "ours_spread",
    "runs",
    "tolerance",
    "verdict",
    "reason",
]
KINDS = ("published", "qualitative", "check")
# verdict words; checks say passed/failed so that nothing true by construction reads "reproduced"
REPRODUCED, WITHIN_NOISE, DIFFERS, NOT_COMPARABLE = (
    "reproduced",
    "within noise",
    "differs",
    "not comparable",
)
PASSED, FAILED = "passed", "failed"
VERDICTS = (REPRODUCED, WITHIN_NOISE, DIFFERS, NOT_COMPARABLE)
CHECK_VERDICTS = (PASSED, WITHIN_NOISE, FAILED, NOT_COMPARABLE)
NOT_RUN = "not in this run's results (its params did not compute it, below paper scale)"


def _is_date(value) -> bool:
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def load_claims(path: Path | str) -> dict:
    claims = read_yaml(path)
    for key in ("study", "title", "source", "claims"):
        if key not in claims:
            raise DlreproError(f"{path}: missing key {key!r}")
    for i, c in enumerate(claims["claims"]):
        where = f"{path}: claim {i + 1} ({c.get('claim', '?')!r})"
        kind = c.get("kind")
        if kind not in KINDS:
            raise DlreproError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if kind == "qualitative" and not _is_date(c.get("fixed")):
            raise DlreproError(f"{where}: a qualitative claim needs `fixed: YYYY-MM-DD`, the "
                               "date its threshold was fixed (before the run)")  # fmt: skip
        if kind == "check" and not c.get("why"):
            raise DlreproError(f"{where}: a check needs `why:` (identity, self-consistency, or "
                               "true by construction, and how)")  # fmt: skip
        if (
            "tolerance" in c
            and "why" not in c["tolerance"]
            and not ({"below", "above", "at_most", "at_least"} & set(c["tolerance"]))
        ):
            raise DlreproError(f"{where}: the tolerance needs `why:` (what the claim needs)")
    return claims


def post_of(claims: Mapping, ours: str) -> Any:
    """The post's value of the claim on our metric `ours` (a figure draws it beside ours), or None
    when no claim names that metric. Figures take post values from claims.yaml, never from code."""
    return next(
        (c["post"] for c in claims["claims"] if c.get("ours") == ours and c.get("kind") != "check"),
        None,
    )


def format_value(v) -> str:
    """Integers as integers, floats as the shortest repr that round-trips (no rounding)."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v)).lower()
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        # 12 significant digits drop binary noise (0.19425000000000003) and nothing a table shows
        return repr(float(f"{v:.12g}"))
    return str(v)


def short(v: float) -> str:
    """4 significant digits, for spreads and intervals in prose (the `ours` column is exact)."""
    return f"{v:.4g}"


def _describe_tolerance(tol: Mapping[str, Any]) -> str:
    if "abs" in tol:
        return f"±{tol['abs']}"
    if "rel" in tol:
        return f"±{tol['rel']:.0%}"
    if "at_most" in tol:
        return "ours ≤ post"
    if "at_least" in tol:
        return "ours ≥ post"
    if "below" in tol:
        return f"ours < {tol['below']}"
    if "above" in tol:
        return f"ours > {tol['above']}"
    raise DlreproError(f"unknown tolerance {dict(tol)}")


def _spread(values: Sequence[float]) -> str:
    if len(values) < 2:
        return ""
    return f"sd {short(np.std(values, ddof=1))}; range {short(min(values))} to {short(max(values))}"


# "Every run on the right side" is evidence only where chance rarely gives it: under a sign
# test p = 2**-R, below 0.05 from R = 5 runs (at R = 3, 3 of 3 happens once in 8 by chance).
SIGN_TEST_RUNS = 5


def _side(values: Sequence[float], holds) -> str:
    """'holds' / 'fails' / 'noise': a one-sided property of the runs, judged beyond noise: the
    95% interval of their mean is on one side, or (from SIGN_TEST_RUNS runs) every run is."""
    ok = [bool(holds(v)) for v in values]
    if len(values) == 1:
        return "holds" if ok[0] else "fails"
    lo, hi = mean_ci(values)
    every = len(values) >= SIGN_TEST_RUNS
    if (every and all(ok)) or (holds(lo) and holds(hi)):
        return "holds"
    if (every and not any(ok)) or (not holds(lo) and not holds(hi)):
        return "fails"
    return "noise"


def _side_reason(values: Sequence[float], holds, outcome: str) -> str:
    if len(values) == 1:
        return {"holds": "holds", "fails": "fails"}[outcome]
    n, k = len(values), sum(bool(holds(v)) for v in values)
    lo, hi = mean_ci(values)
    interval = f"95% interval of our mean [{short(lo)}, {short(hi)}]"
    return {
        "holds": f"holds beyond run-to-run noise ({k} of {n} runs; {interval})",
        "fails": f"fails beyond run-to-run noise ({k} of {n} runs hold; {interval})",
        "noise": f"within run-to-run noise: holds in {k} of {n} runs, and the {interval} "
        "straddles the bound"
        + (f" (every run counts only from {SIGN_TEST_RUNS} runs)" if k in (0, n) else ""),
    }[outcome]


def _gaps(a: list[float], b: list[float], where: str) -> list[float]:
    """b - a per run: paired when both have the same runs; against a single value otherwise."""
    if len(a) == len(b):
        return [y - x for x, y in zip(a, b)]
    if len(a) == 1 or len(b) == 1:
        return [y - x for x in a for y in b]
    raise DlreproError(f"{where}: an ordering of metrics with {len(a)} and {len(b)} runs")


def _gap_text(gaps: list[float]) -> str:
    if len(gaps) == 1:
        return f"gap {gaps[0]:+.4g}"
    lo, hi = mean_ci(gaps)
    up = sum(g > 0 for g in gaps)
    return f"gap {np.mean(gaps):+.4g}, 95% CI [{lo:+.4g}, {hi:+.4g}], > 0 in {up}/{len(gaps)} runs"


def _verdict_words(kind: str, outcome: str) -> str:
    """holds / noise / fails -> the kind's verdict word."""
    words = {"holds": REPRODUCED, "noise": WITHIN_NOISE, "fails": DIFFERS}
    if kind == "check":
        words = {"holds": PASSED, "noise": WITHIN_NOISE, "fails": FAILED}
    return words[outcome]


def _order_row(c: Mapping, metrics: Mapping) -> dict:
    runs = [samples(select(metrics, path), path) for path in c["order"]]
    means = [float(np.mean(r)) for r in runs]
    outcomes, spreads, ours = [], [], format_value(means[0])
    for (path_a, a), (_, b), mean_b in zip(
        zip(c["order"], runs), zip(c["order"][1:], runs[1:]), means[1:]
    ):
        gaps = _gaps(a, b, f"{c['claim']} ({path_a})")
        outcome = _side(gaps, lambda g: g > 0)
        outcomes.append(outcome)
        spreads.append(_gap_text(gaps))
        ours += {"holds": " < ", "noise": " ≈ ", "fails": " ≥ "}[outcome] + format_value(mean_b)
    if "fails" in outcomes:
        overall, reason = "fails", "a pair is not in the post's order beyond run-to-run noise"
    elif all(o == "holds" for o in outcomes):
        overall, reason = "holds", "every pair rises in the post's order beyond run-to-run noise"
    else:
        overall, reason = "noise", "a pair's gap is within run-to-run noise (≈)"
    return {
        "ours": ours,
        "ours_spread": "; ".join(spreads) if max(map(len, runs)) > 1 else "",
        "runs": max(map(len, runs)),
        "tolerance": "order, beyond noise",
        "verdict": _verdict_words(c["kind"], overall),
        "reason": reason,
    }


def _numeric_row(c: Mapping, values: list[float]) -> dict:
    tol = c["tolerance"]
    mean = float(np.mean(values))
    row = {
        "ours": format_value(mean),
        "ours_spread": _spread(values),
        "runs": len(values),
        "tolerance": _describe_tolerance(tol),
    }
    one_sided = {
        "at_most": lambda v: v <= float(c["post"]),
        "at_least": lambda v: v >= float(c["post"]),
        "below": lambda v: v < tol.get("below"),
        "above": lambda v: v > tol.get("above"),
    }
    side = next((k for k in one_sided if k in tol), None)
    if side:
        outcome = _side(values, one_sided[side])
        reason = _side_reason(values, one_sided[side], outcome)
        return {**row, "verdict": _verdict_words(c["kind"], outcome),
                "reason": "; ".join(filter(None, [reason, tol.get("why", "")]))}  # fmt: skip
    post = float(c["post"])
    need = tol["abs"] if "abs" in tol else tol["rel"] * abs(post)
    noise = prediction_half_width(values)
    off = abs(mean - post)
    if noise > 0:
        row["tolerance"] += f" (run noise ±{short(noise)})"
    if off > max(need, noise) + 1e-12:
        outcome, reason = "fails", f"the post is {short(off)} from our mean, outside the tolerance"
        if noise > need:
            reason += " and outside run-to-run noise"
    elif noise > need:
        outcome = "noise"
        reason = (f"our runs vary more (±{short(noise)} for one run) than the claim's tolerance; "
                  "the post lies within that noise")  # fmt: skip
    else:
        outcome, reason = "holds", "the post lies within the tolerance of our mean"
    return {**row, "verdict": _verdict_words(c["kind"], outcome),
            "reason": f"{reason}. Tolerance: {tol['why']}"}  # fmt: skip


def _has(metrics: Mapping, path: str) -> bool:
    try:
        select(metrics, path)
    except DlreproError:
        return False
    return True


def _not_comparable(c: Mapping, params: Mapping | None) -> str | None:
    if "not_comparable" in c:
        return c["not_comparable"]
    cond = c.get("comparable_if")
    if cond and (params is None or select(params, cond["param"]) != cond["equals"]):
        return cond["otherwise"]
    return None


def _post_text(c: Mapping) -> str:
    return format_value(c["post"]) if not isinstance(c["post"], str) else c["post"]


def compare(claims: dict, metrics: Mapping, params: Mapping | None = None) -> pd.DataFrame:
    paper = params is None or params.get("scale", "paper") == "paper"
    rows = []
    for c in claims["claims"]:
        row = dict.fromkeys(COLUMNS, "")
        row.update(claim=c["claim"], kind=c["kind"], post=_post_text(c), runs="")
        paths = c["order"] if "order" in c else [c["ours"]] if c.get("ours") else []
        missing = [p for p in paths if not _has(metrics, p)]
        reason = _not_comparable(c, params)
        if missing and c.get("optional") and not paper:
            row.update(verdict=NOT_COMPARABLE, reason=NOT_RUN)
        elif missing and reason is not None:
            row.update(verdict=NOT_COMPARABLE, reason=reason)
        elif missing:
            raise DlreproError(
                f"claim {c['claim']!r}: metric {missing[0]!r} is not in the results"
                + (
                    " (an optional claim may miss its metric only below paper scale)"
                    if c.get("optional")
                    else ""
                )  # fmt: skip
            )
        elif reason is not None:
            if paths and "order" not in c:
                values = samples(select(metrics, paths[0]), paths[0])
                row.update(ours=format_value(float(np.mean(values))),
                           ours_spread=_spread(values), runs=len(values))  # fmt: skip
            row.update(verdict=NOT_COMPARABLE, reason=reason)
        elif "order" in c:
            row.update(_order_row(c, metrics))
        else:
            row.update(_numeric_row(c, samples(select(metrics, c["ours"]), c["ours"])))
        if c["kind"] == "check":
            row["reason"] = "; ".join(filter(None, [row["reason"], f"check: {c['why']}"]))
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def write_results(args, result: dict, table: pd.DataFrame, params: Mapping | None) -> None:
    """A compare step's three outputs: args.table (our results), args.summary (metrics.json,
    what claims' `ours` paths point into) and args.comparison (post vs ours, from args.claims)."""
    from dlrepro.core import io

    io.write_csv(args.table, table)
    io.write_json(args.summary, result)
    io.write_csv(args.comparison, compare(load_claims(args.claims), result, params))
