"""The data: 569 real cases, malignant coded 1, and a strict reader for new cases."""

import pytest

from {{ cookiecutter.package_name }}.data import TARGET, DataError, feature_names, load, read_cases


def test_dataset_shape_and_coding():
    frame = load()
    assert frame.shape == (569, 31)
    assert list(frame.columns) == feature_names() + [TARGET]
    assert int(frame[TARGET].sum()) == 212  # malignant cases in the WDBC set
    assert not frame.isna().any().any()


def test_reader_accepts_the_30_features_and_ignores_the_label(tmp_path):
    path = tmp_path / "cases.csv"
    load().head(5).to_csv(path, index=False)
    cases = read_cases(path)
    assert list(cases.columns) == feature_names() and len(cases) == 5


def test_reader_rejects_missing_columns(tmp_path):
    path = tmp_path / "missing.csv"
    load().drop(columns=["mean radius", "worst area"]).head(3).to_csv(path, index=False)
    with pytest.raises(DataError, match="missing column\\(s\\): mean radius, worst area"):
        read_cases(path)


def test_reader_rejects_extra_columns(tmp_path):
    path = tmp_path / "extra.csv"
    frame = load().head(3)
    frame["patient name"] = "x"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match="unexpected column\\(s\\): patient name"):
        read_cases(path)
