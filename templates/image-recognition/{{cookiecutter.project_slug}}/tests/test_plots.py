"""The figures show what they are about: named models, a fitted axis, no empty cells."""

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import plots


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    """The figures the plotting functions save, kept open to look at."""
    figures = []
    monkeypatch.setattr(plots, "save", lambda figure, path: figures.append(figure) or path)
    return figures


def test_per_class_f1_names_the_models_and_fits_the_axis_to_the_values(drawn, tmp_path):
    f1 = {
        "CNN (PyTorch)": {str(i): 0.95 + 0.005 * i for i in range(10)},
        "RBF SVM on pixels": {str(i): 1.0 - 0.004 * i for i in range(10)},
    }
    plots.per_class(f1, tmp_path / "f1.png")
    (axes,) = drawn[0].axes
    assert [text.get_text() for text in axes.get_legend().get_texts()] == list(f1)
    assert axes.get_xlabel() == "Class" and axes.get_ylabel()
    bottom, top = axes.get_ylim()
    assert 0.85 <= bottom < 0.95 and top >= 1.0  # differences of 0.01 stay visible


def test_misclassified_grid_is_sized_to_the_errors(drawn, tmp_path):
    images = np.zeros((50, 1, 8, 8), dtype=np.float32)
    truth = np.zeros(50, dtype=int)
    probabilities = np.tile([0.9, 0.1], (50, 1))
    probabilities[[3, 7, 9]] = [0.2, 0.8]  # three errors
    plots.misclassified(images, truth, probabilities, ["0", "1"], tmp_path / "wrong.png")
    assert len(drawn[0].axes) == 3
    assert drawn[0]._suptitle.get_text() == "All 3 misclassified test images (of 50)"
    plots.misclassified(images, truth, np.tile([0.9, 0.1], (50, 1)), ["0", "1"], tmp_path / "w")
    assert "No test image of 50 was misclassified" in drawn[1].axes[0].texts[0].get_text()


def test_a_run_without_errors_still_gets_a_readable_figure(tmp_path):
    truth = np.zeros(50, dtype=int)
    path = plots.misclassified(
        np.zeros((50, 1, 8, 8)), truth, np.tile([0.9, 0.1], (50, 1)), ["0", "1"], tmp_path / "w.png"
    )
    png = path.read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 300 and height >= 150  # what mlscaffold's own end-to-end test asks of figures
