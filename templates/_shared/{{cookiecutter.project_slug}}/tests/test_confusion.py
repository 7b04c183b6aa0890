"""The confusion matrix's cells: shares that are small but not zero never read as none."""

import numpy as np

from {{ cookiecutter.package_name }}.confusion import confusion_matrix_figure, share_text


def test_a_tiny_share_is_not_printed_as_zero():
    assert share_text(3 / 56_000) == "<0.1%"
    assert share_text(1 - 3 / 56_000) == ">99.9%"
    assert share_text(0.0) == "0.0%"
    assert share_text(1.0) == "100.0%"
    assert share_text(0.25) == "25.0%"


def test_every_cell_of_an_imbalanced_matrix_shows_its_count_and_share():
    matrix = np.array([[56_826, 3], [38, 75]])
    figure = confusion_matrix_figure(matrix, ["legit", "fraud"], "Test")
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "False positives\n3\n<0.1%" in texts
    assert "True negatives\n56,826\n>99.9%" in texts
    assert "False negatives\n38\n33.6%" in texts
