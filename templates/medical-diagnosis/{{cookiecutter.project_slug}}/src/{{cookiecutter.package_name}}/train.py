"""Compare models under repeated cross-validation, fit the chosen one, set a high-sensitivity
threshold, calibrate if it helps, and evaluate once on a held-out test split.

A stratified 20 % of the cases (114) is set aside first and used only for the
final numbers. Everything else (model choice, threshold, calibration) is decided
on the other 455 cases, by cross-validation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.inspection import permutation_importance
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import (
    RepeatedStratifiedKFold,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
    train_test_split,
)

from . import SEED, plots
from .data import TARGET, feature_names
from .evaluate import (
    DEFAULT_THRESHOLD,
    LABELS,
    TARGET_SENSITIVITY,
    diagnostic_metrics,
    intervals,
    roc_auc_difference,
    threshold_for_sensitivity,
)
from .findings import findings
from .models import BASELINE_NAME, SingleFeatureRule, candidates
from .progress import Steps
from .report import figure_entries, update_documents, write_metrics

MODEL_FILE = Path("models", "model.joblib")
METRICS_FILE = Path("reports", "metrics.json")
FIGURES_DIR = Path("reports", "figures")
CV_SPLITS, CV_REPEATS = 5, 3
IMPORTANCE_REPEATS = 10


def train(
    frame: pd.DataFrame,
    *,
    project_dir: Path = Path("."),
    seed: int = SEED,
    repeats: int = CV_REPEATS,
    importance_repeats: int = IMPORTANCE_REPEATS,
    steps: Steps | None = None,
) -> dict[str, Any]:
    """Run the whole study on *frame* and write the model, metrics, figures and documents.

    *repeats* is the number of repeats of the 5-fold cross-validation and
    *importance_repeats* the number of shuffles of each feature (the tests use
    fewer of both). Returns the metrics payload (the content of ``reports/metrics.json``).
    """
    steps = steps or Steps(6)
    features = feature_names()
    with steps.step("Holding out a stratified 20 % test split"):
        dev, test = train_test_split(
            frame, test_size=0.2, stratify=frame[TARGET], random_state=seed
        )
        x_dev, y_dev = dev[features], dev[TARGET].to_numpy()
        x_test, y_test = test[features], test[TARGET].to_numpy()
    steps.note(f"{len(dev)} cases to choose with, {len(test)} to test on")

    models = {BASELINE_NAME: SingleFeatureRule(), **candidates(seed)}
    with steps.step(f"Cross-validating {len(models)} models ({CV_SPLITS}-fold x {repeats})"):
        cv = RepeatedStratifiedKFold(n_splits=CV_SPLITS, n_repeats=repeats, random_state=seed)
        cv_scores = {
            name: cross_val_score(model, x_dev, y_dev, cv=cv, scoring="roc_auc")
            for name, model in models.items()
        }
    chosen, best, standard_error = choose({n: cv_scores[n] for n in candidates(seed)})
    for name, scores in cv_scores.items():
        steps.note(f"{name:22} ROC-AUC {scores.mean():.4f} +- {scores.std():.4f}")

    with steps.step(f"Choosing threshold and calibration for {chosen.lower()}"):
        folds = StratifiedKFold(n_splits=CV_SPLITS, shuffle=True, random_state=seed)
        raw = models[chosen]
        calibrated = CalibratedClassifierCV(clone(raw), method="sigmoid", cv=CV_SPLITS)
        oof = {
            "raw": _out_of_fold(raw, x_dev, y_dev, folds),
            "calibrated": _out_of_fold(calibrated, x_dev, y_dev, folds),
        }
        brier = {kind: brier_score_loss(y_dev, scores) for kind, scores in oof.items()}
        use_calibration = brier["calibrated"] < brier["raw"]  # calibrate only if it helps
        model = calibrated if use_calibration else raw
        model_oof = oof["calibrated" if use_calibration else "raw"]
        threshold = threshold_for_sensitivity(y_dev, model_oof)
        baseline = models[BASELINE_NAME]
        baseline_oof = _out_of_fold(baseline, x_dev, y_dev, folds)
        baseline_threshold = threshold_for_sensitivity(y_dev, baseline_oof)
    steps.note(
        f"Brier (out of fold) {brier['raw']:.4f} raw, {brier['calibrated']:.4f} calibrated: "
        f"{'calibrated' if use_calibration else 'kept raw'}; threshold {threshold:.3f}"
    )

    with steps.step("Fitting on the development cases, evaluating on the test split"):
        model.fit(x_dev, y_dev)
        baseline.fit(x_dev, y_dev)
        scores = model.predict_proba(x_test)[:, 1]
        baseline_scores = baseline.predict_proba(x_test)[:, 1]
        metrics = diagnostic_metrics(y_test, scores, threshold)
        baseline_metrics = diagnostic_metrics(y_test, baseline_scores, baseline_threshold)
        for values, name in ((metrics, chosen), (baseline_metrics, BASELINE_NAME)):
            values["cv_roc_auc_mean"] = float(cv_scores[name].mean())
            values["cv_roc_auc_std"] = float(cv_scores[name].std())
        at_default = diagnostic_metrics(y_test, scores, DEFAULT_THRESHOLD)
        # The test split is small: say how far another draw of it could move the numbers.
        model_intervals = intervals(y_test, scores, threshold, seed)
        baseline_intervals = intervals(y_test, baseline_scores, baseline_threshold, seed)
        difference = roc_auc_difference(y_test, scores, baseline_scores, seed)

    with steps.step("Measuring which features drive the model (permutation importance)"):
        importance = permutation_importance(
            model,
            x_test,
            y_test,
            scoring="roc_auc",
            n_repeats=importance_repeats,
            random_state=seed,
        )

    with steps.step("Writing the model, figures, metrics and README"):
        model_path = project_dir / MODEL_FILE
        model_path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(
            {"model": model, "threshold": threshold, "features": features, "name": chosen},
            model_path,
        )
        folder = project_dir / FIGURES_DIR
        missed_mask = (y_test == 1) & (scores < threshold)
        missed = [
            (int(case), float(score))
            for case, score in zip(test.index[missed_mask], scores[missed_mask], strict=True)
        ]
        figures = [
            (
                plots.roc(
                    y_test,
                    {chosen: scores, BASELINE_NAME: baseline_scores},
                    {chosen: threshold, BASELINE_NAME: baseline_threshold},
                    folder / "roc_curve.png",
                ),
                "ROC curves on the test split; dots mark the chosen thresholds.",
            ),
            (
                plots.reliability(y_dev, oof, use_calibration, folder / "calibration.png"),
                "Reliability: predicted against observed rate of malignancy (out-of-fold).",
            ),
            (
                plots.confusion(
                    y_test, scores >= threshold, threshold, missed, folder / "confusion_matrix.png"
                ),
                "Confusion matrix on the test split, naming the missed malignant cases.",
            ),
            (
                plots.importance(features, importance, chosen, folder / "feature_importance.png"),
                "The ten features whose shuffling costs the most ROC-AUC on the test split.",
            ),
            (
                plots.cv_comparison(cv_scores, chosen, folder / "cv_comparison.png"),
                "ROC-AUC of the baseline and every candidate across the cross-validation folds.",
            ),
        ]
        top = np.argsort(importance.importances_mean)[::-1][:3]
        payload = {
            "dataset": {
                "name": "breast_cancer_wisconsin_diagnostic",
                "rows": len(frame),
                "malignant": int(frame[TARGET].sum()),
                "test_rows": len(test),
                "test_malignant": int(y_test.sum()),
                "seed": seed,
                "summary": f"the held-out test split ({len(test)} cases, {int(y_test.sum())} "
                f"malignant) of the Wisconsin Diagnostic Breast Cancer set ({len(frame)} cases); "
                f"the cross-validated rows use the other {len(dev)} cases "
                f"({CV_SPLITS}-fold x {repeats}).",
            },
            "primary_metric": "roc_auc",
            "labels": LABELS,
            "model": {
                "name": chosen + (" (calibrated)" if use_calibration else ""),
                "metrics": metrics,
                "intervals": model_intervals,
            },
            "baseline": {
                "name": BASELINE_NAME,
                "feature": features[baseline.feature_index_],
                "metrics": baseline_metrics,
                "intervals": baseline_intervals,
            },
            "selection": {
                "cv_roc_auc": {n: [float(s.mean()), float(s.std())] for n, s in cv_scores.items()},
                "cv_folds": CV_SPLITS * repeats,
                "best_cv": best,
                "chosen": chosen,
                "gap_standard_error": standard_error,
                "brier_out_of_fold": {
                    "raw": float(brier["raw"]),
                    "calibrated": float(brier["calibrated"]),
                    "baseline": float(brier_score_loss(y_dev, baseline_oof)),
                },
                "calibrated": bool(use_calibration),
                "target_sensitivity": TARGET_SENSITIVITY,
                "missed_cases": [{"row": case, "score": score} for case, score in missed],
                "at_default_threshold": {
                    key: at_default[key]
                    for key in ("threshold", "false_negatives", "false_positives")
                },
                "roc_auc_difference_interval": difference,
            },
            "importance": [[features[i], float(importance.importances_mean[i])] for i in top],
            "figures": figure_entries(figures, project_dir),
        }
        # The findings are written from metrics.json as stored (rounded), so that anyone
        # can recompute every sentence from the file: write, read back, then add them.
        metrics_path = write_metrics(payload, project_dir / METRICS_FILE)
        payload["findings"] = findings(json.loads(metrics_path.read_text(encoding="utf-8")))
        write_metrics(payload, metrics_path)
        update_documents(payload, project_dir / "README.md", project_dir / "MODEL_CARD.md")
    return payload


def choose(cv_scores: dict[str, np.ndarray]) -> tuple[str, str, float | None]:
    """Pick a model by the one-standard-error rule; return (chosen, best, standard error).

    *cv_scores* holds each candidate's ROC-AUC on the same folds, simplest
    candidate first. The best mean wins unless a simpler candidate comes within
    one standard error of the paired fold differences: on 455 cases the
    candidates' means are often closer than that, and the simpler model is then
    the safer bet on new cases (and the faster one). The standard error is that
    of the gap between the kept and the best model, None when the best is kept.
    The folds of repeated CV overlap, so it is an optimistic (small) standard
    error: the rule keeps a simpler model only when the gap is clearly noise.
    """
    best = max(cv_scores, key=lambda name: cv_scores[name].mean())
    for name, scores in cv_scores.items():
        if name == best:
            break
        gaps = cv_scores[best] - scores
        standard_error = float(gaps.std(ddof=1) / np.sqrt(gaps.size))
        if gaps.mean() <= standard_error:
            return name, best, standard_error
    return best, best, None


def _out_of_fold(model, x, y, folds) -> np.ndarray:
    """Scores of each development case by a model that did not see it."""
    return cross_val_predict(clone(model), x, y, cv=folds, method="predict_proba")[:, 1]
