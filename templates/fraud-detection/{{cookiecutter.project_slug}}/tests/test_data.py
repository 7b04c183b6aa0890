"""The synthetic data has the real set's schema, size and fraud rate, and is reproducible."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import (
    FEATURES,
    N_FRAUD,
    N_ROWS,
    TARGET,
    DataError,
    either_sign_pattern,
    make_synthetic,
    read_transactions,
)


def test_full_synthetic_set_matches_the_real_schema():
    frame = make_synthetic()
    assert list(frame.columns) == FEATURES + [TARGET]
    assert len(frame) == N_ROWS == 284_807
    assert int(frame[TARGET].sum()) == N_FRAUD == 492
    assert frame[TARGET].isin([0, 1]).all()
    assert frame["Time"].is_monotonic_increasing
    assert frame["Time"].between(0, 172_792).all()
    assert (frame["Amount"] >= 0).all()
    assert not frame.isna().any().any()


def test_the_nonlinear_pattern_holds_about_30_percent_of_the_frauds():
    frame = make_synthetic()
    pattern = either_sign_pattern(frame)
    frauds = frame[TARGET] == 1
    # 30 % of 492 frauds take the pattern: Binomial sd 10 frauds, 0.021 of the share, so
    # 0.2-0.4 is 4.8 sd either side. Genuine heavy tails pass +-4 at about 0.15 %.
    assert 0.2 < pattern[frauds].mean() < 0.4
    assert pattern[~frauds].mean() < 0.005
    # Either sign, in about equal numbers: the mean says nothing, which defeats a linear score.
    signs = np.sign(frame.loc[pattern & frauds, "V17"])
    assert (signs > 0).sum() > 40 and (signs < 0).sum() > 40


def test_more_frauds_than_rows_is_refused():
    with pytest.raises(ValueError, match="n_fraud"):
        make_synthetic(5, 10)


def test_same_seed_same_data_other_seed_other_data():
    first, again, other = (make_synthetic(5_000, 50, seed=s) for s in (1, 1, 2))
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["V1"].to_numpy(), other["V1"].to_numpy())


def test_reader_rejects_a_file_without_the_feature_columns(tmp_path):
    path = tmp_path / "bad.csv"
    make_synthetic(100, 5, seed=0).drop(columns=["V3", "Amount"]).to_csv(path, index=False)
    with pytest.raises(DataError, match="V3, Amount"):
        read_transactions(path)


def test_reader_rejects_non_numeric_values(tmp_path):
    frame = make_synthetic(100, 5, seed=0)
    frame["V2"] = frame["V2"].astype(object)
    frame.loc[3, "V2"] = "abc"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match="V2"):
        read_transactions(path)
