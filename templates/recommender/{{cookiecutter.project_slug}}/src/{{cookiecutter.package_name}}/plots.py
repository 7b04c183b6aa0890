"""The figures of a training run, written as PNG files into reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from .figures import save


def long_tail(counts: np.ndarray, path: Path) -> Path:
    """Interactions per item, most popular first, with the share taken by the top 20 % of items."""
    ordered = np.sort(counts)[::-1]
    head = int(0.2 * ordered.size)
    share = ordered[:head].sum() / ordered.sum()
    figure, axes = plt.subplots(figsize=(6.5, 4))
    axes.fill_between(np.arange(ordered.size), ordered, color="tab:blue", alpha=0.7)
    axes.axvline(head, color="black", linestyle="--")
    axes.text(
        head * 1.05, ordered.max() * 0.8, f"top 20 % of movies:\n{100 * share:.0f} % of ratings"
    )
    axes.set(xlabel="Movies, most rated first", ylabel="Training ratings", title="The long tail")
    return save(figure, path)


def by_activity(
    groups: list[tuple[str, np.ndarray]], ndcg: dict[str, np.ndarray], path: Path
) -> Path:
    """Mean test NDCG@10 per group of users (by training activity), with one standard error."""
    figure, axes = plt.subplots(figsize=(6.5, 4))
    width = 0.8 / len(ndcg)
    positions = np.arange(len(groups))
    for offset, (name, values) in enumerate(ndcg.items()):
        means = [values[mask].mean() for _, mask in groups]
        errors = [values[mask].std(ddof=1) / np.sqrt(mask.sum()) for _, mask in groups]
        axes.bar(positions + offset * width, means, width, yerr=errors, capsize=3, label=name)
    # One line for the range, one for the users in it: each label fits under its bars.
    labels = [f"{label}\n({int(mask.sum())} users)" for label, mask in groups]
    axes.set_xticks(positions + width * (len(ndcg) - 1) / 2, labels=labels)
    axes.set(
        xlabel="Movies rated in training (quarters of the users)",
        ylabel="Test NDCG@10",
        title="Quality by user activity",
    )
    axes.legend()
    return save(figure, path)


def l2_tuning(tuning: dict, path: Path) -> Path:
    """Validation NDCG@10 for each L2 penalty tried, the chosen one marked, popularity for scale."""
    grid, scores = tuning["grid"], tuning["validation_ndcg@10"]
    figure, axes = plt.subplots(figsize=(6.5, 4))
    axes.plot(grid, scores, marker="o", label="EASE")
    best = grid.index(tuning["chosen_l2"])
    axes.plot(grid[best], scores[best], marker="o", markersize=12, fillstyle="none", color="black")
    axes.annotate(
        f"chosen: {grid[best]:g}",
        (grid[best], scores[best]),
        textcoords="offset points",
        xytext=(0, -22),
        ha="center",
    )
    axes.axhline(
        tuning["popularity_validation_ndcg@10"],
        color="tab:orange",
        linestyle="--",
        label="Popularity",
    )
    axes.set_xscale("log")
    axes.set_xticks(grid, labels=[f"{value:g}" for value in grid])
    axes.minorticks_off()
    axes.set(
        xlabel="L2 penalty (log scale)",
        ylabel="Validation NDCG@10",
        title="Choosing EASE's L2 on the validation split",
    )
    axes.legend(loc="center right")
    return save(figure, path)
