"""Test-split numbers of each model, and the findings: sentences written from this run's numbers."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from .uncertainty import bootstrap_interval

LABELS = {
    "accuracy": "Accuracy",
    "macro_f1": "Macro-averaged F1",
    "errors": "Test images misclassified",
}
SIGNIFICANCE = 0.05


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float | int]:
    """Accuracy, macro-averaged F1 and the number of misclassified test images."""
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
        "errors": int(np.sum(y_true != y_pred)),
    }


def accuracy_interval(y_true: np.ndarray, y_pred: np.ndarray, seed: int) -> list[float]:
    """The 95 % bootstrap interval of the accuracy, resampling the test images."""
    return list(bootstrap_interval(np.mean, y_true == y_pred, seed=seed))


def per_class_f1(y_true: np.ndarray, y_pred: np.ndarray, classes: list[str]) -> dict[str, float]:
    """F1 of each class, keyed by class name."""
    values = f1_score(y_true, y_pred, labels=list(range(len(classes))), average=None)
    return {name: float(value) for name, value in zip(classes, values, strict=True)}


def mcnemar_p(only_first: int, only_second: int) -> float:
    """Two-sided exact McNemar p-value for two models scored on the same test images.

    Only the images on which exactly one model is wrong carry information; if the
    two were equally good, each of those would be equally likely to fall either way.
    """
    disagreements = only_first + only_second
    if disagreements == 0:
        return 1.0
    fewer = min(only_first, only_second)
    tail = sum(math.comb(disagreements, k) for k in range(fewer + 1)) / 2**disagreements
    return min(1.0, 2 * tail)


def comparison_findings(
    y_true: np.ndarray,
    model_pred: np.ndarray,
    baseline_pred: np.ndarray,
    model_name: str,
    baseline_name: str,
) -> list[str]:
    """Who wins on this split, by how many images, and whether the test split can tell."""
    model_wrong, baseline_wrong = model_pred != y_true, baseline_pred != y_true
    both = int(np.sum(model_wrong & baseline_wrong))
    only_model = int(np.sum(model_wrong & ~baseline_wrong))
    only_baseline = int(np.sum(baseline_wrong & ~model_wrong))
    total = len(y_true)
    sentences = [
        f"Of the {total:,} test images, the {model_name} misclassifies "
        f"{int(model_wrong.sum())} and the {baseline_name} {int(baseline_wrong.sum())}; "
        + ("no image is misclassified by both." if both == 0 else f"{both} of them by both.")
    ]
    if only_model == only_baseline == 0:
        sentences.append("The two get exactly the same images wrong, so neither wins here.")
        return sentences
    if only_model == only_baseline:
        sentences.append(
            f"The two make the same number of errors on this split, so neither wins here "
            f"(they disagree on {only_model + only_baseline} images, half of them each way)."
        )
        return sentences
    winner, loser = (
        (model_name, baseline_name) if only_model < only_baseline else (baseline_name, model_name)
    )
    margin = abs(only_model - only_baseline)
    p = mcnemar_p(only_model, only_baseline)
    verdict = (
        f"unlikely to be chance (p < {SIGNIFICANCE})"
        if p < SIGNIFICANCE
        else f"within what chance gives on {total:,} images, so another split could reverse it"
    )
    sentences.append(
        f"The {winner} wins on this split by {_images(margin)}: it alone gets "
        f"{_images(min(only_model, only_baseline))} wrong, the {loser} alone "
        f"{max(only_model, only_baseline)}. An exact McNemar test on those "
        f"{only_model + only_baseline} images gives p = {p:.2f}: a difference {verdict}."
    )
    return sentences


def perfect_score_finding(errors: int, total: int, name: str) -> str | None:
    """What a test split with no error can say: the bootstrap cannot, the rule of three can."""
    if errors:
        return None
    return (
        f"The {name} makes no error on the {total:,} test images, so every bootstrap resample "
        f"scores 1.000 and its interval shrinks to a point; by the rule of three its error rate "
        f"is still only known to be below {300 / total:.1f} % (95 % upper bound)."
    )


def confusion_finding(
    y_true: np.ndarray, y_pred: np.ndarray, classes: list[str], name: str
) -> str | None:
    """The model's most frequent mistakes (true class read as predicted class), with counts.

    None when it makes none (the comparison and perfect-score findings say so).
    """
    pairs = Counter((classes[t], classes[p]) for t, p in zip(y_true, y_pred, strict=True) if t != p)
    if not pairs:
        return None
    # Most frequent first; ties in the order of the classes, so the sentence is stable.
    ranked = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:3]
    listed = ", ".join(f"{true} read as {pred} ({_times(count)})" for (true, pred), count in ranked)
    kinds = len(pairs)
    rest = f"; {kinds} different confusions in all." if kinds > len(ranked) else "."
    return f"The {name}'s most frequent mistakes: {listed}{rest}"


def confidence_finding(
    y_true: np.ndarray, y_pred: np.ndarray, confidence: np.ndarray, name: str
) -> str | None:
    """How sure the model was when it was wrong, against when it was right."""
    wrong = y_pred != y_true
    if not wrong.any() or wrong.all():
        return None
    high = int(np.sum(confidence[wrong] > 0.9)) or "none"
    if wrong.sum() == 1:
        return (
            f"The {name} gave its only wrong answer a probability of "
            f"{confidence[wrong][0]:.2f} (its right ones a median of "
            f"{np.median(confidence[~wrong]):.2f})."
        )
    return (
        f"The {name} gave its wrong answers a median probability of "
        f"{np.median(confidence[wrong]):.2f} (its right ones {np.median(confidence[~wrong]):.2f}); "
        f"{high} of its {int(wrong.sum())} errors came with a probability above 0.9."
    )


def reference_finding(y_true: np.ndarray, y_pred: np.ndarray, name: str) -> str:
    """The linear reference, to show what the non-linear models add."""
    return (
        f"{name} on the same pixels, the linear reference, misclassifies "
        f"{int(np.sum(y_pred != y_true))} (accuracy {accuracy_score(y_true, y_pred):.3f})."
    )


def stopping_finding(epochs_run: int, best_epoch: int, max_epochs: int, patience: int) -> str:
    """Whether early stopping ended the training, and which epoch's weights are kept."""
    if epochs_run < max_epochs:
        return (
            f"Early stopping ended the training at epoch {epochs_run} of at most {max_epochs}: "
            f"the validation loss had not improved for {patience} epochs since epoch "
            f"{best_epoch}, whose weights are kept."
        )
    return (
        f"Training ran all {max_epochs} epochs without early stopping firing; the weights of "
        f"epoch {best_epoch}, with the lowest validation loss, are kept."
    )


def _images(count: int) -> str:
    return "no image" if count == 0 else f"{count} image" + ("" if count == 1 else "s")


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")
