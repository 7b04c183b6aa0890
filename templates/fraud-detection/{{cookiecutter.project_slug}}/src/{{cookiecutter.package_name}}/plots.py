"""The figures of a training run, written as PNG files into reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_curve

from .confusion import confusion_matrix_figure
from .figures import save


def precision_recall(
    y_true: np.ndarray, curves: dict[str, np.ndarray], thresholds: dict[str, float], path: Path
) -> Path:
    """Precision-recall curves of each model, the chosen operating points, and chance level."""
    figure, axes = plt.subplots(figsize=(6, 4.5))
    for name, scores in curves.items():
        precision, recall, cuts = precision_recall_curve(y_true, scores)
        (line,) = axes.plot(recall, precision, label=name)
        at = min(np.searchsorted(cuts, thresholds[name]), len(cuts) - 1)
        axes.plot(
            recall[at],
            precision[at],
            "o",
            color=line.get_color(),
            label=f"{name}: threshold {thresholds[name]:.3g}",
        )
    # At 0.17 % fraud this line sits almost on the x axis: that is the point.
    axes.axhline(
        y_true.mean(),
        color="grey",
        linestyle="--",
        label=f"random ranking (precision = fraud rate, {y_true.mean():.4f})",
    )
    axes.set(
        xlabel="Recall (share of frauds caught)",
        ylabel="Precision (share of alerts that are fraud)",
    )
    axes.set(xlim=(0, 1), ylim=(0, 1.02), title="Precision-recall on the test set")
    # Below the axes: inside, it would hide part of a curve.
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
    return save(figure, path)


def confusion(y_true: np.ndarray, flagged: np.ndarray, title: str, path: Path) -> Path:
    """Confusion matrix at the chosen threshold, cells named (false alarms, missed frauds)."""
    matrix = confusion_matrix(y_true, flagged, labels=[0, 1])
    (tn, fp), (fn, tp) = matrix
    # The cells round a few false alarms among 56,000 to 0.0 %: give the exact shares.
    notes = [
        f"False alarms: {fp:,} of {tn + fp:,} genuine transactions ({fp / max(tn + fp, 1):.3%})",
        f"Frauds missed: {fn:,} of {fn + tp:,} ({fn / max(fn + tp, 1):.1%})",
    ]
    figure = confusion_matrix_figure(matrix, ["genuine", "fraud"], title, notes=notes)
    return save(figure, path)


def score_distribution(
    y_true: np.ndarray, scores: np.ndarray, threshold: float, path: Path
) -> Path:
    """How the model scores genuine and fraudulent transactions (log scale: frauds are rare)."""
    figure, axes = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0, 1, 41)
    axes.hist(scores[y_true == 0], bins=bins, alpha=0.6, label="genuine", log=True)
    axes.hist(scores[y_true == 1], bins=bins, alpha=0.8, label="fraud", log=True)
    axes.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.3g}")
    axes.set(
        xlabel="Fraud score", ylabel="Transactions (log scale)", title="Scores on the test set"
    )
    axes.legend()
    return save(figure, path)


def threshold_tradeoff(
    y_true: np.ndarray, scores: np.ndarray, threshold: float, path: Path
) -> Path:
    """Precision and recall against the threshold, on the validation split that chose it.

    The threshold axis is logarithmic: almost every transaction scores near 0, so
    the useful thresholds sit between 0.0001 and 0.1, squeezed together on a linear axis.
    """
    precision, recall, cuts = precision_recall_curve(y_true, scores)
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(cuts, precision[:-1], label="precision")
    axes.plot(cuts, recall[:-1], label="recall")
    axes.axvline(threshold, color="black", linestyle="--", label=f"chosen: {threshold:.3g}")
    axes.set_xscale("log")
    low = max(float(cuts[cuts > 0].min()) if (cuts > 0).any() else 1e-6, 1e-6)
    axes.set(xlabel="Threshold (log scale)", ylabel="Share", xlim=(low, 1), ylim=(0, 1.02))
    axes.set_title("Choosing the threshold (validation split, best F1)")
    axes.legend(loc="lower left")
    return save(figure, path)
