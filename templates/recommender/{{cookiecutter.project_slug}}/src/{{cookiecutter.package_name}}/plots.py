"""The figures of a training run, written as PNG files into reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from .figures import save


def long_tail(counts: np.ndarray, path: Path) -> Path:
    """Interactions per item, most popular first, with the share taken by the top 20 %."""
    ordered = np.sort(counts)[::-1]
    head = int(0.2 * ordered.size)
    share = ordered[:head].sum() / ordered.sum()
    figure, axes = plt.subplots(figsize=(6.5, 4))
    axes.fill_between(np.arange(ordered.size), ordered, color="tab:blue", alpha=0.7)
    axes.axvline(head, color="black", linestyle="--")
    axes.text(head * 1.05, ordered.max() * 0.8, f"top 20 % of items:\n{share:.0%} of interactions")
    axes.set(xlabel="Items, most popular first", ylabel="Interactions", title="The long tail")
    return save(figure, path)


def by_activity(activity: np.ndarray, ndcg: dict[str, np.ndarray], path: Path) -> Path:
    """Mean NDCG@10 per quartile of user activity (training interactions), for each model."""
    edges = np.quantile(activity, [0, 0.25, 0.5, 0.75, 1.0])
    bucket = np.clip(np.searchsorted(edges, activity, side="right") - 1, 0, 3)
    labels = [f"{int(edges[i])}-{int(edges[i + 1])}" for i in range(4)]
    figure, axes = plt.subplots(figsize=(6.5, 4))
    width = 0.8 / len(ndcg)
    for offset, (name, values) in enumerate(ndcg.items()):
        means = [values[bucket == b].mean() for b in range(4)]
        axes.bar(np.arange(4) + offset * width, means, width, label=name)
    axes.set_xticks(np.arange(4) + width * (len(ndcg) - 1) / 2, labels=labels)
    axes.set(
        xlabel="Movies rated in training (quartiles)",
        ylabel="NDCG@10",
        title="Quality by user activity",
    )
    axes.legend()
    return save(figure, path)


def examples(rows: list[dict], path: Path) -> Path:
    """A text figure: for a few users, three movies they rated and EASE's top five."""
    lines = []
    for row in rows:
        lines.append(f"User {row['user']}, who rated: " + "; ".join(row["history"]))
        for rank, (title, hit) in enumerate(row["recommended"], start=1):
            lines.append(f"    {rank}. {title}{'   [held out: a hit]' if hit else ''}")
        lines.append("")
    figure, axes = plt.subplots(figsize=(8, 0.19 * len(lines) + 0.4))
    axes.axis("off")
    axes.text(0, 1, "\n".join(lines), va="top", family="monospace", fontsize=8.5)
    axes.set_title("Example recommendations (top 5)", loc="left")
    return save(figure, path)
