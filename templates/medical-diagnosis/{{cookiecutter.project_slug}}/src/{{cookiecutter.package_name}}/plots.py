"""The figures of a training run, written as PNG files into reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import confusion_matrix, roc_curve

from .confusion import confusion_matrix_figure
from .data import LABELS
from .figures import save


def roc(
    y_true: np.ndarray, curves: dict[str, np.ndarray], thresholds: dict[str, float], path: Path
) -> Path:
    """ROC curves with the operating point of each model's threshold."""
    figure, axes = plt.subplots(figsize=(5.5, 5))
    for name, scores in curves.items():
        fpr, tpr, _ = roc_curve(y_true, scores)
        (line,) = axes.plot(fpr, tpr, label=name)
        flagged = scores >= thresholds[name]
        point = (flagged[y_true == 0].mean(), flagged[y_true == 1].mean())
        axes.plot(*point, "o", color=line.get_color())
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance")
    axes.set(
        xlabel="False alarm rate (1 - specificity)",
        ylabel="Sensitivity (malignant cases caught)",
        title="ROC on the test split",
    )
    axes.legend(loc="lower right")
    return save(figure, path)


def reliability(
    y_true: np.ndarray, out_of_fold: dict[str, np.ndarray], calibrated: bool, path: Path
) -> Path:
    """Predicted probability against the observed rate, before and after calibration."""
    figure, axes = plt.subplots(figsize=(5.5, 5))
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for kind, scores in out_of_fold.items():
        observed, predicted = calibration_curve(y_true, scores, n_bins=8, strategy="quantile")
        used = (kind == "calibrated") == calibrated
        label = f"{kind}{' (used)' if used else ''}"
        axes.plot(predicted, observed, "o-", label=label, alpha=1.0 if used else 0.5)
    axes.set(
        xlabel="Predicted probability of malignancy",
        ylabel="Observed share malignant",
        title="Reliability (out-of-fold, development cases)",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    axes.legend(loc="upper left")
    return save(figure, path)


def confusion(
    y_true: np.ndarray,
    flagged: np.ndarray,
    threshold: float,
    missed: list[tuple[int, float]],
    path: Path,
) -> Path:
    """Confusion matrix at the threshold, listing each missed malignant case by its row."""
    matrix = confusion_matrix(y_true, flagged, labels=[0, 1])
    if missed:
        notes = ["Missed malignant cases (row of the dataset: score):"]
        notes += [", ".join(f"{case}: {score:.2f}" for case, score in missed)]
    else:
        notes = ["No malignant case of the test split was missed."]
    figure = confusion_matrix_figure(
        matrix, LABELS, f"Test split at threshold {threshold:.2f}", notes=notes
    )
    return save(figure, path)


def importance(features: list[str], result, path: Path, top: int = 10) -> Path:
    """The features whose shuffling hurts the model most (permutation importance)."""
    order = np.argsort(result.importances_mean)[::-1][:top][::-1]
    figure, axes = plt.subplots(figsize=(6, 4.5))
    axes.barh(
        [features[i] for i in order],
        result.importances_mean[order],
        xerr=result.importances_std[order],
        color="tab:blue",
    )
    axes.set(xlabel="Drop in ROC-AUC when shuffled", title="What drives the model")
    return save(figure, path)


def cv_comparison(cv_scores: dict[str, np.ndarray], path: Path) -> Path:
    """Box plots of each candidate's ROC-AUC over the cross-validation folds."""
    figure, axes = plt.subplots(figsize=(6, 4))
    names = list(cv_scores)
    axes.boxplot([cv_scores[name] for name in names], tick_labels=names, orientation="horizontal")
    axes.set(xlabel="ROC-AUC per fold", title="Model comparison (repeated stratified CV)")
    return save(figure, path)
