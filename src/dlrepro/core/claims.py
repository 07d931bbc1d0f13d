"""Compare a study's results with the post's published numbers (its claims.yaml).

Each claim names the post's value, the path of our value in the study's metrics.json, and a
tolerance with its reason. Verdicts: reproduced / differs / not comparable (+ reason).

Two more kinds of claim:
- `order: [path, path, ...]`: the post's values rise in this order; reproduced if ours do too.
- `comparable_if: {param: dotted.key, equals: value, otherwise: reason}`: a numeric claim is
  "not comparable" unless the params say we ran on the post's data.
- `optional: true`: the claim's metrics may be missing at smaller scales ("not comparable").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from dlrepro.core.params import read_yaml, select
from dlrepro.errors import DlreproError

COLUMNS = ["claim", "post", "ours", "tolerance", "verdict", "reason"]


def load_claims(path: Path | str) -> dict:
    claims = read_yaml(path)
    for key in ("study", "title", "source", "claims"):
        if key not in claims:
            raise DlreproError(f"{path}: missing key {key!r}")
    return claims


def post_of(claims: Mapping, ours: str) -> Any:
    """The post's value of the claim on our metric `ours` (a figure draws it beside ours), or None
    when no claim names that metric. Figures take post values from claims.yaml, never from code."""
    return next((c["post"] for c in claims["claims"] if c.get("ours") == ours), None)


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


def verdict(post: float, ours: float, tol: Mapping[str, Any]) -> bool:
    if "abs" in tol:
        return abs(ours - post) <= tol["abs"] + 1e-12
    if "rel" in tol:
        return abs(ours - post) <= tol["rel"] * abs(post) + 1e-12
    if "at_most" in tol:
        return ours <= post
    if "at_least" in tol:
        return ours >= post
    # below/above: for qualitative claims ("Fail", "a limited number"): the post has no number
    if "below" in tol:
        return ours < tol["below"]
    if "above" in tol:
        return ours > tol["above"]
    raise DlreproError(f"unknown tolerance {dict(tol)}")


def format_value(v) -> str:
    """Integers as integers, floats as the shortest repr that round-trips (no rounding)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    # 12 significant digits drop binary noise (0.19425000000000003) and nothing a table shows
    return repr(float(f"{v:.12g}")) if isinstance(v, float) else str(v)


# a claim marked `optional: true` may be absent from a run's metrics (e.g. an ensemble size the
# smoke params skip); any other missing path is an error (a typo in claims.yaml, say)
NOT_RUN = "not in this run's results (its params did not compute it, e.g. smoke scale)"


def _has(metrics: Mapping, path: str) -> bool:
    try:
        select(metrics, path)
    except DlreproError:
        return False
    return True


def _order_row(c: Mapping, metrics: Mapping) -> dict:
    if c.get("optional") and not all(_has(metrics, path) for path in c["order"]):
        return {
            "claim": c["claim"],
            "post": str(c["post"]),
            "ours": "",
            "tolerance": "order",
            "verdict": "not comparable",
            "reason": NOT_RUN,
        }
    values = [float(select(metrics, path)) for path in c["order"]]
    rising = all(a < b for a, b in zip(values, values[1:]))
    return {
        "claim": c["claim"],
        "post": str(c["post"]),
        "ours": " < ".join(format_value(v) for v in values)
        if rising
        else " , ".join(format_value(v) for v in values),
        "tolerance": "order",
        "verdict": "reproduced" if rising else "differs",
        "reason": "ours rise in the post's order"
        if rising
        else "ours do not rise in the post's order",
    }


def _not_comparable(c: Mapping, params: Mapping | None) -> str | None:
    if "not_comparable" in c:
        return c["not_comparable"]
    cond = c.get("comparable_if")
    if cond and (params is None or select(params, cond["param"]) != cond["equals"]):
        return cond["otherwise"]
    return None


def compare(claims: dict, metrics: Mapping, params: Mapping | None = None) -> pd.DataFrame:
    rows = []
    for c in claims["claims"]:
        if "order" in c:
            rows.append(_order_row(c, metrics))
            continue
        missing = c.get("optional") and c.get("ours") and not _has(metrics, c["ours"])
        ours = select(metrics, c["ours"]) if c.get("ours") and not missing else None
        row = {
            "claim": c["claim"],
            "post": format_value(c["post"]),
            "ours": format_value(ours),
            "tolerance": "",
            "verdict": "",
            "reason": c.get("reason", ""),
        }
        reason = _not_comparable(c, params)
        if c.get("optional") and c.get("ours") and not _has(metrics, c["ours"]):
            reason = NOT_RUN
        if reason:
            row.update(verdict="not comparable", reason=reason)
        else:
            tol = c["tolerance"]
            row["tolerance"] = _describe_tolerance(tol)
            post = float("nan") if {"below", "above"} & set(tol) else float(c["post"])
            ok = ours is not None and verdict(post, float(ours), tol)
            row["verdict"] = "reproduced" if ok else "differs"
            row["reason"] = tol.get("why", "")
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def write_results(args, result: dict, table: pd.DataFrame, params: Mapping | None) -> None:
    """A compare step's three outputs: args.table (our results), args.summary (metrics.json,
    what claims' `ours` paths point into) and args.comparison (post vs ours, from args.claims)."""
    from dlrepro.core import io

    io.write_csv(args.table, table)
    io.write_json(args.summary, result)
    io.write_csv(args.comparison, compare(load_claims(args.claims), result, params))
