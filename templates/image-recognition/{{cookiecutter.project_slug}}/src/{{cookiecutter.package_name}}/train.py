"""Train the CNN (with early stopping) and two pixel baselines, evaluate them, and report.

The images are split once, stratified: train (64 %) and validation (16 %), which
together are the training part, and test (20 %, for the reported numbers only).
The CNN learns from the train images and stops on the validation images; the
baselines learn from the whole training part (the SVM chooses its C by
cross-validation inside it). No model sees a test image before its evaluation.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from torch import nn
from tqdm import tqdm

from . import SEED, evaluate, plots
from .data import ImageSet
from .model import SmallCNN
from .progress import Steps
from .report import figure_entries, update_documents, write_metrics

MODEL_FILE = Path("models", "model.pt")
METRICS_FILE = Path("reports", "metrics.json")
FIGURES_DIR = Path("reports", "figures")
MODEL_NAME = "CNN (PyTorch)"
BASELINE_NAME = "RBF SVM on pixels"
REFERENCE_NAME = "Logistic regression on pixels"
# What the findings call them: sentences read better with short names.
MODEL_SHORT, BASELINE_SHORT, REFERENCE_SHORT = "CNN", "SVM", "Logistic regression"
MAX_EPOCHS = 60
PATIENCE = 8  # epochs without a better validation loss before training stops
# The SVM's C is searched on this grid by cross-validation while the training part
# is small enough for it to take about a second; an SVM's fit grows with the square
# of the images, so above SVM_SEARCH_LIMIT it keeps SVM_DEFAULT_C, and above
# SVM_MAX_IMAGES (MNIST's 56,000) it learns from a stratified sample of that many.
SVM_C_GRID = (1, 3, 10, 30, 100)
SVM_DEFAULT_C = 10
SVM_SEARCH_LIMIT = 5_000
SVM_MAX_IMAGES = 10_000


@dataclass
class TrainedCNN:
    """The network with its best weights, its per-epoch history, and how training ended."""

    network: SmallCNN
    history: list[dict[str, float]]
    best_epoch: int
    max_epochs: int
    patience: int

    @property
    def epochs_run(self) -> int:
        """How many epochs ran before training ended."""
        return len(self.history)

    @property
    def stopped_early(self) -> bool:
        """Whether early stopping ended the training before the epoch cap."""
        return self.epochs_run < self.max_epochs


def split(labels: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the train, validation and test images (64/16/20, stratified)."""
    everything = np.arange(labels.size)
    rest, test = train_test_split(everything, test_size=0.2, stratify=labels, random_state=seed)
    train, valid = train_test_split(rest, test_size=0.2, stratify=labels[rest], random_state=seed)
    return train, valid, test


def augment(
    images: torch.Tensor, generator: torch.Generator, padding: str = "zeros"
) -> torch.Tensor:
    """Each image turned by up to 10 degrees, scaled by up to 10 % and shifted by up to a pixel.

    What moves in from outside the frame is black (``padding="zeros"``), or a copy
    of the nearest edge pixel (``"border"``, for photos on a light background):
    nothing wraps around from the opposite edge, as ``torch.roll`` would make it.
    """
    count, _, height, width = images.shape
    angle = (torch.rand(count, generator=generator) * 2 - 1) * math.radians(10)
    scale = 1 + (torch.rand(count, generator=generator) * 2 - 1) * 0.1
    # affine_grid measures shifts in half-widths of the image: one pixel is 2 / width.
    shift = (torch.rand(count, 2, generator=generator) * 2 - 1) * torch.tensor(
        [2 / width, 2 / height]
    )
    theta = torch.zeros(count, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = torch.cos(angle) / scale
    theta[:, 0, 1] = -torch.sin(angle) / scale
    theta[:, 1, 0] = torch.sin(angle) / scale
    theta[:, :, 2] = shift
    grid = nn.functional.affine_grid(theta, list(images.shape), align_corners=False)
    return nn.functional.grid_sample(images, grid, padding_mode=padding, align_corners=False)


def fit_cnn(
    data: ImageSet,
    train_idx: np.ndarray,
    valid_idx: np.ndarray,
    *,
    seed: int = SEED,
    device: str = "cpu",
    max_epochs: int = MAX_EPOCHS,
    patience: int = PATIENCE,
    batch_size: int = 64,
    progress: bool = True,
) -> TrainedCNN:
    """Train with Adam until the validation loss stops improving for *patience* epochs.

    The learning rate drops to 30 % whenever the validation loss has not improved for
    3 epochs, so training settles before early stopping ends it. The network keeps
    the weights of its best epoch (lowest validation loss). Progress bars show the
    epochs and each epoch's batches.
    """
    torch.manual_seed(seed)
    if device == "cpu":
        torch.use_deterministic_algorithms(True)
    generator = torch.Generator().manual_seed(seed)
    network = SmallCNN(len(data.classes), data.shape[0]).to(device)
    optimiser = torch.optim.Adam(network.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.ReduceLROnPlateau(optimiser, factor=0.3, patience=3)
    padding = "zeros" if data.dark_background else "border"
    x_train = torch.from_numpy(data.images[train_idx])
    y_train = torch.from_numpy(data.labels[train_idx])
    x_valid = torch.from_numpy(data.images[valid_idx]).to(device)
    y_valid = torch.from_numpy(data.labels[valid_idx]).to(device)

    history: list[dict[str, float]] = []
    best_loss, best_state, best_epoch, waited = float("inf"), None, 0, 0
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
            images = augment(x_train[index], generator, padding).to(device)
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
        schedule.step(valid_loss)
        epochs.set_postfix(val_loss=f"{valid_loss:.3f}", val_acc=f"{valid_accuracy:.3f}")
        if valid_loss < best_loss - 1e-4:
            best_loss, best_epoch, waited = valid_loss, epoch, 0
            best_state = copy.deepcopy(network.state_dict())
        else:
            waited += 1
            if waited >= patience:
                break
    epochs.close()
    network.load_state_dict(best_state)
    network.eval()
    return TrainedCNN(network, history, best_epoch, max_epochs, patience)


def fit_svm(x: np.ndarray, y: np.ndarray, seed: int = SEED) -> tuple[SVC, dict[str, Any]]:
    """An RBF support-vector machine on the pixels, and how its C was chosen.

    The pixels are already in [0, 1], so they are used as they are; ``gamma="scale"``
    sets the kernel's width from their variance.
    """
    if len(y) > SVM_MAX_IMAGES:
        keep, _ = train_test_split(
            np.arange(len(y)), train_size=SVM_MAX_IMAGES, stratify=y, random_state=seed
        )
        x, y = x[keep], y[keep]
    folds = min(5, int(np.bincount(y)[np.unique(y)].min()))
    if len(y) <= SVM_SEARCH_LIMIT and folds >= 2:
        search = GridSearchCV(
            SVC(),
            {"C": list(SVM_C_GRID)},
            cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
        )
        search.fit(x, y)
        svm = search.best_estimator_
        chosen_by = f"chosen by {folds}-fold cross-validation on the training part"
    else:
        svm = SVC(C=SVM_DEFAULT_C).fit(x, y)
        chosen_by = "fixed (too many images for a search)"
    info = {
        "C": svm.C,
        "chosen_by": chosen_by,
        "fit_images": int(len(y)),
        "support_vectors": int(svm.n_support_.sum()),
    }
    return svm, info


def predict_proba(network: SmallCNN, images: np.ndarray, device: str = "cpu") -> np.ndarray:
    """The class probabilities of each image (softmax of the network's scores)."""
    with torch.no_grad():
        logits = network(torch.from_numpy(images).to(device))
        return torch.softmax(logits, dim=1).cpu().numpy()


def train(
    data: ImageSet,
    *,
    project_dir: Path = Path("."),
    seed: int = SEED,
    device: str = "cpu",
    max_epochs: int = MAX_EPOCHS,
    steps: Steps | None = None,
) -> dict[str, Any]:
    """Train, evaluate and report; returns the metrics payload (``reports/metrics.json``)."""
    steps = steps or Steps(4)
    train_idx, valid_idx, test_idx = split(data.labels, seed)
    fit_idx = np.concatenate([train_idx, valid_idx])
    steps.note(
        f"{len(train_idx):,} train / {len(valid_idx):,} validation / "
        f"{len(test_idx):,} test images of {data.shape[1]} x {data.shape[2]}"
    )
    flat = data.images.reshape(len(data.images), -1)
    with steps.step("Fitting the baselines (RBF SVM, C by cross-validation; logistic regression)"):
        svm, svm_info = fit_svm(flat[fit_idx], data.labels[fit_idx], seed)
        reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2_000))
        reference.fit(flat[fit_idx], data.labels[fit_idx])
    steps.note(f"SVM: C = {svm_info['C']:g}, {svm_info['support_vectors']:,} support vectors")

    with steps.step(f"Training the CNN on {device} (early stopping on validation loss)"):
        cnn = fit_cnn(
            data,
            train_idx,
            valid_idx,
            seed=seed,
            device=device,
            max_epochs=max_epochs,
            progress=not steps.quiet,
        )
    ending = "early stopping" if cnn.stopped_early else "the epoch cap"
    steps.note(
        f"stopped by {ending} after {cnn.epochs_run} epochs; best validation loss at epoch "
        f"{cnn.best_epoch} ({cnn.history[cnn.best_epoch - 1]['valid_accuracy']:.3f} "
        "validation accuracy)"
    )

    with steps.step("Evaluating on the test split"):
        y_test = data.labels[test_idx]
        probabilities = predict_proba(cnn.network, data.images[test_idx], device)
        predicted = probabilities.argmax(1)
        svm_predicted = svm.predict(flat[test_idx])
        reference_predicted = reference.predict(flat[test_idx])
        weights = sum(p.numel() for p in cnn.network.parameters())
        findings = [
            *evaluate.comparison_findings(
                y_test, predicted, svm_predicted, MODEL_SHORT, BASELINE_SHORT
            ),
            f"What each costs: the SVM (C = {svm_info['C']:g}, {svm_info['chosen_by']}) is one "
            f"convex fit that keeps {svm_info['support_vectors']:,} of its "
            f"{svm_info['fit_images']:,} training images as support vectors; the CNN learns "
            f"{weights:,} weights over {cnn.epochs_run} epochs of augmented images.",
            *(
                evaluate.perfect_score_finding(int(np.sum(guess != y_test)), len(y_test), name)
                for guess, name in ((predicted, MODEL_SHORT), (svm_predicted, BASELINE_SHORT))
            ),
            evaluate.reference_finding(y_test, reference_predicted, REFERENCE_SHORT),
            evaluate.confusion_finding(y_test, predicted, data.classes, MODEL_SHORT),
            evaluate.confusion_finding(y_test, svm_predicted, data.classes, BASELINE_SHORT),
            evaluate.confidence_finding(y_test, predicted, probabilities.max(1), MODEL_SHORT),
            evaluate.stopping_finding(cnn.epochs_run, cnn.best_epoch, cnn.max_epochs, cnn.patience),
        ]

    with steps.step("Writing the checkpoint, figures, metrics and README"):
        model_path = project_dir / MODEL_FILE
        model_path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(
            {
                "state_dict": cnn.network.cpu().state_dict(),
                "classes": data.classes,
                "shape": list(data.shape),
                "dark_background": data.dark_background,
                "dataset": data.name,
            },
            model_path,
        )
        folder = project_dir / FIGURES_DIR
        per_class = {
            "model": evaluate.per_class_f1(y_test, predicted, data.classes),
            "baseline": evaluate.per_class_f1(y_test, svm_predicted, data.classes),
        }
        figures = [
            (
                plots.learning_curves(cnn, folder / "learning_curves.png"),
                "Learning curves of the CNN: loss and validation accuracy per epoch.",
            ),
            (
                plots.confusion(
                    y_test, predicted, data.classes, MODEL_NAME, folder / "confusion_matrix.png"
                ),
                "Confusion matrix of the CNN on the test split.",
            ),
            (
                plots.misclassified(
                    data.images[test_idx],
                    y_test,
                    probabilities,
                    data.classes,
                    folder / "misclassified.png",
                ),
                "Test images the CNN got wrong (true -> predicted, with its probability).",
            ),
            (
                plots.per_class(
                    {MODEL_NAME: per_class["model"], BASELINE_NAME: per_class["baseline"]},
                    folder / "per_class_f1.png",
                ),
                "F1 per class on the test split, CNN against the SVM.",
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
            "labels": evaluate.LABELS,
            "model": {
                "name": MODEL_NAME,
                "metrics": evaluate.metrics(y_test, predicted),
                "intervals": {"accuracy": evaluate.accuracy_interval(y_test, predicted, seed)},
            },
            "baseline": {
                "name": BASELINE_NAME,
                "metrics": evaluate.metrics(y_test, svm_predicted),
                "intervals": {"accuracy": evaluate.accuracy_interval(y_test, svm_predicted, seed)},
            },
            "reference": {
                "name": REFERENCE_NAME,
                "metrics": evaluate.metrics(y_test, reference_predicted),
            },
            "training": {
                "weights": weights,
                "max_epochs": cnn.max_epochs,
                "patience": cnn.patience,
                "epochs_run": cnn.epochs_run,
                "best_epoch": cnn.best_epoch,
                "stopped_early": cnn.stopped_early,
            },
            "svm": svm_info,
            "per_class_f1": per_class,
            "findings": [finding for finding in findings if finding],
            "figures": figure_entries(figures, project_dir),
        }
        write_metrics(payload, project_dir / METRICS_FILE)
        update_documents(payload, project_dir / "README.md", project_dir / "MODEL_CARD.md")
    return payload
