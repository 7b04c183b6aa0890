"""The Wisconsin Diagnostic Breast Cancer set: 569 real cases, 30 features, no download.

scikit-learn ships the data, coded 0 = malignant; here 1 = malignant, so that the
positive class is the disease and "recall" is the sensitivity for cancer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

TARGET = "malignant"
LABELS = ("benign", "malignant")


class DataError(ValueError):
    """Raised when a file of cases is missing, unreadable, or has the wrong columns."""


def feature_names() -> list[str]:
    """The 30 features, e.g. ``mean radius`` and ``worst concave points``."""
    return [str(name) for name in load_breast_cancer().feature_names]


def load() -> pd.DataFrame:
    """Return the 569 cases: the 30 features and ``malignant`` (1 = malignant, 0 = benign)."""
    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.data.copy()
    frame[TARGET] = (bunch.target == 0).astype(np.int64)
    return frame


def read_cases(path: Path) -> pd.DataFrame:
    """Read a CSV of new cases with exactly the 30 feature columns (``malignant`` is allowed).

    A missing or an unexpected column is an error, not a guess: a model fed the
    wrong measurement would still answer, just wrongly.
    """
    if not path.exists():
        raise DataError(f"{path} does not exist")
    if not path.is_file():
        raise DataError(f"{path} is not a file")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    expected = feature_names()
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected and c != TARGET]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s): {', '.join(map(str, extra))}")
        raise DataError(f"{path} does not have the 30 feature columns ({'; '.join(parts)})")
    numeric = frame[expected].apply(pd.to_numeric, errors="coerce")
    if numeric.isna().any().any():
        bad = numeric.columns[numeric.isna().any()].tolist()
        raise DataError(f"{path} has empty or non-numeric values in {', '.join(bad)}")
    return numeric
