"""The synthetic ratings have MovieLens-100k's shape and format, and a long tail."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import DataError, make_synthetic, read_ratings, read_titles


def test_synthetic_set_has_the_movielens_shape(ratings):
    assert len(ratings) == 100_000
    assert ratings["user"].nunique() == 943 and ratings["item"].nunique() <= 1_682
    assert ratings["item"].between(1, 1_682).all() and ratings["user"].between(1, 943).all()
    assert ratings.groupby("user").size().min() >= 20
    assert ratings["rating"].between(1, 5).all()
    assert not ratings.duplicated(["user", "item"]).any()


def test_item_popularity_has_a_long_tail(ratings):
    counts = np.sort(ratings.groupby("item").size().to_numpy())[::-1]
    assert counts[: len(counts) // 5].sum() / counts.sum() > 0.5  # top 20 % of items: most ratings


def test_written_in_the_u_data_format(synthetic_folder):
    first = (synthetic_folder / "u.data").read_text().splitlines()[0].split("\t")
    assert len(first) == 4 and all(part.isdigit() for part in first)
    assert read_titles(synthetic_folder / "u.item")[1] == "Synthetic movie 1"


def test_same_seed_same_data(tmp_path, ratings):
    again = read_ratings(make_synthetic(tmp_path, seed=42) / "u.data")
    other = read_ratings(make_synthetic(tmp_path / "other", seed=7) / "u.data")
    pd.testing.assert_frame_equal(again, ratings)
    assert not other.equals(ratings)


def test_reader_rejects_other_formats(tmp_path):
    bad = tmp_path / "u.data"
    bad.write_text("user,item,rating\n1,2,3\n")
    with pytest.raises(DataError, match="u.data format"):
        read_ratings(bad)
