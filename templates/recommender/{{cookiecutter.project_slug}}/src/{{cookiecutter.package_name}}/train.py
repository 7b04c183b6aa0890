"""Split each user's interactions, tune and fit EASE, rank the full catalogue, report.

Any rating counts as an interaction (the usual top-N setting): the task is to
rank the movies a user will watch, not to predict their star rating. For every
user, a random 20 % of their interactions is held out as the test split; models
see the rest. EASE's one hyper-parameter, its L2 penalty, is chosen on a
validation split carved the same way out of the training interactions only;
the model is then refitted on all training interactions and judged once on how
high it ranks the held-out movies among all the movies the user has not seen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import SEED, plots
from .evaluate import activity_groups, per_user_ndcg, ranking_metrics, top_k
from .findings import findings
from .models import EASE, L2_GRID, MODEL_FILE, Popularity
from .progress import Steps
from .report import figure_entries, update_documents, write_metrics
from .uncertainty import bootstrap_interval

K = 10
HOLD_OUT = 0.2
METRICS_FILE = Path("reports", "metrics.json")
FIGURES_DIR = Path("reports", "figures")
LABELS = {
    f"precision@{K}": f"Precision@{K}",
    f"recall@{K}": f"Recall@{K}",
    f"ndcg@{K}": f"NDCG@{K}",
    f"hit_rate@{K}": f"Hit rate@{K} (users with at least one hit)",
    f"coverage@{K}": f"Catalogue coverage@{K}",
}


def interaction_matrix(ratings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Users x items matrix of 0/1 interactions, with the user and item ids of its rows/columns."""
    users, user_index = np.unique(ratings["user"].to_numpy(), return_inverse=True)
    items, item_index = np.unique(ratings["item"].to_numpy(), return_inverse=True)
    matrix = np.zeros((users.size, items.size), dtype=np.float32)
    matrix[user_index, item_index] = 1.0
    return matrix, users, items


def split(
    matrix: np.ndarray, rng: np.random.Generator, share: float = HOLD_OUT
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out *share* of each user's interactions (at least one, if they have two or more)."""
    kept, held_out = matrix.copy(), np.zeros_like(matrix)
    for user in range(matrix.shape[0]):
        items = np.flatnonzero(matrix[user])
        if items.size < 2:
            continue
        held = rng.choice(items, size=max(1, round(share * items.size)), replace=False)
        kept[user, held], held_out[user, held] = 0.0, 1.0
    return kept, held_out


def tune_l2(
    train_set: np.ndarray, grid: Sequence[float], rng: np.random.Generator
) -> dict[str, Any]:
    """Choose EASE's L2 penalty on a validation split carved out of *train_set* alone.

    A further 20 % of each user's training interactions is held out; EASE is fitted
    on the rest with each value of *grid* and scored by validation NDCG@10. The test
    split is never seen here, so it stays an unbiased check of the chosen value.
    """
    fit_set, validation = split(train_set, rng)
    scores = [
        ranking_metrics(top_k(EASE(l2).fit(fit_set).score(fit_set), fit_set, K), validation, K)
        for l2 in grid
    ]
    ndcg = [score[f"ndcg@{K}"] for score in scores]
    popularity = Popularity().fit(fit_set).score(fit_set)
    return {
        "validation_interactions": int(validation.sum()),
        "grid": [float(l2) for l2 in grid],
        f"validation_ndcg@{K}": ndcg,
        f"popularity_validation_ndcg@{K}": ranking_metrics(
            top_k(popularity, fit_set, K), validation, K
        )[f"ndcg@{K}"],
        "chosen_l2": float(grid[int(np.argmax(ndcg))]),  # the smallest value on a tie
    }


def train(
    ratings: pd.DataFrame,
    titles: dict[int, str],
    dataset: dict[str, Any],
    *,
    project_dir: Path = Path("."),
    seed: int = SEED,
    l2_grid: Sequence[float] = L2_GRID,
    steps: Steps | None = None,
) -> dict[str, Any]:
    """Tune, fit, evaluate and report; returns the metrics payload (``reports/metrics.json``)."""
    steps = steps or Steps(5)
    rng = np.random.default_rng(seed)
    with steps.step("Building the interaction matrix and holding out 20 % per user"):
        matrix, user_ids, item_ids = interaction_matrix(ratings)
        train_set, test_set = split(matrix, rng)
    steps.note(
        f"{matrix.shape[0]:,} users x {matrix.shape[1]:,} items, "
        f"{int(train_set.sum()):,} training and {int(test_set.sum()):,} held-out interactions"
    )

    with steps.step(f"Choosing EASE's L2 on a validation split ({len(l2_grid)} values)"):
        tuning = tune_l2(train_set, l2_grid, rng)
    l2 = tuning["chosen_l2"]
    steps.note(f"L2 {l2:g}: validation NDCG@{K} {max(tuning[f'validation_ndcg@{K}']):.3f}")

    with steps.step(f"Fitting on all training interactions, ranking all {matrix.shape[1]:,} items"):
        baseline = Popularity().fit(train_set)
        model = EASE(l2=l2).fit(train_set)
        top_model = top_k(model.score(train_set), train_set, K)
        top_baseline = top_k(baseline.score(train_set), train_set, K)
        evaluated = test_set.sum(axis=1) > 0
        ndcg_model = per_user_ndcg(top_model, test_set, K)[evaluated]
        ndcg_baseline = per_user_ndcg(top_baseline, test_set, K)[evaluated]
        comparison = _comparison(
            ndcg_model, ndcg_baseline, top_model, top_baseline, train_set, test_set, seed
        )

    with steps.step("Refitting on all interactions for `recommend`"):
        final = EASE(l2=l2).fit(matrix)
        _save(project_dir / MODEL_FILE, final, matrix, user_ids, item_ids, titles)

    with steps.step("Writing figures, metrics and README"):
        activity = train_set.sum(axis=1)[evaluated]
        groups = activity_groups(activity)
        comparison["by_activity"] = [
            {
                "training_interactions": label,
                "users": int(mask.sum()),
                f"model_ndcg@{K}": float(ndcg_model[mask].mean()),
                f"baseline_ndcg@{K}": float(ndcg_baseline[mask].mean()),
            }
            for label, mask in groups
        ]
        folder = project_dir / FIGURES_DIR
        figures = [
            (
                plots.long_tail(train_set.sum(axis=0), folder / "long_tail.png"),
                "Training interactions per movie, most popular first (the long tail).",
            ),
            (
                plots.by_activity(
                    groups,
                    {model.name: ndcg_model, baseline.name: ndcg_baseline},
                    folder / "ndcg_by_activity.png",
                ),
                f"Test NDCG@{K} by how many movies a user rated in training (quarters of the "
                "users), with one standard error.",
            ),
            (
                plots.l2_tuning(tuning, folder / "l2_tuning.png"),
                f"Validation NDCG@{K} against EASE's L2 penalty; the chosen value is marked.",
            ),
        ]
        payload = {
            "dataset": {
                **dataset,
                "users": int(matrix.shape[0]),
                "items": int(matrix.shape[1]),
                "interactions": int(matrix.sum()),
                "held_out": int(test_set.sum()),
                "evaluated_users": int(evaluated.sum()),
                "seed": seed,
                "summary": f"{int(test_set.sum()):,} held-out interactions (20 % of each user's) "
                f"of {dataset['description']}, ranking all {matrix.shape[1]:,} items per user "
                "with the user's training items excluded.",
            },
            "primary_metric": f"ndcg@{K}",
            "labels": LABELS,
            "model": {
                "name": f"EASE (L2 {l2:g})",
                "metrics": ranking_metrics(top_model, test_set, K),
                "intervals": {f"ndcg@{K}": _interval(ndcg_model, seed)},
            },
            "baseline": {
                "name": baseline.name,
                "metrics": ranking_metrics(top_baseline, test_set, K),
                "intervals": {f"ndcg@{K}": _interval(ndcg_baseline, seed)},
            },
            "tuning": tuning,
            "comparison": comparison,
            "examples": _examples(train_set, test_set, top_model, user_ids, item_ids, titles, rng),
            "figures": figure_entries(figures, project_dir),
        }
        payload["findings"] = findings(payload)
        write_metrics(payload, project_dir / METRICS_FILE)
        update_documents(payload, project_dir / "README.md", project_dir / "MODEL_CARD.md")
    return payload


def _interval(per_user: np.ndarray, seed: int) -> list[float]:
    """The 95 % bootstrap interval of the mean NDCG over users (users resampled)."""
    return list(bootstrap_interval(np.mean, per_user, seed=seed))


def _comparison(
    ndcg_model, ndcg_baseline, top_model, top_baseline, train_set, test_set, seed
) -> dict[str, Any]:
    """The numbers the findings compare: lift, misses, and how popular the picks are."""
    counts = train_set.sum(axis=0)
    head = np.argsort(-counts, kind="stable")[: int(0.2 * counts.size)]  # the top 20 % of items
    evaluated = test_set.sum(axis=1) > 0
    hits = {
        name: (np.take_along_axis(test_set, top, axis=1) > 0).any(axis=1)[evaluated]
        for name, top in (("model", top_model), ("baseline", top_baseline))
    }
    return {
        # Paired: the same resampled users for both, so the ratio's interval is not
        # the (wider) one two independent intervals would suggest.
        f"ndcg@{K}_ratio": float(ndcg_model.mean() / ndcg_baseline.mean()),
        f"ndcg@{K}_ratio_interval": list(
            bootstrap_interval(
                lambda m, b: m.mean() / b.mean(), ndcg_model, ndcg_baseline, seed=seed
            )
        ),
        "users_without_a_hit": {name: int((~hit).sum()) for name, hit in hits.items()},
        "distinct_items_recommended": {
            "model": int(np.unique(top_model).size),
            "baseline": int(np.unique(top_baseline).size),
        },
        "top_fifth_share_of_training": float(counts[head].sum() / counts.sum()),
        "top_fifth_share_of_recommendations": {
            "model": float(np.isin(top_model, head).mean()),
            "baseline": float(np.isin(top_baseline, head).mean()),
        },
    }


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


def _examples(train_set, test_set, recommended, user_ids, item_ids, titles, rng, count=2):
    """A few users: some movies they rated, EASE's top five, and which of those were held out."""
    chosen = rng.choice(np.flatnonzero(test_set.sum(axis=1) > 0), size=count, replace=False)
    name = lambda column: titles.get(int(item_ids[column]), f"item {item_ids[column]}")  # noqa: E731
    return [
        {
            "user": int(user_ids[user]),
            "training_interactions": int(train_set[user].sum()),
            "held_out": int(test_set[user].sum()),
            "history": [name(c) for c in np.flatnonzero(train_set[user])[:3]],
            "recommended": [[name(c), bool(test_set[user, c])] for c in recommended[user, :5]],
        }
        for user in sorted(chosen)
    ]
