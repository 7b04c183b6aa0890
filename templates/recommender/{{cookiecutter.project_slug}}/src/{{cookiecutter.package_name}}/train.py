"""Split each user's interactions, fit popularity and EASE, rank the full catalogue, report.

Any rating counts as an interaction (the usual top-N setting): the task is to
rank the movies a user will watch, not to predict their star rating. For every
user, a random 20 % of their interactions is held out; models see the rest, and
are judged on how high they rank the held-out movies among all the movies the
user has not seen.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import SEED, plots
from .evaluate import per_user_ndcg, ranking_metrics, top_k
from .models import EASE, Popularity
from .progress import Steps
from .report import figure_entries, update_documents, write_metrics

K = 10
MODEL_FILE = Path("models", "model.npz")
METRICS_FILE = Path("reports", "metrics.json")
FIGURES_DIR = Path("reports", "figures")


def interaction_matrix(ratings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Users x items matrix of 0/1 interactions, with the user and item ids of its rows/columns."""
    users, user_index = np.unique(ratings["user"].to_numpy(), return_inverse=True)
    items, item_index = np.unique(ratings["item"].to_numpy(), return_inverse=True)
    matrix = np.zeros((users.size, items.size), dtype=np.float32)
    matrix[user_index, item_index] = 1.0
    return matrix, users, items


def split(
    matrix: np.ndarray, seed: int = SEED, share: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out *share* of each user's interactions (at least one, if they have two or more)."""
    rng = np.random.default_rng(seed)
    train, test = matrix.copy(), np.zeros_like(matrix)
    for user in range(matrix.shape[0]):
        items = np.flatnonzero(matrix[user])
        if items.size < 2:
            continue
        held = rng.choice(items, size=max(1, round(share * items.size)), replace=False)
        train[user, held], test[user, held] = 0.0, 1.0
    return train, test


def train(
    ratings: pd.DataFrame,
    titles: dict[int, str],
    dataset: dict[str, Any],
    *,
    project_dir: Path = Path("."),
    seed: int = SEED,
    l2: float = 300.0,
    steps: Steps | None = None,
) -> dict[str, Any]:
    """Fit, evaluate and report; returns the metrics payload (``reports/metrics.json``)."""
    steps = steps or Steps(5)
    with steps.step("Building the interaction matrix and holding out 20 % per user"):
        matrix, user_ids, item_ids = interaction_matrix(ratings)
        train_set, test_set = split(matrix, seed)
    steps.note(
        f"{matrix.shape[0]:,} users x {matrix.shape[1]:,} items, "
        f"{int(train_set.sum()):,} training and {int(test_set.sum()):,} held-out interactions"
    )

    with steps.step("Fitting popularity and EASE"):
        baseline = Popularity().fit(train_set)
        model = EASE(l2=l2).fit(train_set)

    with steps.step(f"Ranking all {matrix.shape[1]:,} items for every user"):
        top_model = top_k(model.score(train_set), train_set, K)
        top_baseline = top_k(baseline.score(train_set), train_set, K)
        metrics = ranking_metrics(top_model, test_set, K)
        baseline_metrics = ranking_metrics(top_baseline, test_set, K)

    with steps.step("Refitting on all interactions for `recommend`"):
        final = EASE(l2=l2).fit(matrix)
        _save(project_dir / MODEL_FILE, final, matrix, user_ids, item_ids, titles)

    with steps.step("Writing figures, metrics and README"):
        folder = project_dir / FIGURES_DIR
        activity = train_set.sum(axis=1)
        examples = _examples(train_set, test_set, top_model, user_ids, item_ids, titles, seed)
        figures = [
            (
                plots.long_tail(matrix.sum(axis=0), folder / "long_tail.png"),
                "Item popularity: a few movies collect most interactions (the long tail).",
            ),
            (
                plots.by_activity(
                    activity,
                    {
                        model.name: per_user_ndcg(top_model, test_set, K),
                        baseline.name: per_user_ndcg(top_baseline, test_set, K),
                    },
                    folder / "ndcg_by_activity.png",
                ),
                "NDCG@10 by how many movies a user rated: EASE helps most where history is rich.",
            ),
            (
                plots.examples(examples, folder / "examples.png"),
                "Example recommendations; held-out movies the model found are marked.",
            ),
        ]
        payload = {
            "dataset": {
                **dataset,
                "users": int(matrix.shape[0]),
                "items": int(matrix.shape[1]),
                "interactions": int(matrix.sum()),
                "held_out": int(test_set.sum()),
                "seed": seed,
                "summary": f"{int(test_set.sum()):,} held-out interactions (20 % of each user's) "
                f"of {dataset['description']}, ranking all {matrix.shape[1]:,} items per user "
                "with the user's training items excluded.",
            },
            "primary_metric": f"ndcg@{K}",
            "labels": {
                f"precision@{K}": "Precision@10",
                f"recall@{K}": "Recall@10",
                f"ndcg@{K}": "NDCG@10",
                f"hit_rate@{K}": "Hit rate@10 (users with at least one hit)",
                f"coverage@{K}": "Catalogue coverage@10",
            },
            "model": {"name": f"EASE (L2 {l2:g})", "metrics": metrics},
            "baseline": {"name": baseline.name, "metrics": baseline_metrics},
            "figures": figure_entries(figures, project_dir),
        }
        write_metrics(payload, project_dir / METRICS_FILE)
        update_documents(payload, project_dir / "README.md", project_dir / "MODEL_CARD.md")
    return payload


def _save(path, model, matrix, user_ids, item_ids, titles) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        weights=model.weights_,
        interactions=matrix.astype(np.uint8),
        user_ids=user_ids,
        item_ids=item_ids,
        titles=json.dumps({str(k): v for k, v in titles.items()}),
    )


def _examples(train_set, test_set, recommended, user_ids, item_ids, titles, seed, count=3):
    """A few users: what they liked, what EASE recommends, and which of those were held out."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(np.flatnonzero(test_set.sum(axis=1) > 0), size=count, replace=False)
    name = lambda column: titles.get(int(item_ids[column]), f"item {item_ids[column]}")  # noqa: E731
    rows = []
    for user in sorted(chosen):
        rows.append(
            {
                "user": int(user_ids[user]),
                "history": [name(c) for c in np.flatnonzero(train_set[user])[:3]],
                "recommended": [(name(c), bool(test_set[user, c])) for c in recommended[user, :5]],
            }
        )
    return rows
