"""Shared fixtures: one training run, reused by the tests that need a trained model."""

import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.data import load
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.threads import pin_threads
from {{ cookiecutter.package_name }}.train import train

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    pin_threads()  # as every command does: the same numbers on any machine


@pytest.fixture(scope="session")
def cases():
    return load()


@pytest.fixture(scope="session")
def trained_project(tmp_path_factory, cases):
    """A copy of the README and model card, and one training run (2 CV repeats) into it."""
    folder = tmp_path_factory.mktemp("project")
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, folder / name)
    payload = train(cases, project_dir=folder, repeats=2, steps=Steps(6, quiet=True))
    return folder, payload
