"""Shared fixtures: one small training run, reused by the tests that need a trained model."""

import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import SEED
from {{ cookiecutter.package_name }}.data import make_synthetic
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.threads import pin_threads
from {{ cookiecutter.package_name }}.train import train

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Small but not tiny: 1.5 % frauds give ~120 frauds in the test split, enough for
# the model-beats-baseline comparison to be stable; the full set takes ~10 s.
SMALL_ROWS, SMALL_FRAUDS = 40_000, 600


def pytest_configure(config):
    pin_threads()  # as every command does: the same numbers on any machine


@pytest.fixture(scope="session")
def small_frame():
    return make_synthetic(SMALL_ROWS, SMALL_FRAUDS, seed=SEED)


@pytest.fixture(scope="session")
def trained_project(tmp_path_factory, small_frame):
    """A copy of the project's README and model card, and one training run into that folder."""
    folder = tmp_path_factory.mktemp("project")
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, folder / name)
    dataset = {"name": "synthetic", "description": "a small synthetic set"}
    payload = train(small_frame, dataset, project_dir=folder, steps=Steps(5, quiet=True))
    return folder, payload
