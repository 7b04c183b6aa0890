"""Git through GitPython: the user's identity, and a new repository with its first commit.

The commit always carries an explicit author and committer, so it works on a
machine with no global git identity and never depends on one.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from scaffolder.credentials import redact_secrets, redact_url
from scaffolder.errors import GitError
from scaffolder.interrupts import end_child_processes

BRANCH = "main"


# The variables by which a caller points git at *its* repository: git sets them for
# its hooks (GIT_INDEX_FILE in pre-commit, GIT_DIR in most), and scripts export
# them. mlscaffold works only on repositories it names by path, so a new project's
# files must never land in the caller's index or object store. This is git's own
# list of repository-local variables (`git rev-parse --local-env-vars`), less the
# config ones, which are the user's settings, plus GIT_NAMESPACE and GIT_QUARANTINE_PATH.
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
    "GIT_QUARANTINE_PATH",
)


def forget_callers_repository() -> None:
    """Remove the caller's repository-selecting variables from this process's environment.

    GitPython reads GIT_DIR and GIT_WORK_TREE from ``os.environ`` itself and
    passes the whole environment to every git it runs (it can add variables to a
    call, not remove them), so they cannot be left out where git is run. Each
    command calls this where it starts (``cli``), and so does each library entry
    point that runs git (``create_project``, ``publish``, ``update_project``),
    for callers from Python; importing this module, or any other function of
    it, changes no environment.
    """
    for name in REPOSITORY_VARIABLES:
        os.environ.pop(name, None)


def load_gitpython() -> ModuleType:
    """Import GitPython, turning its import-time failures into a ``GitError``.

    GitPython runs ``git version`` when it is imported: it raises if git is
    missing (an ImportError saying "Bad git executable"; it would defer that
    only if GIT_PYTHON_REFRESH said so, which is the user's to set) and also if
    git is present but cannot run, e.g. with a broken config. A failed import is
    tried again at the next call.
    """
    try:
        import git
    except Exception as exc:  # ImportError, wrapping a GitCommandError raised by its refresh
        if isinstance(exc, ImportError) and "Bad git executable" in str(exc):
            raise GitError("git is not installed or not on PATH") from exc
        cause = exc.__cause__ or exc
        detail = getattr(cause, "stderr", "") or str(cause)
        raise GitError(f"git failed: {_last_line(detail)}") from exc
    return git


def _last_line(detail: str) -> str:
    lines = [line.strip().strip("'").strip() for line in str(detail).splitlines() if line.strip()]
    text = lines[-1] if lines else "unknown error"
    return text.removeprefix("stderr: ").strip().strip("'")


def run_git(folder: Path, *args: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run git with *args* in *folder* through GitPython; return its status, output and errors.

    A status other than 0 is returned, not raised: for some commands it is an
    answer (``merge`` exits 1 on conflicts). Raises ``GitError`` only when git
    cannot run. Output is decoded as git wrote it (paths need not be UTF-8). A
    Ctrl-C or a signal ends the git running and what it started.
    """
    git = load_gitpython()
    command = [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args]
    try:
        code, raw_out, err = git.Git(folder).execute(
            command,
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
            env=dict(env or {}),
        )
    except git.GitCommandNotFound as exc:
        raise GitError("git is not installed or not on PATH") from exc
    except OSError as exc:
        raise GitError(f"git failed: {exc.strerror or exc}") from exc
    except BaseException:  # Ctrl-C, a signal: no git (or what it started) outlives us
        # Before git is reaped: what it started (a merge driver, a signer) is found
        # through it, and would be left running once it is gone.
        end_child_processes("git")
        raise
    return int(code), raw_out.decode("utf-8", "surrogateescape"), err


def complaint(stderr: str) -> str:
    """Git's own error lines, e.g. "gpg failed to sign the data; failed to write commit object"."""
    lines = [
        line.strip().removeprefix("stderr:").strip().strip("'").strip()
        for line in stderr.splitlines()
    ]
    said = [
        line.split(":", 1)[1].strip()
        for line in lines
        if line.startswith(("error:", "fatal:")) and line.split(":", 1)[1].strip()
    ]
    return "; ".join(dict.fromkeys(said)) if said else _last_line(stderr)


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
    One git process reads both.
    """
    try:
        git = load_gitpython()
    except GitError:
        return None, None
    try:
        listed = git.Git().config("-z", "--get-regexp", r"^user\.(name|email)$")
    except (git.GitError, OSError):  # neither is set (git exits 1), or git cannot run
        return None, None
    found: dict[str, str] = {}
    for entry in filter(None, listed.split("\0")):
        key, _, value = entry.partition("\n")
        found[key] = value  # the last one wins, as for `git config --get`
    return found.get("user.name", "").strip() or None, found.get("user.email", "").strip() or None


def configured_value(key: str) -> str | None:
    """Return the setting *key* of the user's git config, or None (unset, or no working git)."""
    try:
        git = load_gitpython()
    except GitError:
        return None
    try:
        return git.Git().config("--get", key).strip() or None
    except (git.GitError, OSError):
        return None


@dataclass(frozen=True)
class FirstCommit:
    """The commit ``init_and_commit`` made, and the files it holds."""

    sha: str
    files: list[str]


def init_and_commit(path: Path, author: Identity, message: str) -> FirstCommit:
    """Make *path* a git repository on branch ``main`` with one commit of every file in it.

    Real git makes the commit, so the user's config is honoured where it is the
    user's business (``index.version``, ``feature.manyFiles``, ``commit.gpgsign``:
    a commit is signed when signing works) and kept out where it would make the
    first commit differ from the render: no hook runs (neither the user's
    ``core.hooksPath`` nor an ``init.templateDir``'s), and the user's global
    excludes do not drop generated files. Only the project's own ``.gitignore``
    applies, as ``git add --all`` would. Raises ``GitError`` if git is missing or
    fails (e.g. signing fails).
    """
    git = load_gitpython()
    settings = _commit_settings(path)
    who = _as_author(author.name, author.email)
    repo = None
    try:
        with _git_failures():
            # --template= copies no hooks and no info/exclude from the user's init.templateDir.
            git.Git(path).init("--quiet", "--template=", f"--initial-branch={BRANCH}")
            repo = git.Repo(path)
            repo.git(c=settings).add("--all")
            repo.git(c=settings).commit("--no-verify", "--quiet", "-m", message, env=who)
            sha = repo.git.rev_parse("HEAD")
            files = repo.git(c=["core.quotePath=false"]).ls_files("-z").split("\0")
    finally:
        if repo is not None:
            repo.close()  # no git process of GitPython's outlives the commit
    return FirstCommit(sha.strip(), sorted(f for f in files if f))


def _commit_settings(path: Path) -> list[str]:
    """Return the ``-c`` settings of every commit mlscaffold makes in the repository at *path*."""
    private = path / ".git"
    return [
        # No hook of the user's runs: `--no-verify` skips only pre-commit and commit-msg.
        f"core.hooksPath={private / 'mlscaffold-no-hooks'}",
        f"core.excludesFile={private / 'mlscaffold-no-excludes'}",
        # Nothing may outlive the command: no fsmonitor daemon, no background gc.
        "core.fsmonitor=false",
        "gc.auto=0",
        "maintenance.auto=false",
    ]


def commit_files(repo: Any, files: list[str], message: str) -> str:
    """Commit the changes to *files* (paths in the work tree) on the current branch.

    The author is the author of the branch's last commit, the project's own, so
    a commit mlscaffold makes for the user is theirs; no hook runs, as for the
    first commit. Returns the new commit's SHA. Raises ``GitError`` if git fails.
    """
    settings = _commit_settings(Path(repo.working_tree_dir))
    with _git_failures():
        name, email = repo.git.log("-1", "--format=%an%x00%ae").split("\0")
        repo.git(c=settings).add("--", *files)
        who = _as_author(name, email)
        repo.git(c=settings).commit("--no-verify", "--quiet", "-m", message, env=who)
        return str(repo.git.rev_parse("HEAD")).strip()


def _as_author(name: str, email: str) -> dict[str, str]:
    """Return the environment that makes *name* <*email*> the author and committer."""
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


@contextmanager
def _git_failures() -> Iterator[None]:
    """Turn git's failures in the block into ``GitError``; on Ctrl-C, end the git running."""
    git = load_gitpython()
    try:
        yield
    except git.GitCommandNotFound as exc:
        raise GitError("git is not installed or not on PATH") from exc
    except git.GitCommandError as exc:
        raise GitError(f"git failed: {complaint(exc.stderr or str(exc))}") from exc
    except (git.GitError, OSError, ValueError) as exc:
        raise GitError(f"git failed: {exc}") from exc
    except BaseException:  # Ctrl-C, a signal: the git running now must not outlive the run
        end_child_processes("git")
        raise


def changed_files(repo: Any) -> set[str]:
    """Return the tracked files whose work-tree or staged content differs from the last commit."""
    listed = repo.git(c=["core.quotePath=false"]).diff("HEAD", "--name-only", "-z")
    return {name for name in listed.split("\0") if name}


def open_repository(path: Path, branch: str = BRANCH) -> Any:
    """Return the GitPython repository at *path*, checking that *branch* has commits."""
    git = load_gitpython()
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
        return str(repo.remote(name).url)
    except ValueError:
        return None


def set_remote(repo: Any, url: str, name: str = "origin") -> None:
    """Point the remote *name* at *url*, creating it if needed."""
    git = load_gitpython()
    try:
        if remote_url(repo, name) is None:
            repo.create_remote(name, url)
        else:
            repo.remote(name).set_url(url)
    except git.GitCommandError as exc:
        raise GitError(f"git failed: {redact_url(_last_line(exc.stderr or str(exc)))}") from None
    except git.GitError as exc:  # e.g. UnsafeProtocolError for an ext:: URL
        raise GitError(
            f"git refused the remote {redact_url(url)}: {_last_line(str(exc))}"
        ) from None


@dataclass(frozen=True)
class BasicAuth:
    """Credentials for one push over HTTP(S); the password never appears in a repr."""

    username: str
    password: str = field(repr=False)

    def header(self) -> str:
        """Return the value of the ``Authorization`` header git sends."""
        pair = f"{self.username}:{self.password}".encode()
        return f"basic {base64.b64encode(pair).decode()}"

    def secrets(self) -> list[str]:
        """Every form of the password that git's messages could show."""
        return [s for s in (self.password, self.header().split()[1]) if s]


# A server that stops answering must not hang a push: git gives up when fewer than
# LIMIT bytes a second arrive for TIME seconds (unless the user set these).
LOW_SPEED_LIMIT, LOW_SPEED_TIME = "1000", "60"


class RemoteNotFound(GitError):
    """Raised when the server answers a push with "repository not found".

    GitHub says so for a repository it created a moment ago and has not made
    ready yet, as well as for one that does not exist or the token cannot see.
    """


# What git prints when the server answers 404 (git's "fatal: repository '...' not found";
# GitHub adds "remote: Repository not found."), and what mlscaffold says instead.
_NOT_FOUND = re.compile(r"fatal: repository '.*' not found|remote: repository not found\.?", re.I)
_NOT_FOUND_TEXT = "the server says there is no such repository (or the token cannot see it)"


def push(repo: Any, remote: str, branch: str = BRANCH, auth: BasicAuth | None = None) -> None:
    """Push *branch* to *remote* and track it; with *auth*, authenticate over HTTP(S).

    The credentials reach git through its environment for this one call (an HTTP
    header scoped to the remote's host, with redirects turned off so they cannot
    follow one to another server), never through the remote URL or a config
    file; git may not prompt, so nothing hangs waiting for a password. Raises
    ``RemoteNotFound`` when the server says there is no such repository, and
    ``GitError`` for any other failure.
    """
    git = load_gitpython()
    url = _url_of(repo, remote)
    try:
        repo.git.push("--set-upstream", remote, f"{branch}:{branch}", env=_env(url, auth))
    except git.GitCommandError as exc:
        reason = _push_error(exc)
        failure = RemoteNotFound if reason == _NOT_FOUND_TEXT else GitError
        detail = _redacted(reason, auth)
        raise failure(f"the push to {redact_url(url)} failed: {detail}") from None
    except BaseException:  # Ctrl-C: no push goes on after the run has stopped
        end_child_processes("git")
        raise


def remote_has_refs(repo: Any, remote: str, auth: BasicAuth | None = None) -> bool:
    """Whether *remote* already holds any branch or tag (an empty repository holds none)."""
    git = load_gitpython()
    url = _url_of(repo, remote)
    try:
        return bool(repo.git.ls_remote(remote, env=_env(url, auth)).strip())
    except git.GitCommandError as exc:
        detail = _redacted(_push_error(exc), auth)
        raise GitError(f"cannot read {redact_url(url)}: {detail}") from None
    except BaseException:  # Ctrl-C: the git holding the credentials stops with the run
        end_child_processes("git")
        raise


def remote_environment(url: str, auth: BasicAuth | None) -> dict[str, str]:
    """Return the environment of one git call that talks to *url* (fetch, push, clone).

    As every push of mlscaffold's: no prompt, no hang on a stalled server, and
    with *auth* the credentials as an HTTP header scoped to *url*'s host (git
    follows no redirect with them), for that call only, never in a file.
    """
    return _env(url, auth)


def remote_failure(stderr: str, status: int, url: str, auth: BasicAuth | None) -> str:
    """Return what went wrong in a git call to *url*, in git's words, with no credential in it."""
    return _redacted(_push_failure(stderr, status), auth)


def _url_of(repo: Any, remote: str) -> str:
    return remote_url(repo, remote) or remote


def _env(url: str, auth: BasicAuth | None) -> dict[str, str]:
    """Environment for a git call that talks to *url*: no prompt, no hang, scoped credentials."""
    env = {"GIT_TERMINAL_PROMPT": "0"}
    for name, value in (
        ("GIT_HTTP_LOW_SPEED_LIMIT", LOW_SPEED_LIMIT),
        ("GIT_HTTP_LOW_SPEED_TIME", LOW_SPEED_TIME),
    ):
        env[name] = os.environ.get(name) or value
    if auth is None or not url.lower().startswith(("https://", "http://")):
        return env
    scheme, _, rest = url.partition("://")
    host_prefix = f"{scheme}://{rest.split('/', 1)[0].rpartition('@')[2]}/"
    # Add to any GIT_CONFIG_COUNT entries the user already has, rather than replace them.
    count = os.environ.get("GIT_CONFIG_COUNT", "0").strip()
    index = int(count) if count.isdigit() else 0
    settings = [
        (f"http.{host_prefix}.extraheader", f"AUTHORIZATION: {auth.header()}"),
        # git would repeat the header to wherever the server redirects it.
        ("http.followRedirects", "false"),
    ]
    for offset, (key, value) in enumerate(settings):
        env[f"GIT_CONFIG_KEY_{index + offset}"] = key
        env[f"GIT_CONFIG_VALUE_{index + offset}"] = value
    env["GIT_CONFIG_COUNT"] = str(index + len(settings))
    return env


def _redacted(text: str, auth: BasicAuth | None) -> str:
    return redact_url(redact_secrets(text, auth.secrets() if auth else []))


def _push_error(exc: Any) -> str:
    return _push_failure(str(exc.stderr or ""), exc.status)


def _push_failure(stderr: str, status: object) -> str:
    # The useful part of git's complaint: the rejected ref and what the server said, or the fatal.
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # GitPython puts "stderr: '" before git's first line and "'" after its last.
    lines = [line.removeprefix("stderr:").strip().strip("'").strip() for line in lines]
    rejected = [line.lstrip("! ").strip() for line in lines if "rejected" in line]
    said = [line.removeprefix("remote:").strip() for line in lines if line.startswith("remote:")]
    said = [line for line in said if line]
    fatal = [line for line in lines if line.startswith("fatal:")]
    everything = " ".join(lines)
    if "Operation too slow" in everything or "timed out" in everything.lower():
        return (
            "the server stopped answering (git gives up below "
            f"{os.environ.get('GIT_HTTP_LOW_SPEED_LIMIT') or LOW_SPEED_LIMIT} bytes/s for "
            f"{os.environ.get('GIT_HTTP_LOW_SPEED_TIME') or LOW_SPEED_TIME} s); check your "
            "network, then run the same command again"
        )
    if re.search(r"returned error: 30[1278]", everything):
        return (
            "the server answered with a redirect, which mlscaffold does not let git follow "
            "with your credentials; push to the address it redirects to instead"
        )
    if rejected:
        return rejected[0] + (f" (the server said: {'; '.join(said[:2])})" if said else "")
    if any(_NOT_FOUND.fullmatch(line) for line in lines):
        return _NOT_FOUND_TEXT
    if fatal:
        return fatal[-1]
    return _last_line("\n".join(lines) or f"exit status {status}")
