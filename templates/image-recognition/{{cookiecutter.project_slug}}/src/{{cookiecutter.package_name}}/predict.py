"""Classify image files with the trained network."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch

from .data import DataError, read_image
from .model import SmallCNN
from .train import MODEL_FILE


def load_checkpoint(path: Path = MODEL_FILE) -> tuple[SmallCNN, dict]:
    """The trained network and what it was trained on (classes, image shape, polarity)."""
    if path.is_dir():
        raise DataError(f"{path} is a folder, not a model file")
    if not path.is_file():
        raise DataError(f"no trained model at {path}; run `train` first")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        channels, _, _ = checkpoint["shape"]
        network = SmallCNN(len(checkpoint["classes"]), channels)
        network.load_state_dict(checkpoint["state_dict"])
    # A file that is not a checkpoint of this project fails in torch.load (unpickling)
    # or when its contents do not fit the network; either way, one line, not a traceback.
    except (pickle.UnpicklingError, EOFError, RuntimeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(
            f"{path} is not a model saved by this project's `train` ({exc.__class__.__name__})"
        ) from exc
    network.eval()
    return network, checkpoint


def classify(files: list[Path], model_path: Path = MODEL_FILE) -> list[tuple[Path, str, float]]:
    """Each file's predicted class and its probability.

    A missing, unreadable or unsuitable model or image raises DataError.
    """
    network, checkpoint = load_checkpoint(model_path)
    channels, height, width = checkpoint["shape"]
    images = [
        read_image(file, (height, width), channels == 3, checkpoint["dark_background"])
        for file in files
    ]
    batch = torch.from_numpy(np.stack(images))
    with torch.no_grad():
        probabilities = torch.softmax(network(batch), dim=1)
    best = probabilities.max(dim=1)
    return [
        (file, checkpoint["classes"][int(index)], float(probability))
        for file, index, probability in zip(files, best.indices, best.values, strict=True)
    ]
