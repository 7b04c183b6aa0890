"""The README says what this run showed: who wins, by how much, and the errors made."""

import numpy as np

from {{ cookiecutter.package_name }}.evaluate import (
    comparison_findings,
    confidence_finding,
    confusion_finding,
    mcnemar_p,
    perfect_score_finding,
    stopping_finding,
)
from {{ cookiecutter.package_name }}.train import BASELINE_SHORT, MODEL_SHORT

CLASSES = [str(i) for i in range(10)]


def test_readme_shows_the_results_and_the_findings_of_this_run(trained_project):
    folder, payload = trained_project
    readme = (folder / "README.md").read_text()
    cnn, svm = payload["model"], payload["baseline"]
    row = f"| Accuracy | {cnn['metrics']['accuracy']:.3f} | {svm['metrics']['accuracy']:.3f} |"
    assert row in readme
    if cnn["metrics"]["errors"] or svm["metrics"]["errors"]:  # no error: no interval to show
        assert "95 % bootstrap interval" in readme
    findings = readme.split("<!-- findings:start -->")[1].split("<!-- findings:end -->")[0]
    assert all(f"- {finding}" in findings for finding in payload["findings"])
    # Who wins is read from this run's numbers, never written in advance.
    if cnn["metrics"]["errors"] < svm["metrics"]["errors"]:
        assert f"The {MODEL_SHORT} wins on this split" in findings
    elif cnn["metrics"]["errors"] > svm["metrics"]["errors"]:
        assert f"The {BASELINE_SHORT} wins on this split" in findings
    else:
        assert "neither wins here" in findings
    card = (folder / "MODEL_CARD.md").read_text()
    assert payload["findings"][0] in card


def test_the_winner_and_whether_the_split_can_tell():
    truth = np.zeros(100, dtype=int)
    model, baseline = truth.copy(), truth.copy()
    model[:2] = 1  # the model alone misses 2
    baseline[2:12] = 1  # the baseline alone misses 10
    model[12], baseline[12] = 1, 1  # both miss one
    first, second = comparison_findings(truth, model, baseline, "CNN", "SVM")
    assert first == (
        "Of the 100 test images, the CNN misclassifies 3 and the SVM 11; 1 of them by both."
    )
    assert second.startswith("The CNN wins on this split by 8 images: it alone gets 2 images")
    assert "p = 0.04" in second and "unlikely to be chance" in second
    _, reverse = comparison_findings(truth, baseline, model, "CNN", "SVM")
    assert reverse.startswith("The SVM wins on this split by 8 images")
    close = truth.copy()
    close[:2] = 1
    _, narrow = comparison_findings(truth, model, close, "CNN", "SVM")
    assert narrow.startswith("The SVM wins on this split by 1 image: it alone gets no image")
    assert "another split could reverse it" in narrow
    close[2] = 1
    _, tie = comparison_findings(truth, model, close, "CNN", "SVM")
    assert tie.startswith("The two make the same number of errors") and "disagree on 2" in tie
    _, same = comparison_findings(truth, model, model, "CNN", "SVM")
    assert same == "The two get exactly the same images wrong, so neither wins here."


def test_mcnemar_p_is_the_two_sided_binomial_tail():
    assert mcnemar_p(0, 0) == 1.0
    assert mcnemar_p(3, 3) == 1.0
    assert abs(mcnemar_p(0, 6) - 2 / 64) < 1e-12
    assert mcnemar_p(1, 9) == mcnemar_p(9, 1)


def test_most_frequent_confusions_are_counted():
    truth = np.array([8, 8, 8, 3, 9, 1])
    predicted = np.array([1, 1, 8, 5, 4, 1])
    sentence = confusion_finding(truth, predicted, CLASSES, "CNN")
    assert sentence == (
        "The CNN's most frequent mistakes: 8 read as 1 (twice), 3 read as 5 (once), "
        "9 read as 4 (once)."
    )
    assert confusion_finding(truth, truth, CLASSES, "CNN") is None


def test_confidence_of_the_errors():
    truth = np.array([0, 0, 0, 1])
    predicted = np.array([0, 0, 1, 0])
    sentence = confidence_finding(truth, predicted, np.array([0.99, 0.97, 0.95, 0.55]), "CNN")
    assert "median probability of 0.75 (its right ones 0.98)" in sentence
    assert "1 of its 2 errors came with a probability above 0.9" in sentence
    assert confidence_finding(truth, truth, np.ones(4), "CNN") is None
    unsure = confidence_finding(truth, predicted, np.array([0.99, 0.97, 0.6, 0.55]), "CNN")
    assert "none of its 2 errors came with a probability above 0.9" in unsure
    only = confidence_finding(truth[:3], predicted[:3], np.array([0.99, 0.97, 0.95]), "CNN")
    assert only == (
        "The CNN gave its only wrong answer a probability of 0.95 "
        "(its right ones a median of 0.98)."
    )


def test_a_perfect_score_gets_an_upper_bound_instead_of_a_point_interval():
    assert perfect_score_finding(2, 360, "CNN") is None
    sentence = perfect_score_finding(0, 360, "CNN")
    assert sentence.startswith("The CNN makes no error on the 360 test images")
    assert "below 0.8 % (95 % upper bound)" in sentence


def test_stopping_says_whether_it_stopped_early():
    early = stopping_finding(epochs_run=40, best_epoch=32, max_epochs=60, patience=8)
    assert early.startswith("Early stopping ended the training at epoch 40 of at most 60")
    assert "since epoch 32" in early
    capped = stopping_finding(epochs_run=60, best_epoch=59, max_epochs=60, patience=8)
    assert capped.startswith("Training ran all 60 epochs without early stopping firing")
