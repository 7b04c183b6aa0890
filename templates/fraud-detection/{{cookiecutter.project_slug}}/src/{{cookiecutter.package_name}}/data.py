"""The transactions: a synthetic stand-in for the ULB credit-card set, and the real set.

Both have the real set's schema: ``Time`` (seconds since the first transaction),
``V1``..``V28`` (anonymised PCA components), ``Amount`` and ``Class`` (1 = fraud).
The synthetic set is generated in memory from a seed, so it needs no network and
is never committed; the real set is downloaded once into ``data/raw/`` and checked.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import SEED

FEATURES = ["Time", *(f"V{i}" for i in range(1, 29)), "Amount"]
TARGET = "Class"
N_ROWS = 284_807
N_FRAUD = 492  # 0.172 %, as in the real set
TWO_DAYS = 172_792  # seconds covered by the real set

CREDITCARD_URL = "https://storage.googleapis.com/download.tensorflow.org/data/creditcard.csv"
CREDITCARD_FILE = "creditcard.csv"
# No checksum is published for this file. When None, the SHA-256 of the first
# download is recorded beside it (creditcard.csv.sha256) and every later load is
# checked against that record; set it here to pin a known file instead.
CREDITCARD_SHA256: str | None = None
RAW_DIR = Path("data", "raw")


# The synthetic frauds of the second pattern have V17 = +-6.4 (sd 1): 99 % of them
# lie beyond +-4, where only the heavy tails of genuine V17 (sd 1) reach, 0.15 %.
EITHER_SIGN_FEATURE = "V17"
EITHER_SIGN_MEAN = 6.4
EITHER_SIGN_CUT = 4.0


class DataError(ValueError):
    """Raised when a data file is missing, damaged, or does not have the expected schema."""


def make_synthetic(n_rows: int = N_ROWS, n_fraud: int = N_FRAUD, seed: int = SEED) -> pd.DataFrame:
    """Generate transactions shaped like the ULB set (same columns, size and fraud rate).

    Genuine transactions are heavy-tailed around zero, with the decreasing spread
    of PCA components. Frauds come in three patterns: shifted means on V10, V12
    and V14 (as in the real set), a large V17 of either sign (built on purpose so
    that no linear score can separate it: the frauds' mean V17 is that of genuine
    transactions) and a shift on V4 and V11. Frauds happen at any hour, genuine
    ones mostly by day, and frauds have more extreme amounts. The seed changes
    the rows, not the patterns, so results are similar for every seed.
    """
    if not 0 <= n_fraud <= n_rows:
        raise ValueError(f"n_fraud must be from 0 to n_rows ({n_rows}), not {n_fraud}")
    rng = np.random.default_rng(seed)
    n_genuine = n_rows - n_fraud
    spread = np.linspace(1.9, 0.35, 28)
    dof = 8
    genuine = rng.standard_t(dof, size=(n_genuine, 28)) * spread / np.sqrt(dof / (dof - 2))
    fraud = rng.standard_normal((n_fraud, 28)) * spread

    pattern = rng.choice(3, size=n_fraud, p=[0.5, 0.3, 0.2])
    v = {i: i - 1 for i in range(1, 29)}  # column index of V1..V28
    a, b, c = (pattern == k for k in range(3))
    fraud[a, v[14]] = rng.normal(-6.4, 1.5, a.sum())
    fraud[a, v[12]] = rng.normal(-4.8, 1.5, a.sum())
    fraud[a, v[10]] = rng.normal(-4.0, 1.5, a.sum())
    fraud[b, v[17]] = rng.choice([-1.0, 1.0], size=b.sum()) * rng.normal(
        EITHER_SIGN_MEAN, 1.0, b.sum()
    )
    fraud[b, v[3]] = rng.normal(-3.2, 1.5, b.sum())
    fraud[c, v[4]] = rng.normal(4.8, 1.0, c.sum())
    fraud[c, v[11]] = rng.normal(4.0, 1.0, c.sum())

    components = np.vstack([genuine, fraud])
    labels = np.r_[np.zeros(n_genuine, dtype=np.int64), np.ones(n_fraud, dtype=np.int64)]
    is_fraud = labels == 1
    hour = np.where(is_fraud, rng.uniform(0, 24, n_rows), rng.normal(14, 4, n_rows) % 24)
    seconds = rng.integers(0, 2, n_rows) * 86_400 + hour * 3_600
    time = np.minimum(np.round(seconds), TWO_DAYS)
    amount = np.where(is_fraud, rng.lognormal(3.2, 1.8, n_rows), rng.lognormal(3.0, 1.3, n_rows))

    order = np.argsort(time, kind="stable")  # the real set is sorted by time
    frame = pd.DataFrame(components[order], columns=FEATURES[1:-1])
    frame.insert(0, "Time", time[order])
    frame["Amount"] = np.round(amount[order], 2)
    frame[TARGET] = labels[order]
    return frame


def either_sign_pattern(frame: pd.DataFrame) -> pd.Series:
    """Which rows show the synthetic set's nonlinear pattern: V17 beyond +-4, of either sign."""
    return frame[EITHER_SIGN_FEATURE].abs() > EITHER_SIGN_CUT


def load_creditcard(
    raw_dir: Path = RAW_DIR,
    url: str = CREDITCARD_URL,
    sha256: str | None = CREDITCARD_SHA256,
    progress: bool = True,
) -> pd.DataFrame:
    """Return the real ULB credit-card set, downloading it once into *raw_dir*.

    A ``creditcard.csv`` already in *raw_dir* (for example from Kaggle) is used
    as it is. Downloads go through pooch, which retries, shows progress and
    verifies *sha256* when one is given; without one, the first file's SHA-256
    is recorded and later loads must match it.
    """
    import pooch

    raw_dir.mkdir(parents=True, exist_ok=True)
    path = raw_dir / CREDITCARD_FILE
    if not path.exists():
        try:
            pooch.retrieve(
                url,
                known_hash=f"sha256:{sha256}" if sha256 else None,
                fname=CREDITCARD_FILE,
                path=raw_dir,
                progressbar=progress,
            )
        except ValueError as exc:  # pooch: the checksum did not match; it kept no file
            raise DataError(f"the download from {url} is damaged: {exc}") from exc
        except OSError as exc:  # no network, refused, HTTP error
            raise DataError(
                f"could not download the credit-card set from {url} ({exc}); put the Kaggle "
                f"file 'creditcard.csv' into {raw_dir}/ instead"
            ) from exc
    _check_recorded_hash(path, sha256)
    frame = read_transactions(path, require_target=True)
    return frame


def read_transactions(path: Path, *, require_target: bool = False) -> pd.DataFrame:
    """Read a CSV of transactions and check it has every feature column (and ``Class``)."""
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{path} is empty") from exc
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    frame.columns = [str(column).strip().strip("'\"") for column in frame.columns]
    wanted = FEATURES + ([TARGET] if require_target else [])
    missing = [column for column in wanted if column not in frame.columns]
    if missing:
        raise DataError(f"{path} lacks the column(s) {', '.join(missing)}")
    if frame.empty:
        raise DataError(f"{path} has a header but no transactions")
    if require_target:
        # Some copies (OpenML's CSV export) quote the class labels as '0' and '1'.
        frame[TARGET] = pd.to_numeric(frame[TARGET].astype(str).str.strip("'\" "), errors="coerce")
        if not frame[TARGET].isin([0, 1]).all():
            raise DataError(f"{path}: {TARGET} must be 0 or 1 on every row")
        frame[TARGET] = frame[TARGET].astype(np.int64)
    numeric = frame[FEATURES].apply(pd.to_numeric, errors="coerce")
    if numeric.isna().any().any():
        bad = numeric.columns[numeric.isna().any()].tolist()
        raise DataError(f"{path} has empty or non-numeric values in {', '.join(bad)}")
    frame[FEATURES] = numeric
    return frame


def _check_recorded_hash(path: Path, sha256: str | None) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    actual = digest.hexdigest()
    if sha256:
        if actual != sha256:
            raise DataError(
                f"{path} does not match the pinned SHA-256; delete it to download again"
            )
        return
    record = path.with_name(path.name + ".sha256")
    if not record.exists():
        record.write_text(actual + "\n", encoding="utf-8")
    elif record.read_text(encoding="utf-8").strip() != actual:
        raise DataError(
            f"{path} changed since it was first checked (its SHA-256 is recorded in "
            f"{record.name}); delete both files to download it again"
        )
