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
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from slugify import slugify

from scaffolder import gitops
from scaffolder.credentials import Token
from scaffolder.destination import Destination
from scaffolder.errors import GitError, InvalidInput
from scaffolder.github import GitHub
from scaffolder.interrupts import end_child_processes, in_threads
from scaffolder.report import Report, Row
from scaffolder.roster import Roster, Student, read_roster
from scaffolder.update import Repository

RowT = TypeVar("RowT", bound=Row)


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

    def open(
        self, token: Token | None, notify: Callable[[str], None]
    ) -> tuple[Roster, GitHub, Token, threading.Event]:
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
        return roster, github, found, stop

    def repository(self, student: Student) -> str:
        """Return the name of *student*'s repository, as ``classroom`` named it."""
        return slugify(f"{slugify(self.prefix)}-{student.key}")


def each_student(
    students: list[Student],
    rows: dict[str, RowT],
    work: Callable[[Student, RowT], RowT],
    *,
    jobs: int,
    stop: threading.Event,
    report: Report[RowT],
    interrupted: Callable[[RowT], RowT],
) -> None:
    """Run ``work(student, row)`` for every student in up to *jobs* threads; report each row.

    On Ctrl-C or a termination signal no student is started any more, those in
    flight get a moment to finish their step, and each still running is
    reported as ``interrupted(row)``; then the interruption goes on.
    """

    def finished(student: Student, row: RowT) -> None:
        rows[student.key] = row
        report.put(row)

    def abandoned(student: Student) -> None:
        rows[student.key] = interrupted(rows[student.key])
        report.put(rows[student.key])

    try:
        in_threads(
            students,
            lambda student: work(student, rows[student.key]),
            jobs=jobs,
            stop=stop,
            finished=finished,
            abandoned=abandoned,
        )
    except BaseException:
        end_child_processes("git")  # the fetches and pushes of abandoned students stop too
        raise


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
