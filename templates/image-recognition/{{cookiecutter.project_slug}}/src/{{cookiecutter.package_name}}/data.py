"""Image datasets as arrays: N x channels x height x width, floats in [0, 1], integer labels.

- ``digits`` (default): scikit-learn's 1,797 handwritten digits, 8 x 8, bundled, no network.
- ``mnist`` and ``fashion-mnist``: 70,000 images of 28 x 28 through scikit-learn's OpenML
  fetcher, downloaded once (with OpenML's checksum) and cached as arrays in data/processed/.
- ``folder``: your own images, one sub-folder per class (``data/images/cat/*.jpg``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

RAW_DIR = Path("data", "raw")
PROCESSED_DIR = Path("data", "processed")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
# OpenML ids: MNIST (mnist_784, version 1) and Fashion-MNIST (version 1); both
# hold 784 pixel columns (28 x 28) and then the class.
OPENML_PIXELS = 784
OPENML_SETS = {
    "mnist": (554, [str(i) for i in range(10)]),
    "fashion-mnist": (
        40996,
        [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ],
    ),
}
MIN_PER_CLASS = 5  # enough for a stratified train / validation / test split


class DataError(ValueError):
    """Raised when images are missing, unreadable, or too few to learn from."""


@dataclass(frozen=True)
class ImageSet:
    """Images, labels and what they mean."""

    images: np.ndarray  # float32, N x C x H x W, in [0, 1]
    labels: np.ndarray  # int64, N
    classes: list[str]
    name: str
    description: str
    dark_background: bool  # light strokes on black, as digits and MNIST are

    @property
    def shape(self) -> tuple[int, int, int]:
        """Channels, height and width of one image."""
        return tuple(self.images.shape[1:])


def load_digits_set() -> ImageSet:
    """scikit-learn's 8 x 8 digits (UCI optdigits test set): real, small, offline."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None]
    return ImageSet(
        images,
        bunch.target.astype(np.int64),
        [str(c) for c in bunch.target_names],
        "digits",
        "scikit-learn's handwritten digits (1,797 images, 8 x 8)",
        True,
    )


def load_openml_set(
    name: str, processed_dir: Path = PROCESSED_DIR, raw_dir: Path = RAW_DIR
) -> ImageSet:
    """MNIST or Fashion-MNIST from OpenML, cached as a compressed array file after the first run."""
    data_id, classes = OPENML_SETS[name]
    cache = processed_dir / f"{name}.npz"
    if not cache.is_file():
        from sklearn.datasets import fetch_openml

        try:
            x, y = fetch_openml(
                data_id=data_id,
                as_frame=False,
                return_X_y=True,
                data_home=str(raw_dir / "openml"),
                parser="pandas",
                # Read the class column as text: with pandas 3, scikit-learn's ARFF
                # reader makes numeric class labels integer categories, then fails on them.
                read_csv_kwargs={"dtype": {OPENML_PIXELS: str}},
            )
        except OSError as exc:  # URLError and friends: no network
            raise DataError(f"could not download {name} from OpenML ({exc})") from exc
        side = int(round(np.sqrt(x.shape[1])))
        images = np.asarray(x, dtype=np.float32).reshape(-1, 1, side, side) / 255.0
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache, images=images, labels=np.asarray(y).astype(np.int64))
    saved = np.load(cache)
    images, labels = saved["images"], saved["labels"]
    size = images.shape[-1]
    return ImageSet(
        images,
        labels,
        classes,
        name,
        f"{name} from OpenML ({len(labels):,} images, {size} x {size})",
        True,
    )


def load_folder(folder: Path, size: int = 32, color: bool = False) -> ImageSet:
    """Your own images: one sub-folder per class, any size, resized to *size* x *size*."""
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder")
    class_dirs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(class_dirs) < 2:
        raise DataError(f"{folder} needs at least two sub-folders, one per class")
    images, labels = [], []
    for label, class_dir in enumerate(class_dirs):
        files = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if len(files) < MIN_PER_CLASS:
            raise DataError(
                f"class {class_dir.name!r} has {len(files)} image(s); each needs {MIN_PER_CLASS}"
            )
        for file in files:
            images.append(read_image(file, size, color))
            labels.append(label)
    return ImageSet(
        np.stack(images),
        np.array(labels, dtype=np.int64),
        [p.name for p in class_dirs],
        "folder",
        f"your images in {folder} ({len(labels):,} images, {size} x {size})",
        False,
    )


def read_image(
    path: Path, size: int | tuple[int, int], color: bool = False, dark_background: bool = False
) -> np.ndarray:
    """Read one image file as a C x H x W float array in [0, 1], resized to *size*.

    With *dark_background*, an image drawn dark on light (a digit on paper) is
    inverted to look like the training data (light on black).
    """
    height, width = (size, size) if isinstance(size, int) else size
    if path.is_dir():
        raise DataError(f"{path} is a folder, not an image file")
    if not path.exists():
        raise DataError(f"{path} does not exist")
    try:
        with Image.open(path) as image:
            image = image.convert("RGB" if color else "L").resize((width, height), Image.BILINEAR)
            pixels = np.asarray(image, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(f"{path} is not a readable image ({exc.__class__.__name__})") from exc
    pixels = pixels.transpose(2, 0, 1) if color else pixels[None]
    if dark_background:
        border = np.concatenate(
            [
                pixels[:, 0].ravel(),
                pixels[:, -1].ravel(),
                pixels[:, :, 0].ravel(),
                pixels[:, :, -1].ravel(),
            ]
        )
        if border.mean() > 0.5:
            pixels = 1.0 - pixels
    return pixels
