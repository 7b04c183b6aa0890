"""What a training run showed, in sentences written from its numbers.

Every sentence here is computed from the metrics payload (the content of
``reports/metrics.json``), so the README never claims what this run did not do:
which model won and by how much, whether calibration was applied, whether the
sensitivity target was met on the test split, and which cancers were missed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

CONFIDENT = 0.1  # a missed cancer scored below this was called benign with confidence


def findings(payload: Mapping[str, Any]) -> list[str]:
    """The findings of one run, from its metrics payload."""
    return [
        _model_choice(payload),
        _calibration(payload),
        _sensitivity(payload),
        _missed(payload),
        _specificity(payload),
        _baseline(payload),
        _test_comparison(payload),
        _importance(payload),
    ]


def _model_choice(payload: Mapping[str, Any]) -> str:
    selection = payload["selection"]
    cv = selection["cv_roc_auc"]
    chosen, best = selection["chosen"], selection["best_cv"]
    folds = selection["cv_folds"]
    baseline = payload["baseline"]
    reached = cv[baseline["name"]][0]
    rule = f"The single-feature rule ({baseline['feature']} alone) reached {reached:.4f}."
    if chosen != best:
        gap = cv[best][0] - cv[chosen][0]
        return (
            f"{best} had the highest cross-validated ROC-AUC ({cv[best][0]:.4f} over {folds} "
            f"folds), {gap:.4f} above {chosen.lower()} ({cv[chosen][0]:.4f}): less than one "
            f"standard error of the paired fold differences "
            f"({selection['gap_standard_error']:.4f}), so the simpler {chosen.lower()} was kept. "
            f"{rule}"
        )
    others = [name for name in cv if name not in (chosen, baseline["name"])]
    runner_up = max(others, key=lambda name: cv[name][0])
    return (
        f"{chosen} had the highest cross-validated ROC-AUC ({cv[chosen][0]:.4f} +- "
        f"{cv[chosen][1]:.4f} over {folds} folds), {cv[chosen][0] - cv[runner_up][0]:.4f} above "
        f"{runner_up.lower()} ({cv[runner_up][0]:.4f}). {rule}"
    )


def _calibration(payload: Mapping[str, Any]) -> str:
    selection = payload["selection"]
    brier = selection["brier_out_of_fold"]
    if selection["calibrated"]:
        return (
            f"Platt calibration was applied: it lowered the out-of-fold Brier score on the "
            f"development cases from {brier['raw']:.4f} to {brier['calibrated']:.4f}."
        )
    return (
        f"Platt calibration was not applied: the out-of-fold Brier score on the development "
        f"cases was {brier['raw']:.4f} without it and {brier['calibrated']:.4f} with it."
    )


def _sensitivity(payload: Mapping[str, Any]) -> str:
    metrics, interval = payload["model"]["metrics"], payload["model"]["intervals"]["recall"]
    target = payload["selection"]["target_sensitivity"]
    malignant = payload["dataset"]["test_malignant"]
    caught = malignant - metrics["false_negatives"]
    sentence = (
        f"The threshold {metrics['threshold']:.3f} flags at least {_percent(target)} of the "
        f"malignant development cases out of fold; on the test split it catches {caught} of "
        f"{malignant} "
        f"malignant cases, a sensitivity of {metrics['recall']:.3f} "
        f"{_interval(interval, malignant, 'miss')}"
    )
    if metrics["recall"] >= target:
        return f"{sentence}, meeting the {_percent(target)} target."
    allowed = math.floor(malignant * (1 - target) + 1e-9)
    reason = (
        f"each malignant test case is {100 / malignant:.1f} points of sensitivity, so "
        f"{_percent(target)} allows {_count(allowed, 'miss', 'misses')} among {malignant}"
    )
    if interval[1] >= target:
        return (
            f"{sentence}, below the {_percent(target)} target set on the development cases: "
            f"{reason}, and the interval still reaches the target: the shortfall is within what "
            f"chance allows on so few cases."
        )
    return (
        f"{sentence}, below the {_percent(target)} target set on the development cases: "
        f"{reason}, and "
        f"even the interval stays below it, so expect a lower sensitivity on new cases than the "
        f"development data promised."
    )


def _interval(interval: list[float], cases: int, error: str) -> str:
    """A share's bootstrap interval, or what a test split without a single *error* can say."""
    low, high = interval
    if low == high:
        # No error of this kind on the test split: every resample scores the same,
        # so the bootstrap says nothing; the rule of three still bounds the rate.
        return (
            f"(no {error} among {cases} test cases, so the bootstrap interval shrinks to a "
            f"point; by the rule of three the true rate is only known to be above "
            f"{1 - 3 / cases:.3f}, 95 % lower bound)"
        )
    return f"(95 % bootstrap interval {low:.3f} to {high:.3f})"


def _missed(payload: Mapping[str, Any]) -> str:
    missed = payload["selection"]["missed_cases"]
    malignant = payload["dataset"]["test_malignant"]
    if not missed:
        return f"It misses none of the {malignant} malignant test cases."
    cases = ", ".join(f"row {case['row']} (score {case['score']:.3f})" for case in missed)
    confident = sum(case["score"] < CONFIDENT for case in missed)
    if len(missed) == 1:
        detail = "scored as confidently benign" if confident else "a near miss under the threshold"
    elif confident == len(missed):
        every = "both" if confident == 2 else f"all {confident}"
        detail = f"{every} score below {CONFIDENT}, confidently benign"
    elif confident:
        detail = f"{confident} of them score below {CONFIDENT}, confidently benign"
    else:
        detail = f"none scores below {CONFIDENT}: each is a near miss under the threshold"
    counted = _count(len(missed), "malignant test case", "malignant test cases")
    return f"It misses {counted} (rows of the dataset): {cases}, {detail}."


def _specificity(payload: Mapping[str, Any]) -> str:
    metrics, interval = payload["model"]["metrics"], payload["model"]["intervals"]["specificity"]
    benign = payload["dataset"]["test_rows"] - payload["dataset"]["test_malignant"]
    default = payload["selection"]["at_default_threshold"]
    return (
        f"The price of that sensitivity: it flags {metrics['false_positives']} of {benign} benign "
        f"test cases, a specificity of {metrics['specificity']:.3f} "
        f"{_interval(interval, benign, 'false alarm')}. At the usual threshold of "
        f"{default['threshold']} the same model would miss "
        f"{_count(default['false_negatives'], 'malignant case', 'malignant cases')} and raise "
        f"{_count(default['false_positives'], 'false alarm', 'false alarms')}."
    )


def _baseline(payload: Mapping[str, Any]) -> str:
    baseline = payload["baseline"]
    metrics = baseline["metrics"]
    malignant = payload["dataset"]["test_malignant"]
    target = payload["selection"]["target_sensitivity"]
    return (
        f"The single-feature rule, at its own threshold (also set for {_percent(target)} "
        f"sensitivity out of fold), catches {malignant - metrics['false_negatives']} of "
        f"{malignant} malignant test cases and raises "
        f"{_count(metrics['false_positives'], 'false alarm', 'false alarms')} (specificity "
        f"{metrics['specificity']:.3f}); its test Brier score is {metrics['brier']:.4f} against "
        f"the model's {payload['model']['metrics']['brier']:.4f}."
    )


def _test_comparison(payload: Mapping[str, Any]) -> str:
    ours = payload["model"]["metrics"]["roc_auc"]
    theirs = payload["baseline"]["metrics"]["roc_auc"]
    low, high = payload["selection"]["roc_auc_difference_interval"]
    cases = payload["dataset"]["test_rows"]
    sentence = (
        f"On the test split the model's ROC-AUC is {ours - theirs:+.4f} against the baseline's "
        f"(95 % bootstrap interval of the difference {low:+.4f} to {high:+.4f})"
    )
    if low > 0:
        return f"{sentence}: the model ranks the test cases better."
    return (
        f"{sentence}: the interval includes zero, so {cases} test cases alone cannot tell the "
        f"two apart; the cross-validated comparison above is the steadier one."
    )


def _importance(payload: Mapping[str, Any]) -> str:
    (first, drop), *rest = payload["importance"]
    if drop <= 0:
        return (
            "No single feature's shuffling lowers the test ROC-AUC: the information is spread "
            "over correlated features (radius, perimeter and area measure nearly the same thing)."
        )
    others = " and ".join(f"{name} ({value:.4f})" for name, value in rest)
    return (
        f"Shuffling {first} costs the most test ROC-AUC ({drop:.4f}), then {others}; "
        "a feature that a correlated one can stand in for (radius, perimeter and area) "
        "looks less important than the information it carries."
    )


def _count(number: int, one: str, many: str) -> str:
    """'no false alarms', '1 false alarm' or '3 false alarms'."""
    return f"{number or 'no'} {one if number == 1 else many}"


def _percent(share: float) -> str:
    """0.97 as '97 %', the spacing of the rest of the README."""
    return f"{share * 100:.0f} %"
