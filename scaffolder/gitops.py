"""Git through GitPython: the user's identity, and a new repository with its first commit.

The commit always carries an explicit author and committer, so it works on a
machine with no global git identity and never depends on one.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

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


def open_repository(path: Path, branch: str = BRANCH) -> Any:
    """Return the GitPython repository at *path*, checking that *branch* has commits."""
    git = _gitpython()
    try:
        repo = git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"{path} is not a git repository (was it made with --no-git?)") from None
    if branch not in [head.name for head in repo.heads]:
        raise GitError(f"{path} has no branch {branch!r} with commits to publish")
    return repo


def remote_url(repo: Any, name: str = "origin") -> str | None:
    """Return the URL of the remote called *name*, or None when there is none."""
    try:
        return repo.remote(name).url
    except ValueError:
        return None


def set_remote(repo: Any, url: str, name: str = "origin") -> None:
    """Point the remote *name* at *url*, creating it if needed."""
    git = _gitpython()
    try:
        if remote_url(repo, name) is None:
            repo.create_remote(name, url)
        else:
            repo.remote(name).set_url(url)
    except git.GitCommandError as exc:
        raise GitError(f"git failed: {_last_line(exc.stderr or str(exc))}") from exc


def push(repo: Any, remote: str, branch: str = BRANCH, token: str | None = None) -> None:
    """Push *branch* to *remote* and track it; with *token*, authenticate as GitHub expects.

    The token reaches git through its environment for this one call (an HTTP
    header scoped to the remote's host), never through the remote URL or a config
    file, and git may not prompt, so nothing hangs waiting for a password.
    """
    git = _gitpython()
    env = {"GIT_TERMINAL_PROMPT": "0", **_auth_env(_url_of(repo, remote), token)}
    try:
        repo.git.push("--set-upstream", remote, f"{branch}:{branch}", env=env)
    except git.GitCommandError as exc:
        raise GitError(f"the push to {_url_of(repo, remote)} failed: {_push_error(exc)}") from None


def remote_has_refs(repo: Any, remote: str, token: str | None = None) -> bool:
    """Whether *remote* already holds any branch or tag (an empty repository holds none)."""
    git = _gitpython()
    env = {"GIT_TERMINAL_PROMPT": "0", **_auth_env(_url_of(repo, remote), token)}
    try:
        return bool(repo.git.ls_remote(remote, env=env).strip())
    except git.GitCommandError as exc:
        raise GitError(f"cannot read {_url_of(repo, remote)}: {_push_error(exc)}") from None


def _url_of(repo: Any, remote: str) -> str:
    return remote_url(repo, remote) or remote


def _auth_env(url: str, token: str | None) -> dict[str, str]:
    """Environment that makes git send *token* to *url*'s host only, as actions/checkout does."""
    if not token or not url.startswith(("https://", "http://")):
        return {}
    scheme, _, rest = url.partition("://")
    host_prefix = f"{scheme}://{rest.split('/', 1)[0]}/"
    credentials = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    # Add to any GIT_CONFIG_COUNT entries the user already has, rather than replace them.
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"http.{host_prefix}.extraheader",
        f"GIT_CONFIG_VALUE_{index}": f"AUTHORIZATION: basic {credentials}",
    }


def _push_error(exc: Any) -> str:
    # The useful part of git's complaint: the rejected ref and what the server said, or the fatal.
    lines = [line.strip() for line in str(exc.stderr or "").splitlines() if line.strip()]
    lines = [line.strip("'").strip() for line in lines]
    rejected = [line.lstrip("! ").strip() for line in lines if "rejected" in line]
    said = [line.removeprefix("remote:").strip() for line in lines if line.startswith("remote:")]
    said = [line for line in said if line]
    fatal = [line for line in lines if line.startswith("fatal:")]
    if rejected:
        return rejected[0] + (f" (the server said: {'; '.join(said[:2])})" if said else "")
    if fatal:
        return fatal[-1]
    return _last_line("\n".join(lines) or f"exit status {exc.status}")
