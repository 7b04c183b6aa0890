"""Train the baseline and the model, choose the alert threshold, evaluate, and report.

The data is split once, stratified, into train (60 %), validation (20 %) and
test (20 %). Models learn on train; the threshold is chosen on validation; the
numbers in the README come from test, which nothing else has seen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from . import SEED, plots
from .data import (
    EITHER_SIGN_CUT,
    EITHER_SIGN_FEATURE,
    FEATURES,
    TARGET,
    DataError,
    either_sign_pattern,
)
from .evaluate import LABELS, best_f1_threshold, classification_metrics, pr_auc_interval
from .progress import Steps
from .report import figure_entries, update_documents, write_metrics

MODEL_NAME = "Gradient boosting"
BASELINE_NAME = "Logistic regression"
MODEL_FILE = Path("models", "model.joblib")
METRICS_FILE = Path("reports", "metrics.json")
FIGURES_DIR = Path("reports", "figures")
# Stratified splits of 60/20/20 give the test and validation splits 2 frauds each
# from 10: fewer and a split may hold none, where PR-AUC is undefined.
MIN_FRAUDS = 10


def build_baseline() -> Pipeline:
    """Scaled logistic regression, without class weights (they halve its PR-AUC here)."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1_000))


def build_model(seed: int = SEED) -> HistGradientBoostingClassifier:
    """Gradient boosting that works on 0.17 % positives.

    With scikit-learn's defaults, early stopping watches a validation loss that
    the rare frauds barely move and quits after about 10 trees (PR-AUC ~0.3);
    200 trees without early stopping and some L2 regularisation reach ~0.85.
    """
    return HistGradientBoostingClassifier(
        max_iter=200, l2_regularization=1.0, early_stopping=False, random_state=seed
    )


def split(frame: pd.DataFrame, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split into train, validation and test (60/20/20), keeping the fraud rate in each."""
    rest, test = train_test_split(frame, test_size=0.2, stratify=frame[TARGET], random_state=seed)
    train, valid = train_test_split(rest, test_size=0.25, stratify=rest[TARGET], random_state=seed)
    return train, valid, test


def train(
    frame: pd.DataFrame,
    dataset: dict[str, Any],
    *,
    project_dir: Path = Path("."),
    seed: int = SEED,
    steps: Steps | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    """Train both models on *frame*, save the model, and return the metrics payload.

    With *publish* (a full run), the payload is also written to
    ``reports/metrics.json`` with the figures, and copied into the README and
    the model card. Without it (a quick run on a slice), only ``models/`` is
    written: a slice's numbers should not replace the published ones.
    """
    steps = steps or Steps(6)
    frauds = int(frame[TARGET].sum())
    if frauds < MIN_FRAUDS:
        raise DataError(
            f"only {frauds} frauds among {len(frame):,} transactions; the train, validation "
            f"and test splits need at least {MIN_FRAUDS} between them: use more rows"
        )
    with steps.step("Splitting into train, validation and test"):
        train_set, valid_set, test_set = split(frame, seed)
    x_train, y_train = train_set[FEATURES].to_numpy(), train_set[TARGET].to_numpy()
    x_valid, y_valid = valid_set[FEATURES].to_numpy(), valid_set[TARGET].to_numpy()
    x_test, y_test = test_set[FEATURES].to_numpy(), test_set[TARGET].to_numpy()
    steps.note(
        f"{len(train_set):,} / {len(valid_set):,} / {len(test_set):,} rows, "
        f"{int(y_test.sum())} frauds in test"
    )

    with steps.step(f"Fitting the baseline ({BASELINE_NAME.lower()})"):
        baseline = build_baseline().fit(x_train, y_train)
    with steps.step(f"Fitting the model ({MODEL_NAME.lower()}, 200 trees)"):
        model = build_model(seed).fit(x_train, y_train)

    with steps.step("Choosing thresholds on validation, evaluating on test"):
        results = {}
        for name, estimator in ((MODEL_NAME, model), (BASELINE_NAME, baseline)):
            valid_scores = estimator.predict_proba(x_valid)[:, 1]
            threshold = best_f1_threshold(y_valid, valid_scores)
            test_scores = estimator.predict_proba(x_test)[:, 1]
            results[name] = {
                "valid_scores": valid_scores,
                "test_scores": test_scores,
                "threshold": threshold,
                "metrics": classification_metrics(y_test, test_scores, threshold),
            }
    with steps.step("Bootstrapping the test PR-AUC (1,000 resamples)"):
        for result in results.values():
            result["pr_auc_interval"] = pr_auc_interval(y_test, result["test_scores"], seed)

    ours = results[MODEL_NAME]
    payload = {
        "dataset": {
            **dataset,
            "test_rows": len(test_set),
            "test_frauds": int(y_test.sum()),
            "seed": seed,
            "summary": f"the held-out test split ({len(test_set):,} transactions, "
            f"{int(y_test.sum())} frauds) of {dataset['description']}.",
        },
        "primary_metric": "pr_auc",
        "labels": LABELS,
        "model": _entry(MODEL_NAME, ours),
        "baseline": _entry(BASELINE_NAME, results[BASELINE_NAME]),
        "findings": findings(test_set, results, synthetic=dataset.get("name") == "synthetic"),
        "figures": [],
    }
    written = "the model, figures, metrics and README" if publish else "the model"
    with steps.step(f"Writing {written}"):
        model_path = project_dir / MODEL_FILE
        model_path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(
            {"model": model, "threshold": ours["threshold"], "features": FEATURES},
            model_path,
        )
        if publish:
            payload["figures"] = _figures(project_dir, y_valid, y_test, results)
            write_metrics(payload, project_dir / METRICS_FILE)
            update_documents(payload, project_dir / "README.md", project_dir / "MODEL_CARD.md")
    return payload


def _entry(name: str, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "metrics": result["metrics"],
        "intervals": {"pr_auc": list(result["pr_auc_interval"])},
    }


def findings(test_set: pd.DataFrame, results: dict[str, dict], *, synthetic: bool) -> list[str]:
    """What this run showed, in sentences made from its test-set numbers.

    *results* holds each model's test scores, threshold, metrics and PR-AUC
    interval. Every claim (which model ranks better, whether the intervals
    overlap) is decided here from the numbers, never written in advance.
    """
    y_test = test_set[TARGET].to_numpy()
    ours, theirs = results[MODEL_NAME], results[BASELINE_NAME]
    m, b = ours["metrics"], theirs["metrics"]
    frauds = int(y_test.sum())
    caught, alarms, missed = m["true_positives"], m["false_positives"], m["false_negatives"]
    if not alarms:
        alarm_text = "raises no false alarm"
    elif caught:
        alarm_text = f"raises {alarms} false alarms, {alarms / caught:.2f} per fraud caught"
    else:
        alarm_text = f"raises {alarms} false alarms"
    said = [
        f"At its alert threshold ({_short(m['threshold'])}, the best F1 on validation), "
        f"{MODEL_NAME.lower()} flags {caught + alarms:,} of the {len(y_test):,} test "
        f"transactions: it catches {caught} of the {frauds} frauds "
        f"({_percent(m['recall'])}), misses {missed} and {alarm_text}. "
        f"{BASELINE_NAME}, at its own threshold ({_short(b['threshold'])}), "
        f"catches {b['true_positives']} and raises {b['false_positives']} false alarms."
    ]
    scores = ours["test_scores"]
    lowest = float(scores[y_test == 1].min())
    genuine_above = int(np.sum(scores[y_test == 0] >= lowest))
    said.append(
        f"Catching every test fraud would take a threshold of {_short(lowest)}, the score of the "
        f"lowest-scored fraud, which would also flag {genuine_above:,} genuine transactions "
        f"({_percent(genuine_above / max(len(y_test) - frauds, 1), 1)} of them)."
    )
    said.append(
        f"If at least 90 % of alerts must be fraud, {MODEL_NAME.lower()} catches "
        f"{_percent(m['recall_at_precision_90'])} of the frauds and {BASELINE_NAME.lower()} "
        f"{_percent(b['recall_at_precision_90'])}."
    )
    ranked = sorted(results.items(), key=lambda item: -item[1]["metrics"]["pr_auc"])
    (better, top), (worse, bottom) = ranked
    overlap = (
        top["pr_auc_interval"][0] <= bottom["pr_auc_interval"][1]
        and bottom["pr_auc_interval"][0] <= top["pr_auc_interval"][1]
    )
    said.append(
        f"{better} ranks the test transactions better than {worse.lower()}: PR-AUC "
        f"{_with_interval(top)} against {_with_interval(bottom)}; these 95 % bootstrap "
        + (
            "intervals overlap, so this test split does not settle which ranks better."
            if overlap
            else "intervals do not overlap."
        )
        + f" A random ranking would score {m['prevalence']:.4f}, the share of frauds in the "
        "test split."
    )
    if synthetic:
        clear_win = better == MODEL_NAME and not overlap
        said.append(_designed_gap(test_set, results, clear_win=clear_win))
    said.append(
        f"With {frauds} frauds in the test split, each fraud caught or missed moves recall by "
        f"{100 / frauds:.1f} percentage points: read the numbers with their intervals."
    )
    return said


def _designed_gap(test_set: pd.DataFrame, results: dict[str, dict], *, clear_win: bool) -> str:
    """What the synthetic data's built-in patterns do to the comparison, in this run's numbers.

    *clear_win*: the model ranks better and the intervals do not overlap, so
    there is a gap to explain.
    """
    y_test = test_set[TARGET].to_numpy()
    frauds = int(y_test.sum())
    pattern = either_sign_pattern(test_set).to_numpy() & (y_test == 1)
    flagged = {
        name: int(np.sum(pattern & (r["test_scores"] >= r["threshold"])))
        for name, r in results.items()
    }
    text = (
        "The gap between the models is designed into the synthetic data: it is no finding about "
        "real fraud. "
        if clear_win
        else "The synthetic data is built so that a linear score cannot catch every fraud. "
    )
    text += (
        "Its generator makes frauds in three separate patterns that one linear score has to "
        "weigh all at once, and one of them no linear score can separate: "
        f"{EITHER_SIGN_FEATURE} far from zero, of either sign. {int(pattern.sum())} of the "
        f"{frauds} test frauds have {EITHER_SIGN_FEATURE} beyond +-{EITHER_SIGN_CUT:g}; "
        f"{BASELINE_NAME.lower()} flags {flagged[BASELINE_NAME]} of them at its threshold, "
        f"{MODEL_NAME.lower()} {flagged[MODEL_NAME]}."
    )
    if 0 < pattern.sum() < frauds:
        # The same test split without those frauds: what is left of the gap.
        rest = {
            name: float(average_precision_score(y_test[~pattern], r["test_scores"][~pattern]))
            for name, r in results.items()
        }
        text += (
            f" Without them the test PR-AUC is {rest[MODEL_NAME]:.3f} for "
            f"{MODEL_NAME.lower()} and {rest[BASELINE_NAME]:.3f} for {BASELINE_NAME.lower()}."
        )
    return text + (
        " On the real ULB set (`train --dataset creditcard`) logistic regression does well "
        "too, so expect a smaller gap; community notebooks report a PR-AUC around 0.85 for "
        "gradient boosting (XGBoost) there, an informal figure."
    )


def _with_interval(result: dict[str, Any]) -> str:
    low, high = result["pr_auc_interval"]
    return f"{result['metrics']['pr_auc']:.3f} ({low:.3f} to {high:.3f})"


def _percent(share: float, places: int = 0) -> str:
    return f"{100 * share:.{places}f} %"


def _short(value: float) -> str:
    # Thresholds range from 0.5 to 0.0001: three significant digits suit them all.
    return f"{value:.3g}"


def _figures(
    project_dir: Path, y_valid: np.ndarray, y_test: np.ndarray, results: dict[str, dict]
) -> list[dict[str, str]]:
    folder = project_dir / FIGURES_DIR
    ours = results[MODEL_NAME]
    made = [
        (
            plots.precision_recall(
                y_test,
                {name: r["test_scores"] for name, r in results.items()},
                {name: r["threshold"] for name, r in results.items()},
                folder / "precision_recall.png",
            ),
            "Precision-recall curves on the test set; dots mark the chosen thresholds.",
        ),
        (
            plots.confusion(
                y_test,
                ours["test_scores"] >= ours["threshold"],
                f"{MODEL_NAME} at threshold {ours['threshold']:.3g}",
                folder / "confusion_matrix.png",
            ),
            "Confusion matrix of the model on the test set at the chosen threshold.",
        ),
        (
            plots.score_distribution(
                y_test, ours["test_scores"], ours["threshold"], folder / "score_distribution.png"
            ),
            "How the model scores genuine and fraudulent test transactions.",
        ),
        (
            plots.threshold_tradeoff(
                y_valid, ours["valid_scores"], ours["threshold"], folder / "threshold.png"
            ),
            "Precision and recall against the threshold on the validation split.",
        ),
    ]
    return figure_entries(made, project_dir)
