"""How far a test-set number could move with another draw of the test set: a bootstrap interval.

A test split of a hundred cases, or of a hundred frauds among fifty thousand
transactions, gives a number that another equally good split would move by
several points. Resampling the test cases with replacement and recomputing the
metric each time shows that spread without another split.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ROUNDS = 1000
LEVEL = 0.95


def bootstrap_interval(
    statistic: Callable[..., float],
    *columns: np.ndarray,
    seed: int,
    rounds: int = ROUNDS,
    level: float = LEVEL,
) -> tuple[float, float]:
    """The percentile interval of *statistic* over *rounds* resamples of the rows of *columns*.

    *columns* are aligned arrays (say labels and scores), resampled together; a
    resample on which *statistic* is undefined (one class only, for a ranking
    metric) raises ValueError or gives NaN and is skipped.
    """
    rows = len(columns[0])
    generator = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        picked = generator.integers(0, rows, rows)
        try:
            value = float(statistic(*(np.asarray(column)[picked] for column in columns)))
        except ValueError:
            continue
        if not np.isnan(value):
            values.append(value)
    if not values:
        raise ValueError("the statistic is undefined on every resample")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
