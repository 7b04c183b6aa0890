"""The README's findings: sentences written from one run's numbers, never fixed in advance.

Each sentence reads only the metrics payload (what ``reports/metrics.json``
holds), so whatever a run shows, including a model that loses to popularity or
a tuned value at the end of its grid, is what the README says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def findings(payload: Mapping[str, Any]) -> list[str]:
    """What this run showed, as sentences: lift, tuning, activity, misses, coverage, examples."""
    return [
        _lift(payload),
        _tuning(payload),
        _activity(payload),
        _misses(payload),
        _coverage(payload),
        *(_example(example) for example in payload["examples"]),
    ]


def _lift(payload: Mapping[str, Any]) -> str:
    model, baseline = _names(payload)
    comparison = payload["comparison"]
    ratio, (low, high) = comparison["ndcg@10_ratio"], comparison["ndcg@10_ratio_interval"]
    if low > 1:
        verdict = "the interval lies above 1"
    elif high < 1:
        verdict = f"the interval lies below 1: {baseline} ranks better here"
    else:
        verdict = "the interval includes 1, so this test split does not separate the two"
    return (
        f"{model}'s NDCG@10 is {ratio:.2f} times {baseline}'s "
        f"({payload['model']['metrics']['ndcg@10']:.3f} against "
        f"{payload['baseline']['metrics']['ndcg@10']:.3f}; 95 % paired bootstrap interval of "
        f"the ratio, resampling users, {low:.2f} to {high:.2f}): {verdict}."
    )


def _tuning(payload: Mapping[str, Any]) -> str:
    tuning = payload["tuning"]
    grid, chosen = tuning["grid"], tuning["chosen_l2"]
    values = ", ".join(f"{value:g}" for value in grid)
    sentence = (
        f"EASE's L2 penalty is {chosen:g}, chosen from the grid {values}: it gave the best "
        f"validation NDCG@10 ({max(tuning['validation_ndcg@10']):.3f}) with a further 20 % of "
        f"each user's training ratings ({tuning['validation_interactions']:,}) held out. EASE "
        "was then refitted on all training ratings with it and scored on the test split once."
    )
    if len(grid) > 1 and chosen in (min(grid), max(grid)):
        end = "smallest" if chosen == min(grid) else "largest"
        sentence += f" It is the grid's {end} value, so a wider grid may find a better one."
    return sentence


def _activity(payload: Mapping[str, Any]) -> str:
    groups = payload["comparison"]["by_activity"]
    model, baseline = _names(payload)

    def describe(group: Mapping[str, Any], which: str) -> str:
        return (
            f"{group['model_ndcg@10']:.3f} against {group['baseline_ndcg@10']:.3f} for the "
            f"{which} ({group['training_interactions']} training ratings, {group['users']} users)"
        )

    gaps = [group["model_ndcg@10"] - group["baseline_ndcg@10"] for group in groups]
    largest = groups[max(range(len(groups)), key=gaps.__getitem__)]
    behind = [
        group["training_interactions"] for group, gap in zip(groups, gaps, strict=True) if gap <= 0
    ]
    sentence = (
        f"By user activity, NDCG@10 of {model} against {baseline} is "
        f"{describe(groups[0], 'least active quarter')} and "
        f"{describe(groups[-1], 'most active quarter')}; {model}'s lead is largest for users "
        f"with {largest['training_interactions']} training ratings ({max(gaps):+.3f})."
    )
    if behind:
        sentence += f" {baseline.capitalize()} is level or ahead for users with " + (
            ", ".join(behind) + " training ratings."
        )
    return sentence


def _misses(payload: Mapping[str, Any]) -> str:
    model, baseline = _names(payload)
    users = payload["dataset"]["evaluated_users"]
    missed = payload["comparison"]["users_without_a_hit"]
    share = {side: _percent(count / users) for side, count in missed.items()}
    return (
        f"For {missed['model']:,} of the {users:,} test users ({share['model']}) none of "
        f"{model}'s ten picks is among their held-out movies; {baseline} misses "
        f"{missed['baseline']:,} users ({share['baseline']})."
    )


def _coverage(payload: Mapping[str, Any]) -> str:
    model, baseline = _names(payload)
    comparison, items = payload["comparison"], payload["dataset"]["items"]
    distinct = comparison["distinct_items_recommended"]
    share = comparison["top_fifth_share_of_recommendations"]
    return (
        f"{model}'s top-10 lists use {distinct['model']:,} different movies "
        f"({_percent(distinct['model'] / items)} of the catalogue), {baseline}'s "
        f"{distinct['baseline']:,} ({_percent(distinct['baseline'] / items)}). "
        f"{_percent(share['model'], 0)} of {model}'s recommendations and "
        f"{_percent(share['baseline'], 0)} of {baseline}'s are among the 20 % most-rated "
        f"movies, which hold {_percent(comparison['top_fifth_share_of_training'], 0)} of the "
        "training ratings."
    )


def _names(payload: Mapping[str, Any]) -> tuple[str, str]:
    """The model's name without its settings ("EASE"), and the baseline's in lower case."""
    return payload["model"]["name"].split(" (")[0], payload["baseline"]["name"].lower()


def _percent(share: float, places: int = 1) -> str:
    return f"{100 * share:.{places}f} %"


def _example(example: Mapping[str, Any]) -> str:
    picks = example["recommended"]
    found = [title for title, hit in picks if hit]
    hits = (
        f"{len(found)} of them ({', '.join(found)}) are among the user's "
        f"{example['held_out']} held-out movies"
        if found
        else f"none of them is among the user's {example['held_out']} held-out movies"
    )
    return (
        f"Example: user {example['user']} rated {example['training_interactions']} movies in "
        f"training, among them {_listed(example['history'])}; the top five recommended are "
        f"{_listed([title for title, _ in picks])}, and {hits}."
    )


def _listed(titles: list[str]) -> str:
    return ", ".join(titles[:-1]) + f" and {titles[-1]}" if len(titles) > 1 else "".join(titles)
