"""Score new cases with the trained model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from .data import LABELS, DataError, read_cases
from .train import MODEL_FILE

MODEL_KEYS = {"model", "threshold", "features", "name"}  # what train() saves


def load_model(path: Path = MODEL_FILE) -> dict[str, Any]:
    """Load the model saved by training (estimator, threshold, feature order, name)."""
    if not path.is_file():
        raise FileNotFoundError(f"no trained model at {path}; run `train` first")
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # a pickle can fail in many ways; all mean "not our model"
        raise DataError(f"{path} is not a model written by `train` ({exc})") from exc
    if not isinstance(bundle, dict) or not bundle.keys() >= MODEL_KEYS:
        raise DataError(f"{path} is not a model written by `train`")
    return bundle


def score_file(csv: Path, model_path: Path = MODEL_FILE) -> pd.DataFrame:
    """Return each case's probability of malignancy and the call at the model's threshold."""
    cases = read_cases(csv)
    bundle = load_model(model_path)
    probability = bundle["model"].predict_proba(cases[bundle["features"]])[:, 1]
    flagged = probability >= bundle["threshold"]
    return pd.DataFrame(
        {
            "probability_malignant": probability.round(4),
            "call": [LABELS[int(f)] for f in flagged],
        },
        index=cases.index,
    )
