"""Fixtures for mlscaffold's tests: an isolated home, git identity and cookiecutter config."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from scaffolder.cli import cli

REPO_ROOT = Path(__file__).resolve().parent.parent
AUTHOR = ["--author", "Ada Lovelace", "--email", "ada@example.com", "--github-user", "ada"]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Give every test its own HOME and an empty global git config.

    The machine's identity must never leak into a test: mlscaffold has to work
    on a machine with no git identity at all.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("COOKIECUTTER_CONFIG", raising=False)
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def git_identity(isolated_home):
    """Set a global git identity in the isolated home."""
    (isolated_home / ".gitconfig").write_text(
        "[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n"
    )
    return "Grace Hopper", "grace@example.com"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the mlscaffold command in-process and return click's Result."""

    def run(*args: str, **kwargs):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)

    return run


def git(path: Path, *args: str) -> str:
    """Run git in *path* and return its stripped output."""
    return subprocess.run(
        ["git", *args], cwd=path, check=True, capture_output=True, text=True
    ).stdout.strip()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under *folder* (except .git) with its bytes, keyed by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }
