"""``classroom collect``: every student's work, cloned for marking, at the head or at a deadline.

Each ``ORG/PREFIX-HANDLE`` is cloned into ``DIR/<repository>`` (through a hidden
staging folder, renamed into place, so a killed run leaves no half-clone under
the real name), or fetched if it is there already: a rerun never clones twice.
The work tree is then the default branch's head, or with ``--at`` the commit
that was the head at that time. Commit times are set by the student's machine,
so where GitHub records pushes (the repository activity API) the deadline is
judged by push time; elsewhere by commit time, and the report says which.
A missing repository, or one the token cannot see, is a row of the report
(``collect-report.csv`` / ``.json``), never a crash.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from scaffolder import gitops
from scaffolder.class_repos import (
    ClassRepositories,
    Opened,
    StudentWork,
    make_folder,
    remote_git,
)
from scaffolder.credentials import Token
from scaffolder.errors import InvalidInput, ScaffoldError
from scaffolder.report import Report
from scaffolder.update import Repository

REPORT_NAME = "collect-report"
REPORT_CSV = f"{REPORT_NAME}.csv"
REPORT_JSON = f"{REPORT_NAME}.json"
FIELDS = (
    "line",
    "student",
    "repository",
    "status",
    "commit",
    "commit_time",
    "pushed_at",
    "chosen_by",
    "path",
    "error",
)
PUSH_TIME = "push time"
COMMIT_TIME = "commit time (set by the student's machine)"


class CollectStatus(StrEnum):
    """Where one student's work stands; written to the report as its value."""

    PENDING = "pending"
    CLONED = "cloned"
    FETCHED = "fetched"  # there from an earlier run: fetched, and moved to the commit
    NO_COMMITS = "no-commits"  # empty, or nothing pushed before --at
    MISSING = "missing"  # no such repository, or the token cannot see it
    FAILED = "failed"


@dataclass(frozen=True)
class CollectRow:
    """One row of the collect report."""

    line: int
    student: str
    repository: str = ""
    status: CollectStatus = CollectStatus.PENDING
    commit: str = ""
    commit_time: str = ""
    pushed_at: str = ""  # when GitHub received the push that made *commit* the head
    chosen_by: str = ""  # how --at chose the commit: PUSH_TIME or COMMIT_TIME
    path: str = ""
    error: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", CollectStatus(self.status))


@dataclass(frozen=True)
class CollectRequest:
    """A collect run's settings; the CLI builds it from its options."""

    repositories: ClassRepositories
    output_dir: Path
    at: datetime.datetime | None = None  # aware; None: the default branch's head


def parse_time(text: str) -> datetime.datetime:
    """Return the ISO 8601 time *text* (``--at``); without an offset, in this machine's zone."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"--at {text!r} is not an ISO 8601 time, e.g. 2026-11-30T23:59:00+01:00"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def run_collect(
    request: CollectRequest,
    token: Token | None = None,
    *,
    notify: Callable[[str], None] = lambda message: None,
) -> list[CollectRow]:
    """Clone or fetch every student's repository and check out the commit asked for.

    Raises ``InvalidInput`` for an unusable roster or option and ``GitHubError``
    without a token, before anything is written; a problem with one student is
    that student's row.
    """
    gitops.forget_callers_repository()  # called from a hook, git must not follow its GIT_DIR
    opened = request.repositories.open(token, notify)
    make_folder(request.output_dir)
    report = Report(request.output_dir, REPORT_NAME, FIELDS, tuple(CollectStatus), CollectRow)
    work = _Collect(request.repositories, opened, request)
    return work.run(report, lambda name: {"path": str((request.output_dir / name).resolve())})


class _Collect(StudentWork[CollectRow]):
    """One run's work on each student: look up, clone or fetch, check out."""

    row_type = CollectRow
    failed_status = CollectStatus.FAILED

    def __init__(
        self, repositories: ClassRepositories, opened: Opened, request: CollectRequest
    ) -> None:
        super().__init__(repositories, opened)
        self.folder = request.output_dir
        self.at = request.at

    def work(self, row: CollectRow) -> CollectRow:
        """Clone or fetch one student's repository and check out the commit asked for."""
        org, name = self.org, row.repository
        info = self.github.repository(org, name)
        if info is None:
            return replace(
                row,
                status=CollectStatus.MISSING,
                error=self.missing(name),
            )
        default = str(info.get("default_branch") or gitops.BRANCH)
        url = str(info["clone_url"])
        target = self.folder / name
        self.step()
        status = CollectStatus.FETCHED if target.exists() else CollectStatus.CLONED
        repo = self._fetch(target, url, default) if target.exists() else self._clone(name, url)
        tracking = f"refs/remotes/origin/{default}"
        if not repo.exists(tracking):
            return replace(row, status=CollectStatus.NO_COMMITS, error=f"{default} has no commits")
        commit, pushed_at, chosen_by = self._choose(repo, name, default, tracking)
        if commit is None:
            when = self.at.isoformat() if self.at else ""
            return replace(
                row, status=CollectStatus.NO_COMMITS, error=f"nothing on {default} before {when}"
            )
        _check_out(repo, target, default, tracking, commit, detach=self.at is not None)
        time = repo.out("log", "-1", "--format=%cI", commit).strip()
        return replace(
            row,
            status=status,
            commit=commit,
            commit_time=time,
            pushed_at=pushed_at,
            chosen_by=chosen_by,
        )

    def _clone(self, name: str, url: str) -> Repository:
        """Clone into a staging folder, then rename it into place: never a half-clone."""
        staging = self.folder / f".{name}.collect-partial"
        shutil.rmtree(staging, ignore_errors=True)  # left by a killed run
        here = Repository.bare(self.folder)
        # --template=: no hook of the user's init.templateDir comes into the clone.
        remote_git(here, url, self.auth, "clone", "--quiet", "--template=", url, str(staging))
        staging.rename(self.folder / name)
        return Repository.open(self.folder / name)

    def _fetch(self, target: Path, url: str, default: str) -> Repository:
        try:
            repo = Repository.open(target)
        except InvalidInput:
            raise ScaffoldError(f"{target} is there and is not a git repository") from None
        origin = repo.run("remote", "get-url", "origin", ok=None)[1].strip()
        if origin != url:
            raise ScaffoldError(f"{target} is there and is not a clone of {url}; move it away")
        refspec = f"+refs/heads/{default}:refs/remotes/origin/{default}"
        remote_git(repo, url, self.auth, "fetch", "--quiet", "--no-tags", "origin", refspec)
        return repo

    def _choose(
        self, repo: Repository, name: str, default: str, tracking: str
    ) -> tuple[str | None, str, str]:
        """Return the commit to check out, when it was pushed (if known), and how it was chosen."""
        if self.at is None:
            return repo.out("rev-parse", tracking).strip(), "", ""
        pushes = self.github.pushes(self.org, name, default)
        for push in pushes or []:  # newest first
            with suppress(ValueError):
                when = datetime.datetime.fromisoformat(push["timestamp"])
                if when <= self.at and repo.exists(push["after"]):
                    return push["after"], push["timestamp"], PUSH_TIME
        if pushes and len(pushes) < 100:  # every push is known: none came before --at
            return None, "", PUSH_TIME
        found = repo.out(
            "rev-list", "-1", "--first-parent", f"--before={self.at.isoformat()}", tracking
        ).strip()
        return found or None, "", COMMIT_TIME


def _check_out(
    repo: Repository, target: Path, default: str, tracking: str, commit: str, *, detach: bool
) -> None:
    """Make *commit* the work tree: detached (``--at``), else the default branch, fast-forwarded.

    Refused (nothing changed) if the work tree holds changes, or the local
    branch has commits the student's has not: collect never overwrites them.
    """
    dirty = repo.out("--no-optional-locks", "status", "--porcelain", "--untracked-files=no")
    if dirty.strip():
        raise ScaffoldError(
            f"{target} has local changes; commit or stash them (collect never overwrites them)"
        )
    if detach:
        repo.run("checkout", "--quiet", "--detach", commit)
        return
    if not repo.exists(f"refs/heads/{default}"):
        repo.run("checkout", "--quiet", "-b", default, tracking)
        return
    repo.run("checkout", "--quiet", default)
    code, _, _ = repo.run("merge", "--ff-only", "--quiet", tracking, ok=None)
    if code != 0:
        raise ScaffoldError(
            f"{target}'s {default} has commits the student's has not; it was left as it is"
        )
