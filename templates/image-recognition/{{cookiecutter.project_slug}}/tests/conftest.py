"""Shared fixtures: the digits, and one training run on them."""

import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.data import load_digits_set
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.threads import pin_threads
from {{ cookiecutter.package_name }}.train import train

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    pin_threads()  # as every command does: the same numbers on any machine


@pytest.fixture(scope="session")
def digits():
    return load_digits_set()


@pytest.fixture(scope="session")
def trained_project(tmp_path_factory, digits):
    """A copy of the README and model card, and one full training run into that folder."""
    folder = tmp_path_factory.mktemp("project")
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, folder / name)
    payload = train(digits, project_dir=folder, steps=Steps(4, quiet=True))
    return folder, payload
