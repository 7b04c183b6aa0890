"""The figures of a training run, written as PNG files into reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix

from .confusion import confusion_matrix_figure
from .figures import save


def learning_curves(history: list[dict], best_epoch: int, path: Path) -> Path:
    """Training and validation loss, and validation accuracy, per epoch."""
    epochs = [h["epoch"] for h in history]
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 3.8))
    loss_axes.plot(epochs, [h["train_loss"] for h in history], label="train")
    loss_axes.plot(epochs, [h["valid_loss"] for h in history], label="validation")
    accuracy_axes.plot(epochs, [h["valid_accuracy"] for h in history], color="tab:green")
    for axes in (loss_axes, accuracy_axes):
        axes.axvline(best_epoch, color="grey", linestyle="--", label=f"best (epoch {best_epoch})")
        axes.set_xlabel("Epoch")
    loss_axes.set(ylabel="Cross-entropy loss", title="Loss")
    accuracy_axes.set(ylabel="Accuracy", title="Validation accuracy")
    loss_axes.legend()
    return save(figure, path)


def confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: list[str], path: Path) -> Path:
    """Counts of each true class (rows) against each predicted class (columns)."""
    matrix = confusion_matrix(y_true, y_pred, labels=list(range(len(classes))))
    return save(confusion_matrix_figure(matrix, classes, "CNN on the test split"), path)


def misclassified(
    images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, classes: list[str], path: Path
) -> Path:
    """A grid of up to 16 test images the model got wrong, with true and predicted class."""
    wrong = np.flatnonzero(y_true != y_pred)[:16]
    columns = 8
    rows = max(1, int(np.ceil(len(wrong) / columns)))
    figure, grid = plt.subplots(
        rows, columns, figsize=(1.3 * columns, 1.5 * rows + 0.4), squeeze=False
    )
    for axes in grid.ravel():
        axes.axis("off")
    for axes, index in zip(grid.ravel(), wrong, strict=False):
        image = images[index]
        shown = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
        axes.imshow(shown, cmap="gray" if image.shape[0] == 1 else None, vmin=0, vmax=1)
        axes.set_title(f"{classes[y_true[index]]} -> {classes[y_pred[index]]}", fontsize=8)
    title = f"{len(np.flatnonzero(y_true != y_pred))} test images misclassified"
    figure.suptitle(title if len(wrong) else "No test image was misclassified")
    return save(figure, path)


def per_class(f1: dict[str, dict[str, float]], path: Path) -> Path:
    """F1 of each class for the model and the baseline, side by side."""
    names = list(next(iter(f1.values())))
    figure, axes = plt.subplots(figsize=(max(6, 0.6 * len(names) + 2), 3.8))
    width = 0.8 / len(f1)
    for offset, (side, values) in enumerate(f1.items()):
        axes.bar(
            np.arange(len(names)) + offset * width, [values[n] for n in names], width, label=side
        )
    axes.set_xticks(
        np.arange(len(names)) + width * (len(f1) - 1) / 2,
        labels=names,
        rotation=0 if len(names) <= 10 and max(map(len, names)) <= 3 else 45,
    )
    axes.set(ylabel="F1 on the test split", ylim=(0, 1.05), title="Per-class F1")
    axes.legend(loc="lower right")
    return save(figure, path)
