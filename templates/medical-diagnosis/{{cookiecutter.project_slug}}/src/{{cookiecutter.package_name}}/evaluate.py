"""Metrics for a diagnostic test: sensitivity first, and what it costs in false alarms."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import brier_score_loss, confusion_matrix, roc_auc_score

TARGET_SENSITIVITY = 0.97


def threshold_for_sensitivity(
    y_true: np.ndarray, scores: np.ndarray, sensitivity: float = TARGET_SENSITIVITY
) -> float:
    """Return the highest threshold that still flags *sensitivity* of the malignant cases.

    The highest such threshold keeps false alarms as few as the sensitivity allows.
    """
    malignant = np.sort(scores[y_true == 1])[::-1]
    needed = int(np.ceil(sensitivity * malignant.size))  # cases that must be flagged
    return float(malignant[max(needed, 1) - 1])


def diagnostic_metrics(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """Every test-set metric the report shows, for one model."""
    flagged = scores >= threshold
    tn, fp, fn, tp = confusion_matrix(y_true, flagged, labels=[0, 1]).ravel()
    return {
        "roc_auc": float(roc_auc_score(y_true, scores)),
        "accuracy": float((tp + tn) / len(y_true)),
        "recall": float(tp / (tp + fn)) if tp + fn else 0.0,
        "specificity": float(tn / (tn + fp)) if tn + fp else 0.0,
        "precision": float(tp / (tp + fp)) if tp + fp else 0.0,
        "brier": float(brier_score_loss(y_true, scores)),
        "threshold": float(threshold),
        "false_negatives": int(fn),
        "false_positives": int(fp),
    }
