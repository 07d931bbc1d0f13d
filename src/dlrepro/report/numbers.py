"""How the report shows numbers: one format everywhere (tables, prose, orderings).

Floats get 4 significant digits (the CSV files keep every digit); integers stay whole; an empty
or NaN cell (a metric that does not apply to the row) shows as an en dash."""

from __future__ import annotations

import math
import re

NOT_APPLICABLE = "–"
# a decimal number inside text (orderings "0.2291 ≈ 0.2383", spreads "sd 0.01234; ...")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+\.\d+(?:e[-+]?\d+)?(?![\w.])")


def number(v) -> str:
    if v is None or v == "":
        return NOT_APPLICABLE
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return NOT_APPLICABLE
        if v.is_integer() and abs(v) < 1e6:
            return str(int(v))
        return f"{v:.4g}"
    return in_text(str(v))


def in_text(text: str) -> str:
    """Every decimal number inside `text` at 4 significant digits, signs kept."""

    def short(m: re.Match) -> str:
        s = m.group(0)
        out = f"{float(s):.4g}"
        return ("+" + out) if s.startswith("+") and not out.startswith("-") else out

    return _NUMBER.sub(short, text)
