"""The findings are sentences computed from metrics.json, true whichever way a run went."""

import json

import pytest

from {{ cookiecutter.package_name }}.findings import findings


@pytest.fixture
def stored(trained_project):
    """The metrics.json of the shared run, as a reader of the file sees it."""
    folder, _ = trained_project
    return json.loads((folder / "reports" / "metrics.json").read_text())


def test_findings_are_recomputed_from_metrics_json(stored):
    assert findings(stored) == stored["findings"]


def test_the_run_s_own_findings_match_its_numbers(stored):
    text = " ".join(stored["findings"])
    selection, metrics = stored["selection"], stored["model"]["metrics"]
    assert ("calibration was applied" in text) == selection["calibrated"]
    assert ("meeting the 97 % target" in text) == (metrics["recall"] >= 0.97)
    for case in selection["missed_cases"]:
        assert f"row {case['row']} (score {case['score']:.3f})" in text
    assert f"{metrics['false_positives']} of " in text


def test_calibration_sentence_follows_the_decision(stored):
    stored["selection"]["calibrated"] = True
    stored["selection"]["brier_out_of_fold"] |= {"raw": 0.03, "calibrated": 0.02}
    applied = findings(stored)[1]
    assert applied.startswith("Platt calibration was applied: it lowered the out-of-fold")
    assert applied.endswith("from 0.0300 to 0.0200.")
    stored["selection"]["calibrated"] = False
    stored["selection"]["brier_out_of_fold"] |= {"raw": 0.02, "calibrated": 0.03}
    assert "calibration was not applied" in findings(stored)[1]


def test_a_missed_target_is_said_and_explained(stored):
    stored["dataset"]["test_malignant"] = 42
    stored["model"]["metrics"] |= {"recall": 38 / 42, "false_negatives": 4}
    stored["model"]["intervals"]["recall"] = [0.81, 0.98]
    sentence = findings(stored)[2]
    assert "catches 38 of 42 malignant cases" in sentence
    assert "below the 97 % target" in sentence and "allows 1 miss among 42" in sentence
    assert "within what chance allows" in sentence
    stored["model"]["intervals"]["recall"] = [0.81, 0.96]
    assert "expect a lower sensitivity on new cases" in findings(stored)[2]
    stored["model"]["metrics"] |= {"recall": 1.0, "false_negatives": 0}
    assert "meeting the 97 % target" in findings(stored)[2]


def test_a_perfect_share_is_bounded_by_the_rule_of_three_not_a_point_interval(stored):
    stored["dataset"] |= {"test_malignant": 42, "test_rows": 114}
    stored["model"]["metrics"] |= {"recall": 1.0, "false_negatives": 0}
    stored["model"]["metrics"] |= {"specificity": 1.0, "false_positives": 0}
    stored["model"]["intervals"] |= {"recall": [1.0, 1.0], "specificity": [1.0, 1.0]}
    sensitivity, specificity = findings(stored)[2], findings(stored)[4]
    assert "1.000 to 1.000" not in sensitivity + specificity
    assert "no miss among 42 test cases" in sensitivity and "above 0.929" in sensitivity
    assert "no false alarm among 72 test cases" in specificity and "above 0.958" in specificity


def test_missed_cases_are_named_with_their_scores(stored):
    selection = stored["selection"]
    selection["missed_cases"] = []
    assert findings(stored)[3].startswith("It misses none of the")
    selection["missed_cases"] = [{"row": 12, "score": 0.3}]
    assert findings(stored)[3].endswith("row 12 (score 0.300), a near miss under the threshold.")
    selection["missed_cases"] = [{"row": 12, "score": 0.3}, {"row": 7, "score": 0.01}]
    assert "1 of them score below 0.1" in findings(stored)[3]


def test_a_simpler_model_kept_within_the_noise_is_explained(stored):
    selection = stored["selection"]
    selection["cv_roc_auc"] |= {
        "Random forest": [0.996, 0.005],
        "Logistic regression": [0.995, 0.006],
    }
    selection |= {"best_cv": "Random forest", "chosen": "Logistic regression"}
    selection["gap_standard_error"] = 0.002
    sentence = findings(stored)[0]
    assert sentence.startswith("Random forest had the highest cross-validated ROC-AUC (0.9960")
    assert "0.0010 above logistic regression" in sentence
    assert "so the simpler logistic regression was kept" in sentence


def test_the_test_comparison_admits_a_tie(stored):
    stored["selection"]["roc_auc_difference_interval"] = [-0.01, 0.02]
    assert "cannot tell the two apart" in findings(stored)[6]
    stored["selection"]["roc_auc_difference_interval"] = [0.01, 0.02]
    assert "the model ranks the test cases better" in findings(stored)[6]


def test_findings_never_praise_themselves(stored):
    text = " ".join(findings(stored)).lower()
    for phrase in ("honest", "properly", "done right", "hard to beat"):
        assert phrase not in text
