"""Train the CNN (with early stopping) and the pixel baseline, evaluate both, and report.

The images are split once, stratified: train (64 %), validation (16 %, for early
stopping) and test (20 %, for the reported numbers only).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn
from tqdm import tqdm

from . import SEED, plots
from .data import ImageSet
from .model import SmallCNN
from .progress import Steps
from .report import figure_entries, update_documents, write_metrics

MODEL_FILE = Path("models", "model.pt")
METRICS_FILE = Path("reports", "metrics.json")
FIGURES_DIR = Path("reports", "figures")
MODEL_NAME = "CNN (PyTorch)"
BASELINE_NAME = "Logistic regression on pixels"


def split(labels: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the train, validation and test images (64/16/20, stratified)."""
    everything = np.arange(labels.size)
    rest, test = train_test_split(everything, test_size=0.2, stratify=labels, random_state=seed)
    train, valid = train_test_split(rest, test_size=0.2, stratify=labels[rest], random_state=seed)
    return train, valid, test


def fit_cnn(
    data: ImageSet,
    train_idx: np.ndarray,
    valid_idx: np.ndarray,
    *,
    seed: int = SEED,
    device: str = "cpu",
    max_epochs: int = 60,
    patience: int = 8,
    batch_size: int = 64,
    progress: bool = True,
) -> tuple[SmallCNN, list[dict[str, float]]]:
    """Train with Adam until the validation loss stops improving for *patience* epochs.

    Returns the network with its best weights (lowest validation loss) and the
    per-epoch history. Progress bars show the epochs and each epoch's batches.
    """
    torch.manual_seed(seed)
    if device == "cpu":
        torch.use_deterministic_algorithms(True)
    generator = torch.Generator().manual_seed(seed)
    network = SmallCNN(len(data.classes), data.shape[0]).to(device)
    optimiser = torch.optim.Adam(network.parameters(), lr=1e-3)
    x_train = torch.from_numpy(data.images[train_idx])
    y_train = torch.from_numpy(data.labels[train_idx])
    x_valid = torch.from_numpy(data.images[valid_idx]).to(device)
    y_valid = torch.from_numpy(data.labels[valid_idx]).to(device)

    history: list[dict[str, float]] = []
    best_loss, best_state, waited = float("inf"), None, 0
    # One bar that advances per epoch, and one per epoch over its batches; tqdm
    # hides both when the output is not a terminal (disable=None), e.g. in CI logs.
    epochs = tqdm(range(1, max_epochs + 1), unit="epoch", disable=None if progress else True)
    for epoch in epochs:
        network.train()
        order = torch.randperm(len(x_train), generator=generator)
        total = 0.0
        batches = tqdm(
            range(0, len(order), batch_size),
            desc=f"epoch {epoch}",
            leave=False,
            disable=None if progress else True,
        )
        for start in batches:
            index = order[start : start + batch_size]
            # Shift each batch by up to a pixel: the network learns position does not matter.
            shift = torch.randint(-1, 2, (2,), generator=generator).tolist()
            images = torch.roll(x_train[index], shifts=shift, dims=(2, 3)).to(device)
            loss = nn.functional.cross_entropy(network(images), y_train[index].to(device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(index)
        network.eval()
        with torch.no_grad():
            logits = network(x_valid)
            valid_loss = nn.functional.cross_entropy(logits, y_valid).item()
            valid_accuracy = (logits.argmax(1) == y_valid).float().mean().item()
        history.append(
            {
                "epoch": epoch,
                "train_loss": total / len(order),
                "valid_loss": valid_loss,
                "valid_accuracy": valid_accuracy,
            }
        )
        epochs.set_postfix(val_loss=f"{valid_loss:.3f}", val_acc=f"{valid_accuracy:.3f}")
        if valid_loss < best_loss - 1e-4:
            best_loss, best_state, waited = valid_loss, copy.deepcopy(network.state_dict()), 0
        else:
            waited += 1
            if waited >= patience:
                break
    epochs.close()
    network.load_state_dict(best_state)
    network.eval()
    return network, history


def predict_classes(network: SmallCNN, images: np.ndarray, device: str = "cpu") -> np.ndarray:
    """The predicted class index of each image."""
    with torch.no_grad():
        return network(torch.from_numpy(images).to(device)).argmax(1).cpu().numpy()


def train(
    data: ImageSet,
    *,
    project_dir: Path = Path("."),
    seed: int = SEED,
    device: str = "cpu",
    max_epochs: int = 60,
    steps: Steps | None = None,
) -> dict[str, Any]:
    """Train, evaluate and report; returns the metrics payload (``reports/metrics.json``)."""
    steps = steps or Steps(4)
    train_idx, valid_idx, test_idx = split(data.labels, seed)
    steps.note(
        f"{len(train_idx):,} train / {len(valid_idx):,} validation / "
        f"{len(test_idx):,} test images of {data.shape[1]} x {data.shape[2]}"
    )
    flat = data.images.reshape(len(data.images), -1)
    with steps.step(f"Fitting the baseline ({BASELINE_NAME.lower()})"):
        baseline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2_000))
        baseline.fit(flat[train_idx], data.labels[train_idx])

    with steps.step(f"Training the CNN on {device} (early stopping on validation loss)"):
        network, history = fit_cnn(
            data,
            train_idx,
            valid_idx,
            seed=seed,
            device=device,
            max_epochs=max_epochs,
            progress=not steps.quiet,
        )
    best = min(history, key=lambda h: h["valid_loss"])
    steps.note(
        f"stopped after {len(history)} epochs; best validation loss at epoch "
        f"{best['epoch']} ({best['valid_accuracy']:.3f} validation accuracy)"
    )

    with steps.step("Evaluating on the test split"):
        y_test = data.labels[test_idx]
        predicted = predict_classes(network, data.images[test_idx], device)
        baseline_predicted = baseline.predict(flat[test_idx])
        metrics = _metrics(y_test, predicted)
        baseline_metrics = _metrics(y_test, baseline_predicted)
        metrics["epochs"] = len(history)

    with steps.step("Writing the checkpoint, figures, metrics and README"):
        model_path = project_dir / MODEL_FILE
        model_path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(
            {
                "state_dict": network.cpu().state_dict(),
                "classes": data.classes,
                "shape": list(data.shape),
                "dark_background": data.dark_background,
                "dataset": data.name,
            },
            model_path,
        )
        folder = project_dir / FIGURES_DIR
        per_class = {
            "model": dict(zip(data.classes, _per_class_f1(y_test, predicted, data), strict=True)),
            "baseline": dict(
                zip(data.classes, _per_class_f1(y_test, baseline_predicted, data), strict=True)
            ),
        }
        figures = [
            (
                plots.learning_curves(history, best["epoch"], folder / "learning_curves.png"),
                "Learning curves: training and validation loss, validation accuracy, per epoch.",
            ),
            (
                plots.confusion(y_test, predicted, data.classes, folder / "confusion_matrix.png"),
                "Confusion matrix of the CNN on the test split.",
            ),
            (
                plots.misclassified(
                    data.images[test_idx],
                    y_test,
                    predicted,
                    data.classes,
                    folder / "misclassified.png",
                ),
                "Test images the CNN got wrong (true -> predicted).",
            ),
            (
                plots.per_class(per_class, folder / "per_class_f1.png"),
                "F1 per class, CNN against the baseline.",
            ),
        ]
        payload = {
            "dataset": {
                "name": data.name,
                "images": int(len(data.labels)),
                "classes": data.classes,
                "test_images": int(len(test_idx)),
                "seed": seed,
                "summary": f"the held-out test split ({len(test_idx):,} images) of "
                f"{data.description}.",
            },
            "primary_metric": "accuracy",
            "labels": {"epochs": "Epochs trained (early stopping)"},
            "model": {"name": MODEL_NAME, "metrics": metrics},
            "baseline": {"name": BASELINE_NAME, "metrics": baseline_metrics},
            "per_class_f1": per_class,
            "figures": figure_entries(figures, project_dir),
        }
        write_metrics(payload, project_dir / METRICS_FILE)
        update_documents(payload, project_dir / "README.md", project_dir / "MODEL_CARD.md")
    return payload


def _metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
    }


def _per_class_f1(y_true: np.ndarray, y_pred: np.ndarray, data: ImageSet) -> list[float]:
    labels = list(range(len(data.classes)))
    return [float(v) for v in f1_score(y_true, y_pred, labels=labels, average=None)]
