"""Shared fixtures: one training run, reused by the tests that need a trained model."""

import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.data import load
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.threads import pin_threads
from {{ cookiecutter.package_name }}.train import train

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Lighter than `train` (5-fold x 1 instead of x 3, 2 shuffles a feature instead of 10)
# so that the suite stays fast; the same code runs, on the same cases and splits.
FIXTURE_RUN = {"repeats": 1, "importance_repeats": 2}


def pytest_configure(config):
    pin_threads()  # as every command does: the same numbers on any machine


@pytest.fixture(scope="session")
def cases():
    return load()


@pytest.fixture(scope="session")
def retrain(cases):
    """A function that trains as the shared run does, into a folder it is given."""

    def again(folder: Path) -> dict:
        return train(cases, project_dir=folder, steps=Steps(6, quiet=True), **FIXTURE_RUN)

    return again


@pytest.fixture(scope="session")
def trained_project(tmp_path_factory, retrain):
    """A copy of the README and model card, and one training run into it."""
    folder = tmp_path_factory.mktemp("project")
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, folder / name)
    return folder, retrain(folder)
