"""Ratings in MovieLens-100k's format, real or synthetic, read by one parser.

``u.data`` holds one rating a line: user id, item id, rating (1-5) and a Unix
timestamp, separated by tabs. ``u.item`` holds the movies: id|title|release
date|..., in Latin-1. The synthetic set is written in exactly that format, so
both go through ``read_ratings`` and ``read_titles``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import SEED

N_USERS, N_ITEMS, N_RATINGS = 943, 1_682, 100_000
# Ratings per user in MovieLens-100k range from 20 to 737; the synthetic set keeps
# every user inside that range (and so below the 1,682 movies there are to rate).
MIN_PER_USER, MAX_PER_USER = 20, 737
ML100K_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
ML100K_MD5 = "0e33842e24a9c977be4e0107933c0723"  # published by GroupLens (ml-100k.zip.md5)
RAW_DIR = Path("data", "raw")
SYNTHETIC_DIR = Path("data", "processed", "synthetic-100k")
COLUMNS = ["user", "item", "rating", "timestamp"]


class DataError(ValueError):
    """Raised when a ratings file is missing, damaged or not in the u.data format."""


def read_ratings(path: Path) -> pd.DataFrame:
    """Parse a ``u.data`` file into the columns user, item, rating, timestamp."""
    try:
        frame = pd.read_csv(path, sep="\t", names=COLUMNS, dtype="int64")
    except FileNotFoundError as exc:
        raise DataError(f"{path} does not exist") from exc
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path} is not in the u.data format (user, item, rating, time)") from exc
    if frame.empty or not frame["rating"].between(1, 5).all():
        raise DataError(f"{path} is empty or has ratings outside 1-5")
    return frame


def read_titles(path: Path) -> dict[int, str]:
    """Parse a ``u.item`` file into {item id: title}; an absent file gives no titles."""
    if not path.is_file():
        return {}
    items = pd.read_csv(path, sep="|", header=None, encoding="latin-1", usecols=[0, 1])
    return dict(zip(items[0].astype(int), items[1].astype(str), strict=True))


def make_synthetic(folder: Path = SYNTHETIC_DIR, seed: int = SEED) -> Path:
    """Write a synthetic ``u.data`` and ``u.item`` shaped like MovieLens-100k; return *folder*.

    943 users rate 1,682 items, exactly 100,000 ratings, each user between 20 and
    737 (MovieLens-100k's range). Item popularity has a long tail (Zipf), and each
    user prefers items close to them in a hidden 8-dimensional taste space, so a
    personalised model has something to find beyond popularity. The seed changes
    the rows, not that structure.
    """
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, N_ITEMS + 1)
    popularity = popularity[rng.permutation(N_ITEMS)]
    users, items = rng.normal(size=(N_USERS, 8)), rng.normal(size=(N_ITEMS, 8))
    counts = ratings_per_user(rng.lognormal(np.log(60), 0.9, N_USERS))

    rows = []
    for user in range(N_USERS):
        affinity = users[user] @ items.T
        # Sampling without replacement with the Gumbel top-k trick.
        keys = np.log(popularity) + affinity / 1.3 + rng.gumbel(size=N_ITEMS)
        chosen = np.argpartition(-keys, counts[user])[: counts[user]]
        spread = affinity[chosen] / affinity.std()
        ratings = np.clip(np.round(3.5 + 0.8 * spread + rng.normal(0, 0.7, chosen.size)), 1, 5)
        times = rng.integers(874_724_710, 893_286_638, chosen.size)  # Sep 1997 - Apr 1998
        rows.append(np.column_stack([np.full(chosen.size, user + 1), chosen + 1, ratings, times]))
    table = np.vstack(rows).astype(np.int64)

    folder.mkdir(parents=True, exist_ok=True)
    np.savetxt(folder / "u.data", table, fmt="%d", delimiter="\t")
    titles = [f"{i}|Synthetic movie {i}|01-Jan-1995||" for i in range(1, N_ITEMS + 1)]
    (folder / "u.item").write_text("\n".join(titles) + "\n", encoding="latin-1")
    return folder


def ratings_per_user(
    weights: np.ndarray,
    total: int = N_RATINGS,
    low: int = MIN_PER_USER,
    high: int = MAX_PER_USER,
) -> np.ndarray:
    """Whole counts proportional to *weights*, each within [*low*, *high*], summing to *total*.

    A lognormal draw has a heavy tail: scaled to 100,000 ratings, one seed in six
    gave a user more ratings than there are movies. So the counts are
    ``clip(scale * weights, low, high)`` with the scale found by bisection (the
    sum grows with the scale), rounded down, and the few ratings left over given
    one each to the users with the largest remainders that are below *high*.
    """
    if not low * weights.size <= total <= high * weights.size:
        raise ValueError(f"{total} ratings cannot be shared between {low} and {high} a user")
    below, above = 0.0, high / weights.min()  # sum(clip) is low*n at 0 and high*n at above
    for _ in range(100):  # halves the bracket each time: far below one rating after 100
        scale = (below + above) / 2
        if np.clip(scale * weights, low, high).sum() < total:
            below = scale
        else:
            above = scale
    exact = np.clip(above * weights, low, high)
    counts = np.floor(exact).astype(np.int64)
    remainder = np.where(counts < high, exact - counts, -1.0)
    counts[np.argsort(-remainder, kind="stable")[: total - counts.sum()]] += 1
    return counts


def download_movielens(
    raw_dir: Path = RAW_DIR, url: str = ML100K_URL, md5: str = ML100K_MD5, progress: bool = True
) -> Path:
    """Download MovieLens-100k once (checksum verified, cached in *raw_dir*); return its folder.

    Its licence forbids redistribution, so it is fetched by each user and never
    committed (data/raw/ is git-ignored).
    """
    import pooch

    folder = raw_dir / "ml-100k.zip.unzip" / "ml-100k"
    if (folder / "u.data").is_file():
        return folder
    try:
        pooch.retrieve(
            url,
            known_hash=f"md5:{md5}",
            fname="ml-100k.zip",
            path=raw_dir,
            processor=pooch.Unzip(members=["ml-100k/u.data", "ml-100k/u.item"]),
            progressbar=progress,
        )
    except ValueError as exc:  # pooch: checksum mismatch; it kept no file
        raise DataError(f"the download from {url} is damaged: {exc}") from exc
    except OSError as exc:
        raise DataError(f"could not download MovieLens-100k from {url} ({exc})") from exc
    if not (folder / "u.data").is_file():
        raise DataError(f"{url} does not hold ml-100k/u.data")
    return folder
