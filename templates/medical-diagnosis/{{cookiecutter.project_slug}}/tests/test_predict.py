"""Scoring new cases, and refusing files with the wrong columns."""

import pandas as pd

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.data import TARGET, load


def test_predict_scores_new_cases(tmp_path, trained_project, capsys):
    folder, _ = trained_project
    csv, out = tmp_path / "cases.csv", tmp_path / "scores.csv"
    assert main(["sample", "-n", "25", "-o", str(csv)]) == 0
    model = str(folder / "models" / "model.joblib")
    assert main(["predict", str(csv), "-o", str(out), "--model", model]) == 0
    scored = pd.read_csv(out)
    assert list(scored.columns) == ["row", "probability_malignant", "call"]
    assert len(scored) == 25 and scored["probability_malignant"].between(0, 1).all()
    assert set(scored["call"]) <= {"benign", "malignant"}
    assert "Scored 25 cases" in capsys.readouterr().err


def test_predict_agrees_with_the_diagnosis_on_known_cases(tmp_path, trained_project):
    folder, _ = trained_project
    frame = load()
    csv = tmp_path / "known.csv"
    frame.to_csv(csv, index=False)  # the label column is accepted and ignored
    out = tmp_path / "scores.csv"
    assert (
        main(
            [
                "predict",
                str(csv),
                "-o",
                str(out),
                "--model",
                str(folder / "models" / "model.joblib"),
            ]
        )
        == 0
    )
    calls = pd.read_csv(out)["call"] == "malignant"
    assert (calls == frame[TARGET].astype(bool)).mean() > 0.95


def test_wrong_columns_and_missing_model_fail_with_a_message(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    load().drop(columns=["mean texture"]).head(2).to_csv(bad, index=False)
    assert main(["predict", str(bad)]) == 1
    assert "missing column(s): mean texture" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    load().drop(columns=[TARGET]).head(2).to_csv(good, index=False)
    assert main(["predict", str(good), "--model", str(tmp_path / "none.joblib")]) == 1
    assert "no trained model" in capsys.readouterr().err
