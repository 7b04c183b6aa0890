"""Git through GitPython: the user's identity, and a new repository with its first commit.

The commit always carries an explicit author and committer, so it works on a
machine with no global git identity and never depends on one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from scaffolder.errors import GitError

BRANCH = "main"


def _gitpython() -> ModuleType:
    """Import GitPython, turning its import-time failures into a ``GitError``.

    GitPython runs ``git version`` when it is imported: it raises if git is
    missing (unless GIT_PYTHON_REFRESH is "quiet", which defers that to the first
    call) and also if git is present but cannot run, e.g. with a broken config.
    """
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    try:
        import git
    except Exception as exc:  # ImportError, or GitCommandError raised by its refresh
        cause = exc.__cause__ or exc
        detail = getattr(cause, "stderr", "") or str(cause)
        raise GitError(f"git failed: {_last_line(detail)}") from exc
    return git


def _last_line(detail: str) -> str:
    lines = [line.strip().strip("'").strip() for line in str(detail).splitlines() if line.strip()]
    text = lines[-1] if lines else "unknown error"
    return text.removeprefix("stderr: ").strip().strip("'")


@dataclass(frozen=True)
class Identity:
    """A git author: name and email."""

    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def configured_identity() -> tuple[str | None, str | None]:
    """Return ``user.name`` and ``user.email`` from the user's git config, or None for each.

    Asks git itself, so every place git reads its config from (system, global,
    XDG, ``GIT_CONFIG_GLOBAL``) counts; a missing or broken git yields (None, None).
    """
    try:
        git = _gitpython()
    except GitError:
        return None, None
    values: list[str | None] = []
    for key in ("user.name", "user.email"):
        try:
            values.append(git.Git().config("--get", key).strip() or None)
        except (git.GitError, OSError):
            values.append(None)
    return values[0], values[1]


def init_and_commit(path: Path, author: Identity, message: str) -> str:
    """Make *path* a git repository on branch ``main`` with one commit of every file in it.

    Files that the project's ``.gitignore`` excludes are left out, as ``git add
    --all`` would. Returns the commit's SHA; raises ``GitError`` if git is
    missing or fails.
    """
    git = _gitpython()
    actor = git.Actor(author.name, author.email)
    try:
        repo = git.Repo.init(path, initial_branch=BRANCH)
        repo.git.add("--all")
        commit = repo.index.commit(message, author=actor, committer=actor)
    except git.GitCommandNotFound as exc:
        raise GitError("git is not installed or not on PATH") from exc
    except git.GitCommandError as exc:
        raise GitError(f"git failed: {_last_line(exc.stderr or str(exc))}") from exc
    except (git.GitError, OSError) as exc:
        raise GitError(f"git failed: {exc}") from exc
    return commit.hexsha
