"""The README and model card are rewritten from metrics.json, and only between the markers."""

import json

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.report import (
    RESULTS_MARKERS,
    MarkersMissing,
    replace_block,
    results_markdown,
    update_documents,
    write_metrics,
)
from {{ cookiecutter.package_name }}.uncertainty import bootstrap_interval

PAYLOAD = {
    "dataset": {"name": "toy", "summary": "a toy test set."},
    "primary_metric": "roc_auc",
    "labels": {"roc_auc": "ROC-AUC", "false_negatives": "False negatives (missed)"},
    "model": {
        "name": "Good model",
        "metrics": {"roc_auc": 0.91234, "false_negatives": 3},
        "intervals": {"roc_auc": [0.87, 0.95]},
    },
    "baseline": {"name": "Coin", "metrics": {"roc_auc": 0.5, "false_negatives": 40}},
    "findings": ["The model misses 3 cases the coin also misses."],
    "figures": [{"path": "reports/figures/roc.png", "caption": "ROC curve"}],
}


def test_results_table_puts_model_beside_baseline():
    text = results_markdown(PAYLOAD)
    assert "| ROC-AUC | 0.912 | 0.500 |" in text
    assert "| False negatives (missed) | 3 | 40 |" in text
    assert "![ROC curve](reports/figures/roc.png)" in text
    assert "**0.912** (95 % bootstrap interval 0.870 to 0.950), against 0.500 for" in text


def test_update_rewrites_only_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\n"
        "<!-- findings:start -->\nold finding\n<!-- findings:end -->\n\nKeep me.\n"
    )
    card = tmp_path / "MODEL_CARD.md"
    card.write_text("intro\n<!-- evaluation:start -->\n<!-- evaluation:end -->\n")
    assert update_documents(PAYLOAD, readme, card) == [readme, card]
    text = readme.read_text()
    assert text.startswith("# Title\n") and text.endswith("\n\nKeep me.\n")
    assert "old" not in text and "| ROC-AUC | 0.912 | 0.500 |" in text
    assert "- The model misses 3 cases the coin also misses." in text
    assert "| ROC-AUC | 0.912 | 0.500 |" in card.read_text()
    assert "- The model misses 3 cases" in card.read_text()
    update_documents(PAYLOAD, readme, card)
    assert readme.read_text() == text  # idempotent: a rerun changes nothing


def test_a_readme_without_its_findings_section_keeps_it_so(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- results:start -->\n<!-- results:end -->\n\nMy own findings.\n")
    update_documents(PAYLOAD, readme, tmp_path / "absent.md")
    assert readme.read_text().endswith("<!-- results:end -->\n\nMy own findings.\n")


def test_missing_markers_are_reported_with_the_document_name():
    with pytest.raises(MarkersMissing, match="README.md: the markers"):
        replace_block("no markers here", RESULTS_MARKERS, "body", "README.md")


def test_the_headline_names_the_metric_as_its_label_spells_it():
    text = results_markdown(PAYLOAD)
    assert text.splitlines()[2].startswith("**Good model**: ROC-AUC **0.912** (95 %")


def test_an_interval_of_zero_width_is_not_shown():
    # A test split with no error gives [1.0, 1.0] on every resample: no interval to report.
    perfect = {**PAYLOAD, "model": {**PAYLOAD["model"], "intervals": {"roc_auc": [1.0, 1.0]}}}
    assert "bootstrap interval" not in results_markdown(perfect).splitlines()[2]


def test_metrics_file_is_rounded_and_stable(tmp_path):
    path = write_metrics(PAYLOAD, tmp_path / "reports" / "metrics.json")
    first = path.read_text()
    assert json.loads(first)["model"]["metrics"]["roc_auc"] == 0.9123
    write_metrics(PAYLOAD, path)
    assert path.read_text() == first


def test_bootstrap_interval_holds_the_estimate_and_narrows_with_more_cases():
    generator = np.random.default_rng(0)
    small, large = generator.random(100) < 0.3, generator.random(10_000) < 0.3
    low, high = bootstrap_interval(np.mean, small, seed=1)
    assert low < small.mean() < high
    wide, narrow = high - low, np.subtract(*bootstrap_interval(np.mean, large, seed=1)[::-1])
    assert narrow < wide / 5  # about 1/sqrt(100) of the width
    assert bootstrap_interval(np.mean, small, seed=1) == (low, high)  # seeded: repeatable
