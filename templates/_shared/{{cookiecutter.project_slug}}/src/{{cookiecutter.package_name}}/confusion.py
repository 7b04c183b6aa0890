"""A confusion matrix that stays readable when one class outnumbers another a thousand to one."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from . import figures  # noqa: F401  (chooses the Agg backend before pyplot draws)

_BINARY_CELLS = (("True negatives", "False positives"), ("False negatives", "True positives"))


def confusion_matrix_figure(
    matrix: np.ndarray, labels: Sequence[str], title: str, *, notes: Sequence[str] = ()
) -> Figure:
    """Draw a confusion matrix, coloured by the share of each actual class, every cell annotated.

    Colouring by raw counts would paint 38 missed frauds beside 56,826 cleared
    transactions as the same white; the share of the row (the recall of each
    actual class) shows errors at any imbalance, and each cell still prints its
    count. A 2x2 matrix names its cells (false negatives and so on). *notes* are
    extra lines under the matrix (below the axis label, so they never overlap
    the tick labels), e.g. which cases were missed.
    """
    matrix = np.asarray(matrix)
    size = len(labels)
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    figure, axes = plt.subplots(figsize=(max(5.0, 0.55 * size + 2.5), max(4.0, 0.5 * size + 2)))
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    colour_bar = figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    colour_bar.set_label("Share of the actual class")
    long_names = max(map(len, labels)) > 3
    axes.set_xticks(range(size), labels=labels, rotation=45 if long_names else 0)
    axes.set_yticks(range(size), labels=labels)
    axes.set_xlabel("Predicted" + ("\n\n" + "\n".join(notes) if notes else ""))
    axes.set_ylabel("Actual")
    axes.set_title(title)
    for row in range(size):
        for col in range(size):
            count, share = int(matrix[row, col]), shares[row, col]
            text = f"{count:,}" if size > 4 else f"{count:,}\n{share_text(share)}"
            if size == 2:
                text = f"{_BINARY_CELLS[row][col]}\n{text}"
            axes.text(
                col,
                row,
                text,
                ha="center",
                va="center",
                fontsize=9 if size <= 4 else 7,
                color="white" if share > 0.5 else "black",
            )
    return figure


def share_text(share: float) -> str:
    """A share as a percentage that never shows a nonzero share as 0.0 % (or a miss as 100.0 %).

    Three missed frauds among 56,000 cleared transactions are 0.005 %: printed
    as "0.0%" they would read as none, so such shares say "<0.1%" (and ">99.9%").
    """
    if 0 < share < 0.001:
        return "<0.1%"
    if 0.999 < share < 1:
        return ">99.9%"
    return f"{share:.1%}"
