"""Datasets load as N x C x H x W floats in [0, 1]; a folder of your images works too."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from {{ cookiecutter.package_name }}.data import DataError, load_folder, read_image


def test_digits(digits):
    assert digits.images.shape == (1797, 1, 8, 8) and digits.images.dtype == np.float32
    assert digits.images.min() >= 0.0 and digits.images.max() <= 1.0
    assert digits.classes == [str(i) for i in range(10)]
    assert np.bincount(digits.labels).min() >= 170


def draw_shapes(folder, per_class=6, size=40):
    """Write PNG and JPEG files of circles and squares, one sub-folder each, in varied sizes."""
    for shape in ("circle", "square"):
        (folder / shape).mkdir(parents=True)
        for i in range(per_class):
            image = Image.new("RGB", (size + 3 * i, size + 2 * i), "white")
            box = (8 + i, 8, size - 8 + i, size - 8)
            draw = ImageDraw.Draw(image)
            (draw.ellipse if shape == "circle" else draw.rectangle)(box, fill="black")
            image.save(folder / shape / f"{i}.{'png' if i % 2 else 'jpg'}")


def test_folder_of_own_images(tmp_path):
    draw_shapes(tmp_path / "images")
    data = load_folder(tmp_path / "images", size=16)
    assert data.classes == ["circle", "square"]
    assert data.images.shape == (12, 1, 16, 16)
    assert np.bincount(data.labels).tolist() == [6, 6]
    assert load_folder(tmp_path / "images", size=16, color=True).shape == (3, 16, 16)


def test_folder_with_too_few_images_is_refused(tmp_path):
    draw_shapes(tmp_path / "images", per_class=3)
    with pytest.raises(DataError, match="has 3 image"):
        load_folder(tmp_path / "images")


def test_unreadable_image_is_refused(tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_text("not an image")
    with pytest.raises(DataError, match="photo.png is not a readable image"):
        read_image(fake, 8)


def test_missing_file_and_folder_are_named_as_such(tmp_path):
    with pytest.raises(DataError, match="missing.png does not exist"):
        read_image(tmp_path / "missing.png", 8)
    with pytest.raises(DataError, match="is a folder, not an image file"):
        read_image(tmp_path, 8)


def test_dark_on_light_is_inverted_to_match_the_training_images(tmp_path):
    image = Image.new("L", (32, 32), 255)
    ImageDraw.Draw(image).line((16, 4, 16, 28), fill=0, width=5)
    image.save(tmp_path / "one.png")
    pixels = read_image(tmp_path / "one.png", 8, dark_background=True)
    assert pixels[0, 0, 0] < 0.1 and pixels[0, 4, 4] > 0.5  # black background, light stroke
