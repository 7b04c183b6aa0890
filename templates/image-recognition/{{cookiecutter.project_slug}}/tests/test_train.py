"""The CNN trains, beats the pixel baseline, meets its floor, and reruns identically."""

import json

import numpy as np

from {{ cookiecutter.package_name }}.data import load_folder
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.train import fit_cnn, split, train
from test_data import draw_shapes


def test_outputs_and_metrics(trained_project):
    folder, _ = trained_project
    payload = json.loads((folder / "reports" / "metrics.json").read_text())
    for side in ("model", "baseline"):
        assert {"accuracy", "macro_f1"} <= set(payload[side]["metrics"])
        assert set(payload["per_class_f1"][side]) == {str(i) for i in range(10)}
    assert (folder / "models" / "model.pt").is_file()
    for figure in payload["figures"]:
        assert (folder / figure["path"]).read_bytes()[:4] == b"\x89PNG"


def test_cnn_beats_the_baseline_and_meets_the_floor(trained_project):
    _, payload = trained_project
    model, baseline = payload["model"]["metrics"], payload["baseline"]["metrics"]
    assert model["accuracy"] >= 0.97
    assert model["accuracy"] > baseline["accuracy"]
    assert model["macro_f1"] > baseline["macro_f1"]


def test_readme_shows_the_accuracy(trained_project):
    folder, payload = trained_project
    readme = (folder / "README.md").read_text()
    assert f"| Accuracy | {payload['model']['metrics']['accuracy']:.3f} |" in readme


def test_training_is_reproducible(digits):
    train_idx, valid_idx, _ = split(digits.labels)
    runs = [fit_cnn(digits, train_idx, valid_idx, max_epochs=2, progress=False) for _ in range(2)]
    first, second = (history for _, history in runs)
    assert first == second
    for a, b in zip(runs[0][0].parameters(), runs[1][0].parameters(), strict=True):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_a_folder_of_own_images_trains_end_to_end(tmp_path):
    draw_shapes(tmp_path / "images", per_class=10)
    data = load_folder(tmp_path / "images", size=16)
    payload = train(data, project_dir=tmp_path, max_epochs=3, steps=Steps(4, quiet=True))
    assert payload["dataset"]["classes"] == ["circle", "square"]
    assert (tmp_path / "models" / "model.pt").is_file()
