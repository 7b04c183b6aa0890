"""Metrics for a rare positive class, where accuracy says nothing (always "no" scores 99.8 %)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
)


def best_f1_threshold(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Return the score threshold with the highest F1 (misses and false alarms weigh alike)."""
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    # The last precision/recall pair has no threshold: drop it.
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))])


def recall_at_precision(y_true: np.ndarray, scores: np.ndarray, min_precision: float) -> float:
    """Return the highest recall reachable while precision stays at or above *min_precision*."""
    precision, recall, _ = precision_recall_curve(y_true, scores)
    reachable = recall[precision >= min_precision]
    return float(reachable.max()) if reachable.size else 0.0


def precision_at_k(y_true: np.ndarray, scores: np.ndarray, k: int = 100) -> float:
    """Return the share of frauds among the *k* highest-scored transactions (an alert budget)."""
    top = np.argsort(-scores, kind="stable")[:k]
    return float(np.mean(y_true[top]))


def classification_metrics(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """Return every metric the report shows, for one model's test-set scores."""
    flagged = scores >= threshold
    tn, fp, fn, tp = confusion_matrix(y_true, flagged, labels=[0, 1]).ravel()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "pr_auc": float(average_precision_score(y_true, scores)),
        "roc_auc": float(roc_auc_score(y_true, scores)),
        "recall_at_precision_90": recall_at_precision(y_true, scores, 0.90),
        "recall_at_precision_80": recall_at_precision(y_true, scores, 0.80),
        "precision_at_100": precision_at_k(y_true, scores, 100),
        "brier": float(brier_score_loss(y_true, scores)),
        "threshold": float(threshold),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0,
        "true_positives": int(tp),
        "false_positives": int(fp),
        "false_negatives": int(fn),
        "true_negatives": int(tn),
    }
