"""The metrics: the fast bootstrap of PR-AUC gives scikit-learn's numbers."""

import numpy as np
from sklearn.metrics import average_precision_score

from {{ cookiecutter.package_name }}.evaluate import classification_metrics, pr_auc_interval
from {{ cookiecutter.package_name }}.uncertainty import bootstrap_interval


def test_fast_pr_auc_interval_equals_scikit_learns():
    generator = np.random.default_rng(0)
    y_true = (generator.random(600) < 0.08).astype(int)
    # Rounded scores: many ties, which average precision must treat as one threshold.
    scores = np.round(generator.random(600) * 0.6 + 0.4 * y_true * generator.random(600), 2)

    def slow(y, s):
        return average_precision_score(y, s) if y.any() else float("nan")

    fast = pr_auc_interval(y_true, scores, seed=5)
    expected = bootstrap_interval(slow, y_true, scores, seed=5)
    np.testing.assert_allclose(fast, expected, rtol=0, atol=1e-12)
    assert fast[0] < average_precision_score(y_true, scores) < fast[1]


def test_prevalence_is_the_pr_auc_of_a_random_ranking():
    generator = np.random.default_rng(1)
    y_true = (generator.random(20_000) < 0.01).astype(int)
    metrics = classification_metrics(y_true, generator.random(20_000), 0.5)
    assert metrics["prevalence"] == y_true.mean()
    # Random scores rank at chance: PR-AUC near the prevalence (200 frauds: within 0.01).
    assert abs(metrics["pr_auc"] - metrics["prevalence"]) < 0.01
