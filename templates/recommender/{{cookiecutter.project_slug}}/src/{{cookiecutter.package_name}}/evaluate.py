"""Top-N ranking metrics over the full catalogue, with each user's seen items excluded."""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, seen: np.ndarray, k: int = 10) -> np.ndarray:
    """Each user's *k* best items, best first, never one they interacted with in training."""
    masked = np.where(seen > 0, -np.inf, scores)
    best = np.argpartition(-masked, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(masked, best, axis=1), axis=1, kind="stable")
    return np.take_along_axis(best, order, axis=1)


def ranking_metrics(recommended: np.ndarray, held_out: np.ndarray, k: int = 10) -> dict:
    """Precision, recall, NDCG and hit rate at *k* (means over users) and catalogue coverage."""
    per_user = per_user_ndcg(recommended, held_out, k)
    hits = np.take_along_axis(held_out, recommended[:, :k], axis=1) > 0
    relevant = held_out.sum(axis=1)
    users = relevant > 0
    return {
        f"precision@{k}": float(hits[users].mean()),
        f"recall@{k}": float((hits.sum(axis=1)[users] / relevant[users]).mean()),
        f"ndcg@{k}": float(per_user[users].mean()),
        f"hit_rate@{k}": float((hits.sum(axis=1)[users] > 0).mean()),
        f"coverage@{k}": float(np.unique(recommended[:, :k]).size / held_out.shape[1]),
    }


def per_user_ndcg(recommended: np.ndarray, held_out: np.ndarray, k: int = 10) -> np.ndarray:
    """NDCG@k of each user (0 for users with nothing held out)."""
    hits = np.take_along_axis(held_out, recommended[:, :k], axis=1) > 0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discounts).sum(axis=1)
    ideal_hits = np.minimum(held_out.sum(axis=1), k).astype(int)
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])[ideal_hits]
    return np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0)


def activity_groups(activity: np.ndarray, groups: int = 4) -> list[tuple[str, np.ndarray]]:
    """Split users into quarters by *activity* (training interactions): (label, mask) each.

    A quarter is the users from one quantile edge up to (not including) the
    next, so the labels, the smallest and largest activity inside each group, never
    overlap. Ties at an edge can empty a group; empty groups are left out.
    """
    inner = np.quantile(activity, np.linspace(0, 1, groups + 1)[1:-1])
    bucket = np.searchsorted(inner, activity, side="right")
    found = []
    for group in range(groups):
        mask = bucket == group
        if mask.any():
            low, high = int(activity[mask].min()), int(activity[mask].max())
            found.append((f"{low}-{high}" if low < high else f"{low}", mask))
    return found
