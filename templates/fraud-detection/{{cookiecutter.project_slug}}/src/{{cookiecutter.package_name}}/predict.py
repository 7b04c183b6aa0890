"""Score new transactions with the trained model."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from .data import DataError, read_transactions
from .train import MODEL_FILE


def load_model(path: Path = MODEL_FILE) -> dict[str, Any]:
    """Load the model saved by training (the estimator, its threshold and its features)."""
    if not path.is_file():
        raise FileNotFoundError(f"no trained model at {path}; run `train` first")
    try:
        bundle = joblib.load(path)
    # What unpickling a file that is not a joblib dump raises, by how it is damaged.
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise DataError(f"{path} is not a model saved by `train`; run `train` again") from exc
    if not isinstance(bundle, dict) or not {"model", "threshold", "features"} <= set(bundle):
        raise DataError(f"{path} is not a model saved by `train`; run `train` again")
    return bundle


def score(frame: pd.DataFrame, bundle: dict[str, Any]) -> pd.DataFrame:
    """Return *frame*'s fraud scores and whether each crosses the model's threshold."""
    scores = bundle["model"].predict_proba(frame[bundle["features"]].to_numpy())[:, 1]
    return pd.DataFrame(
        {"fraud_score": scores.round(6), "flagged": scores >= bundle["threshold"]},
        index=frame.index,
    )


def score_file(csv: Path, model_path: Path = MODEL_FILE) -> pd.DataFrame:
    """Score every transaction of a CSV that has the training columns (``Class`` is ignored)."""
    if not csv.exists():
        raise DataError(f"{csv} does not exist")
    if not csv.is_file():
        raise DataError(f"{csv} is not a file")
    return score(read_transactions(csv), load_model(model_path))
