"""Shared fixtures: the synthetic ratings and one training run on them."""

import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import SEED
from {{ cookiecutter.package_name }}.data import make_synthetic, read_ratings, read_titles
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.threads import pin_threads
from {{ cookiecutter.package_name }}.train import train

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    pin_threads()  # as every command does: the same numbers on any machine


@pytest.fixture(scope="session")
def synthetic_folder(tmp_path_factory):
    return make_synthetic(tmp_path_factory.mktemp("synthetic"), seed=SEED)


@pytest.fixture(scope="session")
def ratings(synthetic_folder):
    return read_ratings(synthetic_folder / "u.data")


@pytest.fixture(scope="session")
def trained_project(tmp_path_factory, synthetic_folder, ratings):
    """A copy of the README and model card, and one training run into that folder."""
    folder = tmp_path_factory.mktemp("project")
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, folder / name)
    titles = read_titles(synthetic_folder / "u.item")
    dataset = {"name": "synthetic", "description": "the synthetic set"}
    payload = train(ratings, titles, dataset, project_dir=folder, steps=Steps(5, quiet=True))
    return folder, payload
