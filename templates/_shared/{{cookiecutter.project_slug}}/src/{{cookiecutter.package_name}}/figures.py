"""Figure helpers shared by the project's plots (matplotlib, without a display)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write PNG files; never needs a screen (CI, servers)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

_BINARY_CELLS = (("True negatives", "False positives"), ("False negatives", "True positives"))


def save(figure: Figure, path: Path) -> Path:
    """Write *figure* to *path* as PNG and free it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path


def confusion_matrix_figure(
    matrix: np.ndarray, labels: Sequence[str], title: str, *, notes: Sequence[str] = ()
) -> Figure:
    """Draw a confusion matrix; a 2x2 one names its cells (false negatives and so on).

    *notes* are extra lines printed under the matrix, e.g. which cases were missed.
    """
    size = len(labels)
    figure, axes = plt.subplots(figsize=(max(4.5, 0.55 * size + 2), max(4.0, 0.5 * size + 2)))
    axes.imshow(matrix, cmap="Blues")
    long_names = max(map(len, labels)) > 3
    axes.set_xticks(range(size), labels=labels, rotation=45 if long_names else 0)
    axes.set_yticks(range(size), labels=labels)
    axes.set_xlabel("Predicted")
    axes.set_ylabel("Actual")
    axes.set_title(title)
    threshold = matrix.max() / 2 if matrix.size else 0
    for row in range(size):
        for col in range(size):
            count = int(matrix[row, col])
            text = f"{count:,}"
            if size == 2:
                text = f"{_BINARY_CELLS[row][col]}\n{count:,}"
            axes.text(
                col,
                row,
                text,
                ha="center",
                va="center",
                fontsize=9 if size <= 4 else 7,
                color="white" if count > threshold else "black",
            )
    if notes:
        figure.text(0.01, -0.02, "\n".join(notes), fontsize=8, va="top")
    return figure
