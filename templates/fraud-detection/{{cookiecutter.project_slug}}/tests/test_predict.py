"""Inference on new transactions, from Python and from the command line."""

import pandas as pd

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.data import FEATURES, make_synthetic
from {{ cookiecutter.package_name }}.predict import score_file


def test_predict_scores_every_row(tmp_path, trained_project):
    folder, _ = trained_project
    csv = tmp_path / "new.csv"
    make_synthetic(200, 20, seed=99)[FEATURES].to_csv(csv, index=False)
    scored = score_file(csv, folder / "models" / "model.joblib")
    assert len(scored) == 200
    assert scored["fraud_score"].between(0, 1).all()
    assert scored["flagged"].dtype == bool
    # 20 planted frauds: over 20 project seeds the model flagged 16-19 rows; 5 is a
    # floor far below that, which only a broken model or threshold misses.
    assert scored["flagged"].sum() >= 5


def test_predict_command_writes_a_csv(tmp_path, trained_project, capsys):
    folder, _ = trained_project
    csv, out = tmp_path / "new.csv", tmp_path / "scores.csv"
    assert main(["sample", "-n", "50", "-o", str(csv)]) == 0
    model = str(folder / "models" / "model.joblib")
    assert main(["predict", str(csv), "-o", str(out), "--model", model]) == 0
    assert list(pd.read_csv(out).columns) == ["row", "fraud_score", "flagged"]
    assert "Scored 50 transactions" in capsys.readouterr().err


def test_missing_columns_and_missing_model_fail_cleanly(tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    pd.DataFrame({"Time": [1.0], "Amount": [2.0]}).to_csv(csv, index=False)
    assert main(["predict", str(csv), "--model", str(tmp_path / "none.joblib")]) == 1
    assert "lacks the column(s) V1" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    make_synthetic(10, 1, seed=0)[FEATURES].to_csv(good, index=False)
    assert main(["predict", str(good), "--model", str(tmp_path / "none.joblib")]) == 1
    assert "no trained model" in capsys.readouterr().err
