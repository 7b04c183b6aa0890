"""The figures of a training run, written as PNG files into reports/figures/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix

from .confusion import confusion_matrix_figure
from .figures import save

if TYPE_CHECKING:
    from .train import TrainedCNN

MAX_SHOWN = 16  # misclassified images in the grid
COLUMNS = 8


def learning_curves(cnn: TrainedCNN, path: Path) -> Path:
    """Training and validation loss, and validation accuracy, per epoch; best and last epoch."""
    history = cnn.history
    epochs = [h["epoch"] for h in history]
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 3.8))
    loss_axes.plot(epochs, [h["train_loss"] for h in history], label="train (augmented)")
    loss_axes.plot(epochs, [h["valid_loss"] for h in history], label="validation")
    accuracy_axes.plot(epochs, [h["valid_accuracy"] for h in history], color="tab:green")
    for axes in (loss_axes, accuracy_axes):
        axes.axvline(
            cnn.best_epoch,
            color="grey",
            linestyle="--",
            label=f"weights kept (epoch {cnn.best_epoch})",
        )
        axes.set_xlabel("Epoch")
    loss_axes.set(ylabel="Cross-entropy loss", title="Loss")
    loss_axes.legend()
    ending = (
        f"early stopping at epoch {cnn.epochs_run}"
        if cnn.stopped_early
        else f"all {cnn.max_epochs} epochs, no early stop"
    )
    accuracy_axes.set(ylabel="Accuracy", title=f"Validation accuracy ({ending})")
    return save(figure, path)


def confusion(
    y_true: np.ndarray, y_pred: np.ndarray, classes: list[str], name: str, path: Path
) -> Path:
    """Counts of each true class (rows) against each predicted class (columns)."""
    matrix = confusion_matrix(y_true, y_pred, labels=list(range(len(classes))))
    errors = int(np.sum(y_true != y_pred))
    note = f"{errors} of {len(y_true):,} test images misclassified (off the diagonal)"
    return save(
        confusion_matrix_figure(matrix, classes, f"{name} on the test split", notes=(note,)), path
    )


def misclassified(
    images: np.ndarray,
    y_true: np.ndarray,
    probabilities: np.ndarray,
    classes: list[str],
    path: Path,
) -> Path:
    """A grid of the test images the model got wrong (at most 16), sized to how many there are.

    Each shows the true class, the predicted class and the probability the model gave it.
    """
    y_pred = probabilities.argmax(1)
    errors = np.flatnonzero(y_true != y_pred)
    # The most confident mistakes first: they are the most instructive.
    shown = errors[np.argsort(-probabilities[errors].max(1), kind="stable")][:MAX_SHOWN]
    if not len(shown):
        # A framed box, not bare text: a tight crop around a line of text alone would
        # leave a strip too small to read in the README.
        figure, axes = plt.subplots(figsize=(4.5, 2))
        axes.set(xticks=[], yticks=[])
        message = f"No test image of {len(y_true):,} was misclassified"
        axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)
        return save(figure, path)
    columns = min(COLUMNS, len(shown))
    rows = int(np.ceil(len(shown) / columns))
    figure, grid = plt.subplots(
        rows, columns, figsize=(1.4 * columns, 1.6 * rows + 0.5), squeeze=False
    )
    for axes in grid.ravel():
        axes.axis("off")
    for axes, index in zip(grid.ravel(), shown, strict=False):
        image = images[index]
        picture = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
        axes.imshow(picture, cmap="gray" if image.shape[0] == 1 else None, vmin=0, vmax=1)
        predicted = y_pred[index]
        axes.set_title(
            f"{classes[y_true[index]]} -> {classes[predicted]}\n"
            f"p = {probabilities[index, predicted]:.2f}",
            fontsize=8,
        )
    if len(errors) == 1:
        title = f"The only misclassified test image (of {len(y_true):,})"
    elif len(errors) <= MAX_SHOWN:
        title = f"All {len(errors)} misclassified test images (of {len(y_true):,})"
    else:
        title = f"The {MAX_SHOWN} most confident of {len(errors)} misclassified test images"
    figure.suptitle(title, fontsize=10 if columns < 4 else 12)
    return save(figure, path)


def per_class(f1: dict[str, dict[str, float]], path: Path) -> Path:
    """F1 of each class for each named model, side by side, on an axis fitted to the values."""
    names = list(next(iter(f1.values())))
    figure, axes = plt.subplots(figsize=(max(6, 0.6 * len(names) + 2), 3.8))
    width = 0.8 / len(f1)
    for offset, (model, values) in enumerate(f1.items()):
        axes.bar(
            np.arange(len(names)) + offset * width, [values[n] for n in names], width, label=model
        )
    axes.set_xticks(
        np.arange(len(names)) + width * (len(f1) - 1) / 2,
        labels=names,
        rotation=0 if len(names) <= 10 and max(map(len, names)) <= 3 else 45,
    )
    # A 0-1 axis would flatten F1s of 0.95-1.00 into equal bars: start below the lowest.
    lowest = min(min(values.values()) for values in f1.values())
    bottom = max(0.0, np.floor((lowest - 0.02) * 50) / 50)
    axes.set_ylim(bottom, 1.0 + (1.0 - bottom) * 0.15)  # room above 1 for the legend
    axes.set(xlabel="Class", ylabel="F1 on the test split", title="Per-class F1")
    axes.legend(loc="upper right", ncols=len(f1), fontsize=8)
    return save(figure, path)
