"""A smoke training run: the outputs exist, the model beats its baseline, reruns agree."""

import json

from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.train import train

METRICS = {"pr_auc", "roc_auc", "recall_at_precision_90", "precision_at_100", "threshold"}


def test_training_writes_model_metrics_and_figures(trained_project):
    folder, payload = trained_project
    assert (folder / "models" / "model.joblib").is_file()
    on_disk = json.loads((folder / "reports" / "metrics.json").read_text())
    assert set(on_disk) >= {"dataset", "model", "baseline"}
    for side in ("model", "baseline"):
        assert set(on_disk[side]["metrics"]) >= METRICS
        assert on_disk[side]["name"]
    for figure in on_disk["figures"]:
        png = folder / figure["path"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_model_beats_the_baseline(trained_project):
    _, payload = trained_project
    model, baseline = payload["model"]["metrics"], payload["baseline"]["metrics"]
    assert model["pr_auc"] > baseline["pr_auc"]
    assert model["pr_auc"] > 0.6  # far above chance (the fraud rate, 0.015)
    assert 0 < model["threshold"] < 1


def test_readme_and_model_card_show_the_results(trained_project):
    folder, payload = trained_project
    pr_auc = f"{payload['model']['metrics']['pr_auc']:.3f}"
    for name in ("README.md", "MODEL_CARD.md"):
        text = (folder / name).read_text()
        assert "_No results yet._" not in text and "_Not trained yet._" not in text
        assert f"| PR-AUC (average precision) | {pr_auc} |" in text
    assert "reports/figures/precision_recall.png" in (folder / "README.md").read_text()


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
