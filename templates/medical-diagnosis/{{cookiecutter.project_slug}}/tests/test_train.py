"""The study runs end to end, beats its baseline, meets its floors, and reruns identically."""

import json

import numpy as np
from sklearn.metrics import roc_auc_score

from {{ cookiecutter.package_name }}.evaluate import roc_auc, threshold_for_sensitivity
from {{ cookiecutter.package_name }}.train import choose

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
        assert set(payload[side]["metrics"]) <= set(payload["labels"])  # every row is named
    assert {figure["path"] for figure in payload["figures"]} == {
        "reports/figures/roc_curve.png",
        "reports/figures/calibration.png",
        "reports/figures/confusion_matrix.png",
        "reports/figures/feature_importance.png",
        "reports/figures/cv_comparison.png",
    }
    for figure in payload["figures"]:
        assert (folder / figure["path"]).read_bytes()[:4] == b"\x89PNG"


def test_model_beats_the_single_feature_baseline(trained_project):
    # On the 455 development cases (cross-validated), not on the 114 test cases: there the
    # baseline's ROC-AUC can come within the noise of the model's (the findings say so).
    _, payload = trained_project
    model, baseline = payload["model"]["metrics"], payload["baseline"]["metrics"]
    assert model["cv_roc_auc_mean"] > baseline["cv_roc_auc_mean"]
    brier = payload["selection"]["brier_out_of_fold"]
    kept = brier["calibrated" if payload["selection"]["calibrated"] else "raw"]
    assert kept < brier["baseline"]


def test_quality_floors(trained_project):
    """Floors that hold for any seed: each sits several standard errors from what is expected.

    The test split has 114 cases (42 malignant, whatever the seed), so each test number
    moves with the seed by its standard error; the floors leave about three of them, or more:
    - CV ROC-AUC: a mean over 5 or more folds of 91 cases; fold sd about 0.008, so
      SE about 0.004 around 0.994: 0.98 is over 3 SE below.
    - test ROC-AUC: Hanley-McNeil SE at 0.99 with 42 x 72 cases is about 0.011: 0.95 is
      over 3.5 SE below.
    - sensitivity: the threshold aims at 0.97 on development cases; at a true 0.95, the
      binomial SE on 42 cases is 0.034: 0.80 (8 misses) is over 4 SE below.
    - accuracy at that threshold: about 0.955, binomial SE on 114 cases 0.019: 0.90 is
      about 3 SE below.
    - Brier: about 0.025, SE about 0.01 on 114 cases: 0.06 is 3.5 SE above.
    """
    _, payload = trained_project
    m = payload["model"]["metrics"]
    assert m["cv_roc_auc_mean"] >= 0.98
    assert m["roc_auc"] >= 0.95
    assert m["recall"] >= 0.80
    assert m["accuracy"] >= 0.90
    assert m["brier"] <= 0.06


def test_intervals_hold_their_estimates(trained_project):
    _, payload = trained_project
    for side in ("model", "baseline"):
        metrics = payload[side]["metrics"]
        for key, (low, high) in payload[side]["intervals"].items():
            assert 0 <= low <= metrics[key] <= high <= 1, (side, key)
    low, high = payload["selection"]["roc_auc_difference_interval"]
    observed = payload["model"]["metrics"]["roc_auc"] - payload["baseline"]["metrics"]["roc_auc"]
    assert low <= observed <= high


def test_readme_names_the_model_and_its_sensitivity(trained_project):
    folder, payload = trained_project
    readme = (folder / "README.md").read_text()
    assert "_No results yet._" not in readme and "_Not trained yet._" not in readme
    recall = payload["model"]["metrics"]["recall"]
    assert f"| Sensitivity (recall: malignant cases caught) | {recall:.3f} |" in readme
    assert "reports/figures/calibration.png" in readme
    low, high = payload["model"]["intervals"]["roc_auc"]
    if low != high:  # a perfect test ROC-AUC has no interval to show
        assert f"(95 % bootstrap interval {low:.3f} to {high:.3f})" in readme
    for finding in payload["findings"]:
        assert f"- {finding}" in readme
        assert f"- {finding}" in (folder / "MODEL_CARD.md").read_text()


def test_documents_claim_calibration_only_when_this_run_applied_it(trained_project):
    folder, payload = trained_project
    calibrated = payload["selection"]["calibrated"]
    for name in ("README.md", "MODEL_CARD.md"):
        text = (folder / name).read_text()
        assert "calibrated models" not in text.lower()
        assert ("(calibrated)" in text) == calibrated
        assert ("calibration was applied" in text) == calibrated


def test_threshold_keeps_the_sensitivity():
    y = np.array([0, 0, 0, 1, 1, 1, 1])
    scores = np.array([0.1, 0.4, 0.6, 0.3, 0.5, 0.8, 0.9])
    threshold = threshold_for_sensitivity(y, scores, 0.75)
    assert threshold == 0.5  # flags 3 of the 4 malignant cases, and as few benign as possible
    assert (scores[y == 1] >= threshold).mean() >= 0.75


def test_fast_roc_auc_is_scikit_learns():
    generator = np.random.default_rng(0)
    y = generator.random(200) < 0.4
    scores = np.round(generator.random(200) + y * 0.5, 1)  # rounded: many ties
    assert abs(roc_auc(y, scores) - roc_auc_score(y, scores)) < 1e-12


def test_one_standard_error_rule_prefers_the_simpler_model():
    simple = 0.990 + np.linspace(-0.005, 0.005, 15)
    swing = np.resize([1.0, -1.0], 15)  # fold by fold, one model ahead, then the other
    near = simple + 0.001 + 0.008 * swing  # ahead by 0.0015 on average, SE of the gaps 0.002
    far = simple + 0.005 + 0.0005 * swing  # ahead by 0.005, fold after fold
    chosen, best, standard_error = choose({"simple": simple, "complex": near})
    assert (chosen, best) == ("simple", "complex") and standard_error > 0.0015
    assert choose({"simple": simple, "complex": far})[:2] == ("complex", "complex")
    assert choose({"simple": far, "complex": simple}) == ("simple", "simple", None)


def test_reruns_give_identical_metrics(tmp_path, trained_project, retrain):
    folder, _ = trained_project
    retrain(tmp_path)
    first = (folder / "reports" / "metrics.json").read_bytes()
    assert (tmp_path / "reports" / "metrics.json").read_bytes() == first
