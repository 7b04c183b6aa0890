"""Recommend from the saved model, for one user (or the popular items for a stranger)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import DataError
from .models import MODEL_FILE

SAVED = ("titles", "item_ids", "user_ids", "interactions", "weights")  # what train's _save wrote


@dataclass(frozen=True)
class Recommendations:
    """What ``recommend`` prints: the items and whether they are personal or just popular."""

    user: int
    known: bool
    seen: int
    unseen: int  # how many items the user has not rated: the most that can be recommended
    items: list[tuple[int, str, float]]  # item id, title, score


def recommend(user: int, k: int = 10, model_path: Path = MODEL_FILE) -> Recommendations:
    """Return *user*'s top *k* unseen items, or the *k* most popular items for an unknown user.

    Only items the user has not rated are ever listed, so fewer than *k* come back
    when the user has rated all but a few (``unseen`` says how many there were).
    """
    saved = _load(model_path)
    titles = json.loads(str(saved["titles"]))
    item_ids, user_ids = saved["item_ids"], saved["user_ids"]
    interactions = saved["interactions"].astype(np.float32)
    rows = np.flatnonzero(user_ids == user)
    if rows.size:
        history = interactions[rows[0]]
        scores = history @ saved["weights"]
    else:
        history = np.zeros(item_ids.size, dtype=np.float32)
        scores = interactions.sum(axis=0)
    candidates = np.flatnonzero(history == 0)  # never what they have already rated
    best = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
    items = [
        (
            int(item_ids[i]),
            titles.get(str(int(item_ids[i])), f"item {item_ids[i]}"),
            float(scores[i]),
        )
        for i in best
    ]
    return Recommendations(user, bool(rows.size), int(history.sum()), candidates.size, items)


def _load(path: Path) -> dict[str, np.ndarray]:
    """The arrays ``train`` saved, or a DataError naming what is wrong with the file."""
    if not path.is_file():
        raise FileNotFoundError(f"no trained model at {path}; run `train` first")
    try:
        with np.load(path) as saved:
            return {key: saved[key] for key in SAVED}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path} is not a model saved by `train`; run `train` again") from exc
