"""The students' repositories of a published class, for the runs that come after day one.

``classroom sync`` and ``classroom collect`` both start from the roster, the
prefix and the organisation that ``classroom --publish`` used: the same
``ORG/PREFIX-HANDLE`` names, the same token rules (the token of the API's
host), one GitHub client whose limits and write pacing every student shares,
and students worked on in threads that stop cleanly on Ctrl-C or SIGTERM,
with the report written after every student.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, Generic, TypeVar

from slugify import slugify

from scaffolder import gitops
from scaffolder.credentials import Token, redact
from scaffolder.destination import Destination
from scaffolder.errors import GitError, InvalidInput, ScaffoldError, printable
from scaffolder.github import GitHub, Interrupted
from scaffolder.interrupts import end_child_processes, in_threads
from scaffolder.report import Report, Row
from scaffolder.roster import Roster, Student, read_roster
from scaffolder.update import Repository

RowT = TypeVar("RowT", bound=Row)


@dataclass(frozen=True)
class Opened:
    """A run under way: its roster, its GitHub client and token, and the event that stops it."""

    roster: Roster
    github: GitHub
    token: Token
    stop: threading.Event


@dataclass(frozen=True)
class ClassRepositories:
    """Which repositories: the roster's students, as ``ORG/PREFIX-HANDLE``, on which GitHub."""

    roster: Path
    prefix: str
    org: str
    api_url: str | None = None  # --api-url as typed; None: GITHUB_API_URL, else github.com's
    jobs: int = 4

    def destination(self) -> Destination:
        """Where the repositories live (the API root is chosen there, once)."""
        return Destination(org=self.org, api_url=self.api_url)

    def check(self) -> str:
        """Refuse a bad prefix, organisation or API root before anything is read; return the API."""
        api = self.destination().api()
        prefix = slugify(self.prefix)
        if not prefix or not prefix[0].isalpha():
            raise InvalidInput(f"the prefix {self.prefix!r} must start with a letter")
        return api

    def open(self, token: Token | None, notify: Callable[[str], None]) -> Opened:
        """Read the roster, find the token and make the run's client; raise if there is no token.

        The client is stopped by the event returned: once it is set (Ctrl-C), it
        sends no content-creating request more and its waits end at once.
        """
        self.check()
        roster = read_roster(self.roster, ())
        api, found = self.destination().settle(token)
        assert found is not None  # settle raises without one
        stop = threading.Event()
        # GitHub asks for a second between content-creating requests of one user.
        github = GitHub(found, api, notify=notify, write_interval=1.0, stop=stop)
        return Opened(roster, github, found, stop)

    def repository(self, student: Student) -> str:
        """Return the name of *student*'s repository, as ``classroom`` named it."""
        return slugify(f"{slugify(self.prefix)}-{student.key}")


class StudentWork(Generic[RowT]):
    """One run's work on each student of a class, in threads, with its report.

    A subclass says what a row is (*row_type*, whose first fields are ``line``,
    ``student`` and ``repository``, with ``status`` and ``error``), which status
    is a failure, and what ``work`` does with one student's row.
    """

    row_type: Callable[..., RowT]
    failed_status: Enum
    # What the row of a student still in flight when the run is interrupted says.
    interrupted_error = "interrupted: run the same command again to finish"

    def __init__(self, repositories: ClassRepositories, opened: Opened) -> None:
        self.repositories = repositories
        self.org = repositories.org
        self.github = opened.github
        self.token = opened.token
        self.stop = opened.stop
        self.roster = opened.roster
        # git's fetches and pushes carry it as GitHub's git server wants it (a header, scoped).
        self.auth = gitops.BasicAuth("x-access-token", opened.token.value)

    def work(self, row: RowT) -> RowT:
        """Do the run's work on the student of *row*; return the row as it ends."""
        raise NotImplementedError

    def failed(self, row: RowT, error: str) -> RowT:
        """*row* failed with *error* (shown as one line, with no token in it)."""
        clean = printable(redact(error, [self.token]))
        return replace(row, status=self.failed_status, error=clean)  # type: ignore[type-var]

    def missing(self, name: str) -> str:
        """Say that the repository *name* is not there (or not to be seen with the token)."""
        return f"no repository {self.org}/{name} on GitHub, or the token has no access to it"

    def step(self) -> None:
        """Raise ``Interrupted`` once the run is interrupted: call it between steps."""
        if self.stop.is_set():
            raise Interrupted("the run was interrupted")

    def run(
        self, report: Report[RowT], extra: Callable[[str], dict[str, Any]] = lambda name: {}
    ) -> list[RowT]:
        """Work on every student of the roster in up to ``jobs`` threads; report each row.

        *extra* gives a repository's further fields of its first row. On Ctrl-C
        or a termination signal no student is started any more, those in flight
        get a moment to finish their step, each still running is reported as
        interrupted, the report is written, and the interruption goes on.
        """
        roster = self.roster
        for problem in roster.problems:
            report.put(self.failed(self.row_type(problem.line, problem.student), problem.error))
        rows: dict[str, RowT] = {}
        for student in roster.students:
            name = self.repositories.repository(student)
            rows[student.key] = self.row_type(student.line, student.display, name, **extra(name))
            report.put(rows[student.key])

        def finished(student: Student, row: RowT) -> None:
            rows[student.key] = row
            report.put(row)

        def abandoned(student: Student) -> None:
            rows[student.key] = self.failed(rows[student.key], self.interrupted_error)
            report.put(rows[student.key])

        try:
            in_threads(
                roster.students,
                lambda student: self._guarded(rows[student.key]),
                jobs=self.repositories.jobs,
                stop=self.stop,
                finished=finished,
                abandoned=abandoned,
            )
        except BaseException:
            end_child_processes("git")  # the fetches and pushes of abandoned students stop too
            raise
        finally:
            report.write()  # also on Ctrl-C: what was done is on record
        return report.rows()

    def _guarded(self, row: RowT) -> RowT:
        try:
            return self.work(row)
        except Interrupted:
            return self.failed(row, self.interrupted_error)
        except ScaffoldError as exc:
            return self.failed(row, str(exc))


def remote_git(repo: Repository, url: str, auth: gitops.BasicAuth, *args: str) -> None:
    """Run the git command *args* (a fetch, a push, a clone) that talks to *url* with *auth*.

    The token goes as a header scoped to *url*'s host, for this call only (never
    into a URL or a config file); a failure is a ``GitError`` in git's words,
    without it.
    """
    env = gitops.remote_environment(url, auth)
    code, _, err = repo.run(*args, env=env, ok=None)
    if code != 0:
        detail = gitops.remote_failure(err, code, url, auth)
        raise GitError(f"git {args[0]} of {url} failed: {detail}")


def make_folder(folder: Path) -> None:
    """Create *folder* and the folders above it; a failure is one line (exit status 1)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScaffoldError(f"cannot write to {folder}: {exc.strerror or exc}") from None
