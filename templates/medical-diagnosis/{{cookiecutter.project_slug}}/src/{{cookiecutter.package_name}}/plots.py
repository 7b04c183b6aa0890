"""The figures of a training run, written as PNG files into reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, confusion_matrix, roc_curve

from .confusion import confusion_matrix_figure
from .data import LABELS
from .evaluate import roc_auc
from .figures import save


def roc(
    y_true: np.ndarray, curves: dict[str, np.ndarray], thresholds: dict[str, float], path: Path
) -> Path:
    """ROC curves with the operating point of each model's threshold."""
    figure, axes = plt.subplots(figsize=(5.5, 5))
    for name, scores in curves.items():
        fpr, tpr, _ = roc_curve(y_true, scores)
        (line,) = axes.plot(fpr, tpr, label=f"{name} (ROC-AUC {roc_auc(y_true, scores):.3f})")
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
    """Predicted probability against the observed rate, without and with Platt calibration."""
    figure, axes = plt.subplots(figsize=(5.5, 5))
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    names = {"raw": "without calibration", "calibrated": "Platt-calibrated"}
    for kind, scores in out_of_fold.items():
        # Five equal-width bins: most scores sit near 0 or 1, and quantile bins would
        # crowd there and leave the middle, where calibration matters, unseen.
        observed, predicted = calibration_curve(y_true, scores, n_bins=5, strategy="uniform")
        used = (kind == "calibrated") == calibrated
        label = f"{names[kind]}, Brier {brier_score_loss(y_true, scores):.4f}"
        label += " (used)" if used else ""
        axes.plot(predicted, observed, "o-", label=label, alpha=1.0 if used else 0.5)
    axes.set(
        xlabel="Predicted probability of malignancy",
        ylabel="Observed share malignant",
        title="Reliability (out-of-fold, development cases)",
        xlim=(-0.02, 1.02),
        ylim=(-0.02, 1.02),
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
        notes += [", ".join(f"{case}: {score:.3f}" for case, score in missed)]
    else:
        notes = ["No malignant case of the test split was missed."]
    figure = confusion_matrix_figure(
        matrix, LABELS, f"Test split at threshold {threshold:.3f}", notes=notes
    )
    return save(figure, path)


def importance(features: list[str], result, name: str, path: Path, top: int = 10) -> Path:
    """The features whose shuffling hurts the model most (permutation importance)."""
    order = np.argsort(result.importances_mean)[::-1][:top][::-1]
    figure, axes = plt.subplots(figsize=(6, 4.5))
    axes.barh(
        [features[i] for i in order],
        result.importances_mean[order],
        xerr=result.importances_std[order],
        color="tab:blue",
    )
    shuffles = result.importances.shape[1]
    axes.set(
        xlabel=f"Drop in test ROC-AUC when shuffled (mean and sd of {shuffles} shuffles)",
        title=f"What drives the model ({name.lower()})",
    )
    return save(figure, path)


def cv_comparison(cv_scores: dict[str, np.ndarray], chosen: str, path: Path) -> Path:
    """Box plots of each model's ROC-AUC over the cross-validation folds, the kept one marked."""
    figure, axes = plt.subplots(figsize=(6, 4))
    names = list(cv_scores)
    axes.boxplot(
        [cv_scores[name] for name in names],
        tick_labels=[f"{name} (kept)" if name == chosen else name for name in names],
        orientation="horizontal",
        showmeans=True,  # the rule compares means; the triangle shows them
    )
    for label in axes.get_yticklabels():
        if label.get_text().endswith("(kept)"):
            label.set_fontweight("bold")
    axes.set(
        xlabel=f"ROC-AUC per fold ({len(cv_scores[chosen])} folds; triangle: mean)",
        title="Model comparison (repeated stratified CV)",
    )
    return save(figure, path)
