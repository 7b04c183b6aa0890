"""The README and model card are rewritten from metrics.json, and only between the markers."""

import json

import pytest

from {{ cookiecutter.package_name }}.report import (
    RESULTS_MARKERS,
    replace_block,
    results_markdown,
    update_documents,
    write_metrics,
)

PAYLOAD = {
    "dataset": {"name": "toy", "summary": "a toy test set."},
    "primary_metric": "roc_auc",
    "model": {"name": "Good model", "metrics": {"roc_auc": 0.91234, "false_negatives": 3}},
    "baseline": {"name": "Coin", "metrics": {"roc_auc": 0.5, "false_negatives": 40}},
    "figures": [{"path": "reports/figures/roc.png", "caption": "ROC curve"}],
}


def test_results_table_puts_model_beside_baseline():
    text = results_markdown(PAYLOAD)
    assert "| ROC-AUC | 0.912 | 0.500 |" in text
    assert "| False negatives (missed) | 3 | 40 |" in text
    assert "![ROC curve](reports/figures/roc.png)" in text
    assert "**0.912**" in text


def test_update_rewrites_only_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\nKeep me.\n")
    card = tmp_path / "MODEL_CARD.md"
    card.write_text("intro\n<!-- evaluation:start -->\n<!-- evaluation:end -->\n")
    assert update_documents(PAYLOAD, readme, card) == [readme, card]
    text = readme.read_text()
    assert text.startswith("# Title\n") and text.endswith("\n\nKeep me.\n")
    assert "old" not in text and "| ROC-AUC | 0.912 | 0.500 |" in text
    assert "| ROC-AUC | 0.912 | 0.500 |" in card.read_text()
    update_documents(PAYLOAD, readme, card)
    assert readme.read_text() == text  # idempotent: a rerun changes nothing


def test_missing_markers_are_reported():
    with pytest.raises(ValueError, match="markers"):
        replace_block("no markers here", RESULTS_MARKERS, "body")


def test_metrics_file_is_rounded_and_stable(tmp_path):
    path = write_metrics(PAYLOAD, tmp_path / "reports" / "metrics.json")
    first = path.read_text()
    assert json.loads(first)["model"]["metrics"]["roc_auc"] == 0.9123
    write_metrics(PAYLOAD, path)
    assert path.read_text() == first
