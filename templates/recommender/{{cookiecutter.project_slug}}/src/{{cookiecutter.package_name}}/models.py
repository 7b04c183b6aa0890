"""The popularity baseline and EASE, on a users x items matrix of interactions (0 or 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

MODEL_FILE = Path("models", "model.npz")
# EASE's L2 penalties tried on the validation split: factors of two around the usual
# optimum for MovieLens-sized data (a few hundred). The findings say so when the
# best value is at an end of the grid.
L2_GRID = (50.0, 100.0, 200.0, 400.0, 800.0, 1600.0)


class Popularity:
    """Recommend the items most users interacted with: the chart every model must beat."""

    name = "Popularity"

    def fit(self, interactions: np.ndarray) -> Popularity:
        """Count each item's interactions."""
        self.counts_ = interactions.sum(axis=0).astype(np.float32)
        return self

    def score(self, interactions: np.ndarray) -> np.ndarray:
        """The same scores for every user: the item counts."""
        return np.broadcast_to(self.counts_, interactions.shape).copy()


class EASE:
    """Embarrassingly Shallow Autoencoder (Steck, 2019): a closed-form item-item model.

    Learns an item-to-item weight matrix B with a zero diagonal that best
    rebuilds each user's interactions from their other interactions, under an L2
    penalty: B = I - P / diag(P) with P = (X^T X + l2 I)^-1. No iterations, no
    learning rate: one matrix inverse of items x items (1,682 here).
    """

    name = "EASE"

    def __init__(self, l2: float) -> None:
        self.l2 = l2

    def fit(self, interactions: np.ndarray) -> EASE:
        """Solve for the item-item weights."""
        x = interactions.astype(np.float32)
        # Co-occurrence counts are whole numbers far below 2**24, so float32 holds
        # them exactly and is several times faster; the inverse needs float64.
        gram = (x.T @ x).astype(np.float64)
        gram[np.diag_indices_from(gram)] += self.l2
        inverse = np.linalg.inv(gram)
        weights = inverse / -np.diag(inverse)
        weights[np.diag_indices_from(weights)] = 0.0
        self.weights_ = weights.astype(np.float32)
        return self

    def score(self, interactions: np.ndarray) -> np.ndarray:
        """Each user's score for every item."""
        return interactions.astype(np.float32) @ self.weights_
