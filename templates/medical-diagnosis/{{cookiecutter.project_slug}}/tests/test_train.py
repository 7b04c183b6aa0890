"""The study runs end to end, beats its baseline, meets its floors, and reruns identically."""

import json

from {{ cookiecutter.package_name }}.evaluate import threshold_for_sensitivity
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.train import train

REQUIRED = {
    "roc_auc",
    "accuracy",
    "recall",
    "specificity",
    "precision",
    "brier",
    "cv_roc_auc_mean",
    "cv_roc_auc_std",
    "threshold",
}


def test_outputs_exist_and_have_every_metric(trained_project):
    folder, _ = trained_project
    assert (folder / "models" / "model.joblib").is_file()
    payload = json.loads((folder / "reports" / "metrics.json").read_text())
    for side in ("model", "baseline"):
        assert set(payload[side]["metrics"]) >= REQUIRED
    for figure in payload["figures"]:
        assert (folder / figure["path"]).read_bytes()[:4] == b"\x89PNG"


def test_model_beats_the_single_feature_baseline(trained_project):
    _, payload = trained_project
    model, baseline = payload["model"]["metrics"], payload["baseline"]["metrics"]
    assert model["cv_roc_auc_mean"] > baseline["cv_roc_auc_mean"]
    assert model["brier"] < baseline["brier"]


def test_quality_floors(trained_project):
    _, payload = trained_project
    m = payload["model"]["metrics"]
    assert m["cv_roc_auc_mean"] >= 0.98
    assert m["accuracy"] >= 0.95
    assert m["recall"] >= 0.92
    assert m["brier"] <= 0.04


def test_readme_names_the_model_and_its_sensitivity(trained_project):
    folder, payload = trained_project
    readme = (folder / "README.md").read_text()
    assert "_No results yet._" not in readme
    recall = payload["model"]["metrics"]["recall"]
    assert f"| Sensitivity (recall: malignant cases caught) | {recall:.3f} |" in readme
    assert "reports/figures/calibration.png" in readme


def test_threshold_keeps_the_sensitivity():
    import numpy as np

    y = np.array([0, 0, 0, 1, 1, 1, 1])
    scores = np.array([0.1, 0.4, 0.6, 0.3, 0.5, 0.8, 0.9])
    threshold = threshold_for_sensitivity(y, scores, 0.75)
    assert threshold == 0.5  # flags 3 of the 4 malignant cases, and as few benign as possible
    assert (scores[y == 1] >= threshold).mean() >= 0.75


def test_reruns_give_identical_metrics(tmp_path, cases, trained_project):
    _, first = trained_project
    again = train(cases, project_dir=tmp_path, repeats=2, steps=Steps(6, quiet=True))
    assert json.dumps(again["model"]) == json.dumps(first["model"])
