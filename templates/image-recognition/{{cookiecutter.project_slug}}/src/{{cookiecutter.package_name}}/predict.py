"""Classify image files with the trained network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .data import read_image
from .model import SmallCNN
from .train import MODEL_FILE


def load_checkpoint(path: Path = MODEL_FILE) -> tuple[SmallCNN, dict]:
    """The trained network and what it was trained on (classes, image shape, polarity)."""
    if not path.is_file():
        raise FileNotFoundError(f"no trained model at {path}; run `train` first")
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    channels, _, _ = checkpoint["shape"]
    network = SmallCNN(len(checkpoint["classes"]), channels)
    network.load_state_dict(checkpoint["state_dict"])
    network.eval()
    return network, checkpoint


def classify(files: list[Path], model_path: Path = MODEL_FILE) -> list[tuple[Path, str, float]]:
    """Each file's predicted class and its probability; an unreadable file raises DataError."""
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
