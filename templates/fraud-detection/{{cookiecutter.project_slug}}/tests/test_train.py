"""A smoke training run: the outputs exist, the model beats its baseline, reruns agree."""

import json
import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.data import DataError, make_synthetic
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.train import train

PROJECT_ROOT = Path(__file__).resolve().parents[1]

METRICS = {
    "pr_auc",
    "prevalence",
    "roc_auc",
    "recall_at_precision_90",
    "precision_at_100",
    "threshold",
}


def test_training_writes_model_metrics_and_figures(trained_project):
    folder, payload = trained_project
    assert (folder / "models" / "model.joblib").is_file()
    on_disk = json.loads((folder / "reports" / "metrics.json").read_text())
    assert set(on_disk) >= {"dataset", "model", "baseline", "labels", "findings"}
    for side in ("model", "baseline"):
        assert set(on_disk[side]["metrics"]) >= METRICS
        assert set(on_disk[side]["metrics"]) <= set(on_disk["labels"])  # every row is named
        assert on_disk[side]["name"]
    assert len(on_disk["figures"]) == 4
    for figure in on_disk["figures"]:
        png = folder / figure["path"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_model_beats_the_baseline(trained_project):
    # The small set has 1.5 % frauds, 120 of them in its 8,000-row test split. Over
    # 20 seeds the model's PR-AUC ranged 0.948-0.986 and the baseline's 0.56-0.74,
    # the narrowest gap 0.24. At 120 test frauds the bootstrap standard error is
    # about 0.015 for the model and 0.045 for the baseline (0.047 for their
    # difference): 0.85 is 6 standard errors below the lowest seed, and the gap is
    # 5 standard errors wide, so both hold for any seed.
    _, payload = trained_project
    model, baseline = payload["model"]["metrics"], payload["baseline"]["metrics"]
    assert model["pr_auc"] > baseline["pr_auc"]
    assert model["pr_auc"] > 0.85  # far above chance (the fraud rate, 0.015)
    assert 0 < model["threshold"] < 1


def test_prevalence_is_the_test_fraud_rate(trained_project):
    _, payload = trained_project
    dataset = payload["dataset"]
    for side in ("model", "baseline"):
        prevalence = payload[side]["metrics"]["prevalence"]
        assert prevalence == pytest.approx(dataset["test_frauds"] / dataset["test_rows"])


def test_pr_auc_intervals_hold_the_estimates(trained_project):
    _, payload = trained_project
    for side in ("model", "baseline"):
        low, high = payload[side]["intervals"]["pr_auc"]
        assert 0 <= low < payload[side]["metrics"]["pr_auc"] < high <= 1


def test_readme_and_model_card_show_the_results(trained_project):
    folder, payload = trained_project
    model = payload["model"]["metrics"]
    for name in ("README.md", "MODEL_CARD.md"):
        text = (folder / name).read_text()
        assert "_No results yet._" not in text and "_Not trained yet._" not in text
        assert f"| PR-AUC (average precision) | {model['pr_auc']:.3f} |" in text
        places = 4 if model["prevalence"] < 0.01 else 3  # as the table writes small values
        prevalence = f"{model['prevalence']:.{places}f}"
        assert f"| Prevalence (PR-AUC of a random ranking) | {prevalence} | {prevalence} |" in text
        assert "95 % bootstrap interval" in text
        for finding in payload["findings"]:
            assert f"- {finding}" in text
    assert "reports/figures/precision_recall.png" in (folder / "README.md").read_text()


def test_findings_are_written_from_the_run(trained_project):
    _, payload = trained_project
    model, test_frauds = payload["model"]["metrics"], payload["dataset"]["test_frauds"]
    text = " ".join(payload["findings"])
    assert f"catches {model['true_positives']} of the {test_frauds} frauds" in text
    alarms = model["false_positives"]
    assert (f"raises {alarms} false alarms" if alarms else "raises no false alarm") in text
    winner = max(("model", "baseline"), key=lambda side: payload[side]["metrics"]["pr_auc"])
    assert f"{payload[winner]['name']} ranks the test transactions better" in text
    # The small set is synthetic: the findings count the frauds of its built-in pattern.
    assert "test frauds have V17 beyond +-4" in text


def test_too_few_frauds_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="only 5 frauds"):
        train(make_synthetic(2_000, 5, seed=0), {"description": "x"}, project_dir=tmp_path)


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A folder with the project's README and model card, as the working directory."""
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_quick_run_prints_its_results_and_writes_nothing_public(project_copy, capsys):
    before = {name: (project_copy / name).read_text() for name in ("README.md", "MODEL_CARD.md")}
    assert main(["train", "--rows", "2000", "-q"]) == 0
    assert not (project_copy / "reports").exists()
    for name, text in before.items():
        assert (project_copy / name).read_text() == text
    assert (project_copy / "models" / "model.joblib").is_file()
    out = capsys.readouterr().out
    assert "| PR-AUC (average precision) |" in out and "quick run" in out


def test_a_quick_run_writes_reports_when_asked(project_copy):
    assert main(["train", "--rows", "2000", "-q", "--write-reports"]) == 0
    assert (project_copy / "reports" / "metrics.json").is_file()
    assert "| PR-AUC (average precision) |" in (project_copy / "README.md").read_text()


def test_two_runs_give_the_same_metrics(tmp_path, small_frame, trained_project):
    _, first = trained_project
    again = train(
        small_frame,
        {"name": "synthetic", "description": "a small synthetic set"},
        project_dir=tmp_path,
        steps=Steps(5, quiet=True),
    )
    assert json.dumps(again["model"]) == json.dumps(first["model"])
    assert json.dumps(again["baseline"]) == json.dumps(first["baseline"])
