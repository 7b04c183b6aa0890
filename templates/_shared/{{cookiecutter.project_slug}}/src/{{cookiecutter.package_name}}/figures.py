"""Writing the project's figures: matplotlib without a display, one PNG per figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write PNG files; never needs a screen (CI, servers)

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def save(figure: Figure, path: Path) -> Path:
    """Write *figure* to *path* as PNG and free it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path
