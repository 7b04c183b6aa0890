"""Recommend from the saved model, for one user (or the popular items for a stranger)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .train import MODEL_FILE


@dataclass(frozen=True)
class Recommendations:
    """What ``recommend`` prints: the items and whether they are personal or just popular."""

    user: int
    known: bool
    seen: int
    items: list[tuple[int, str, float]]  # item id, title, score


def recommend(user: int, k: int = 10, model_path: Path = MODEL_FILE) -> Recommendations:
    """Return *user*'s top *k* unseen items, or the *k* most popular items for an unknown user."""
    if not model_path.is_file():
        raise FileNotFoundError(f"no trained model at {model_path}; run `train` first")
    saved = np.load(model_path)
    titles = json.loads(str(saved["titles"]))
    item_ids, user_ids = saved["item_ids"], saved["user_ids"]
    interactions = saved["interactions"].astype(np.float32)
    rows = np.flatnonzero(user_ids == user)
    if rows.size:
        history = interactions[rows[0]]
        scores = history @ saved["weights"]
        scores[history > 0] = -np.inf  # never recommend what they have already seen
    else:
        history = np.zeros(item_ids.size, dtype=np.float32)
        scores = interactions.sum(axis=0)
    best = np.argsort(-scores, kind="stable")[:k]
    items = [
        (
            int(item_ids[i]),
            titles.get(str(int(item_ids[i])), f"item {item_ids[i]}"),
            float(scores[i]),
        )
        for i in best
    ]
    return Recommendations(user, bool(rows.size), int(history.sum()), items)
