"""One plotting style and a PNG writer whose bytes depend only on the figure."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display; also the only backend whose output we pin
import matplotlib.pyplot as plt  # noqa: E402

from dlrepro.core.io import write_bytes  # noqa: E402

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 9,
    "axes.titlesize": 9,
    "image.interpolation": "nearest",
    "svg.hashsalt": "dlrepro",
}
plt.rcParams.update(STYLE)


def save_png(fig, path: Path | str) -> None:
    """Save without the Software/date metadata matplotlib would otherwise embed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    write_bytes(path, buf.getvalue())


def symmetric_limits(values) -> tuple[float, float]:
    """Colour limits centred on 0 so a diverging map shows sign, not offset."""
    import numpy as np

    m = float(np.max(np.abs(values))) or 1.0
    return -m, m
