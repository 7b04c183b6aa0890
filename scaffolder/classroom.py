"""One personalised starter repository per student, from a roster; resumable, with a report.

Each student gets ``<prefix>-<handle>``: a project generated with the student as
its author and a random seed of their own (so no two repositories are alike),
committed, and with ``--publish`` created in the organisation, pushed, and shared
with the student. The report (CSV and JSON in the output folder) is rewritten
after every student, so a run stopped at any point can be run again with the
same command: finished students are skipped, half-finished ones completed, and
nothing is made twice.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from slugify import slugify

from scaffolder.answers import check_given
from scaffolder.catalog import Template
from scaffolder.contract import AUTHOR_EMAIL, AUTHOR_NAME, GITHUB_USER, PROJECT_NAME, RANDOM_SEED
from scaffolder.credentials import Token
from scaffolder.destination import Destination
from scaffolder.errors import InvalidInput, ScaffoldError, printable
from scaffolder.generate import ProjectRequest, create_project, remove_stale_staging
from scaffolder.github import GitHub, Interrupted
from scaffolder.interrupts import (
    die_with_parent,
    end_child_processes,
    held_signals,
    in_threads,
    let_signals_through,
)
from scaffolder.publish import PublishRequest, publish
from scaffolder.record import read_record
from scaffolder.report import Flush, Report
from scaffolder.roster import Student, read_roster

REPORT_NAME = "classroom-report"
REPORT_CSV = f"{REPORT_NAME}.csv"
REPORT_JSON = f"{REPORT_NAME}.json"
FIELDS = ("line", "student", "name", "email", "repository", "status", "path", "url", "error")

# Called when a phase starts, with its label and length; returns a context manager
# that yields a function to call once per finished student (e.g. a progress bar).
PhaseReporter = Callable[[str, int], AbstractContextManager[Callable[[], None]]]


@dataclass(frozen=True)
class ClassroomRequest:
    """A classroom run's settings; the CLI builds it from its options."""

    template: Template
    roster: Path
    output_dir: Path
    prefix: str
    settings: Mapping[str, str] = field(default_factory=dict)
    publish: bool = False
    org: str | None = None
    private: bool | None = None  # None: private
    api_url: str | None = None  # --api-url as typed; None: GITHUB_API_URL, else github.com's
    jobs: int = 4

    def check(self) -> None:
        """Refuse options that do not go together (before anything is read or written)."""
        if self.org is not None and not self.publish:
            raise InvalidInput("--org is for --publish")
        if self.publish:
            _destination(self).api()  # a bad --api-url (or GITHUB_API_URL) or --org, first


class Status(StrEnum):
    """Where one student's repository stands; written to the report as its value."""

    PENDING = "pending"
    GENERATED = "generated"
    PUBLISHED = "published"
    FAILED = "failed"


@dataclass(frozen=True)
class StudentResult:
    """One row of the report."""

    line: int
    student: str
    name: str = ""
    email: str = ""
    repository: str = ""
    status: Status = Status.PENDING
    path: str = ""
    url: str = ""
    error: str = ""

    def __post_init__(self) -> None:
        # A row read back from an earlier run's report holds the status as text.
        object.__setattr__(self, "status", Status(self.status))


@contextmanager
def _silent_phase(label: str, total: int) -> Iterator[Callable[[], None]]:
    yield lambda: None


def run_classroom(
    request: ClassroomRequest,
    token: Token | None = None,
    *,
    notify: Callable[[str], None] = lambda message: None,
    phase: PhaseReporter = _silent_phase,
) -> list[StudentResult]:
    """Generate (and with ``request.publish``, publish) every student's repository.

    Raises ``InvalidInput`` when the roster or the options are unusable as a whole;
    a problem with one student is recorded in that student's row instead.
    """
    request.check()
    prefix = slugify(request.prefix)
    if not prefix or not prefix[0].isalpha():
        raise InvalidInput(f"the prefix {request.prefix!r} must start with a letter")
    check_given(request.template, request.settings)  # --set: wrong for every student alike
    reserved = set_for_each_student(request.template)
    for key in request.settings:
        if key in reserved:
            raise InvalidInput(f"--set {key} cannot be used with classroom: {reserved[key]}")
    # A roster column may still give one student's seed.
    per_student = {k: v for k, v in reserved.items() if k != RANDOM_SEED}
    roster = read_roster(request.roster, request.template.variables, per_student)
    if request.publish and not request.org:
        raise InvalidInput("--publish needs --org, the organisation that will own the repositories")
    if request.publish:
        api, token = _destination(request).settle(token)
        request = replace(request, api_url=api)  # settled once, for every student
    if roster.ignored_columns:
        notify(f"Ignoring roster column(s): {', '.join(roster.ignored_columns)}")

    try:
        request.output_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(request.output_dir)  # left by a run that was killed
    except OSError as exc:
        raise ScaffoldError(
            f"cannot write to {request.output_dir}: {exc.strerror or exc}"
        ) from None
    report = _new_report(request.output_dir)
    earlier = report.load_previous()
    for problem in roster.problems:
        failed = StudentResult(
            problem.line, problem.student, status=Status.FAILED, error=problem.error
        )
        report.put(failed, Flush.LATER)
    rows = {s.key: _start_row(s, prefix, request.output_dir) for s in roster.students}
    for row in rows.values():
        report.put(row, Flush.LATER)

    try:
        with phase("Generating", len(roster.students)) as tick:

            def generated(key: str, row: StudentResult) -> None:
                rows[key] = row
                # A generated project is its own record (a rerun reads the folder), so
                # the report need not be rewritten after every one of a fast phase.
                report.put(row, Flush.PERIODICALLY)
                tick()

            _generate_all(request, roster.students, rows, generated)
        if request.publish and token is not None:  # a token was required above
            _publish_all(request, token, roster.students, rows, earlier, report, notify, phase)
    finally:
        report.write()  # also on Ctrl-C: what was done is on record
    return report.rows()


def set_for_each_student(template: Template) -> dict[str, str]:
    """Return the variables classroom sets itself for every student, each with the reason.

    A ``--set`` or a roster column for one of them would be overwritten, or would
    break the repository's name and the report's paths, so both are refused.
    """
    reasons = {
        PROJECT_NAME: "each repository is named PREFIX-STUDENT (choose the prefix with --prefix)",
        AUTHOR_NAME: "each student is the author of their own repository "
        "(the roster's 'name' column)",
        AUTHOR_EMAIL: "each student is the author of their own repository "
        "(the roster's 'email' column)",
        RANDOM_SEED: f"each student gets a seed of their own (a '{RANDOM_SEED}' roster "
        "column sets one student's)",
        GITHUB_USER: "the badges and links point to --org, else to the student's handle",
    }
    found = {key: why for key, why in reasons.items() if key in template.variables}
    for key, default in template.raw_context.items():
        derived = isinstance(default, str) and ("{{" in default or "{%" in default)
        if derived and not key.startswith("_"):
            found.setdefault(key, "it is derived from the repository's name")
    return found


def _new_report(folder: Path) -> Report[StudentResult]:
    statuses = (Status.GENERATED, Status.PUBLISHED, Status.FAILED, Status.PENDING)
    return Report(folder, REPORT_NAME, FIELDS, statuses, StudentResult)


def _destination(request: ClassroomRequest) -> Destination:
    """Where every student's repository is created: in the organisation, private by default."""
    private = True if request.private is None else request.private
    return Destination(org=request.org, private=private, api_url=request.api_url)


def _start_row(student: Student, prefix: str, output_dir: Path) -> StudentResult:
    repository = slugify(f"{prefix}-{student.key}")
    return StudentResult(
        line=student.line,
        student=student.display,
        name=student.name or "",
        email=student.email or "",
        repository=repository,
        path=str((output_dir / repository).resolve()),
    )


def student_seed(prefix: str, student: Student) -> str:
    """Return a seed of the student's own: stable across reruns, different for each student."""
    digest = hashlib.sha256(f"{prefix}/{student.key}".encode()).digest()
    return str(int.from_bytes(digest[:4], "big"))


def _answers(request: ClassroomRequest, student: Student, repository: str) -> dict[str, str]:
    handle = student.github
    answers = {
        **request.settings,
        PROJECT_NAME: repository,
        AUTHOR_NAME: student.name or handle or student.key,
        AUTHOR_EMAIL: student.email
        or (f"{handle}@users.noreply.github.com" if handle else f"{student.key}@example.com"),
        RANDOM_SEED: student_seed(request.prefix, student),
    }
    owner = request.org or handle  # whose GitHub the badges and links point to
    if owner:
        answers[GITHUB_USER] = owner
    answers.update(student.variables)  # the roster's own columns win
    return {k: v for k, v in answers.items() if k in request.template.variables}


def _generate_all(
    request: ClassroomRequest,
    students: list[Student],
    rows: dict[str, StudentResult],
    done: Callable[[str, StudentResult], None],
) -> None:
    """Generate each student's project, calling ``done(student key, row)`` as each one ends.

    Generation is CPU- and file-bound and cookiecutter changes the working folder,
    so up to ``request.jobs`` worker processes share it. At most that many students
    are in flight at once: after an interruption no queued work runs on, and the
    students in flight finish (or abort and clean up) and are passed to *done*
    as their folders show them, so the report says exactly what exists.
    """
    workers = min(request.jobs, len(students))
    if workers < 2 or not _can_fork():
        for student in students:
            done(student.key, _generate(request, student, rows[student.key]))
        return
    by_key = {student.key: student for student in students}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_remember_parent, initargs=(os.getpid(),)
    ) as pool:
        waiting = list(students)
        running: dict[Future[StudentResult], str] = {}
        in_flight: set[str] = set()  # submitted, not yet passed to done()
        try:
            # Ctrl-C and SIGTERM are let through only between the pool's calls: raised
            # inside submit() or wait(), they can leave a lock of the pool's held, and
            # the shutdown below would then wait forever.
            with held_signals() as let_through:
                while waiting or running:
                    while waiting and len(running) < workers:
                        student = waiting.pop(0)
                        in_flight.add(student.key)
                        future = pool.submit(
                            _generate_in_worker, request, student, rows[student.key]
                        )
                        running[future] = student.key
                    let_through()
                    finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        key = running.pop(future)
                        done(key, future.result())
                        in_flight.discard(key)
        except BaseException:  # the signals are no longer held: a second one ends the run
            # Queued work never starts; what runs finishes (or aborts and cleans up).
            # Only then do the folders say what exists.
            pool.shutdown(wait=True, cancel_futures=True)
            for key in sorted(in_flight):
                student, row = by_key[key], rows[key]
                if _is_this_students(Path(row.path), request, student):
                    done(key, replace(row, status=Status.GENERATED))
            raise


def _can_fork() -> bool:
    # fork is safe only with no other thread running (e.g. a test's HTTP server).
    return sys.platform.startswith("linux") and threading.active_count() == 1


_PARENT: list[int] = []


def _remember_parent(pid: int) -> None:
    let_signals_through()  # forked while the parent held them back
    _PARENT.append(pid)
    die_with_parent(pid)  # a SIGKILLed run must not leave its workers (and their git) behind


def _generate_in_worker(
    request: ClassroomRequest, student: Student, row: StudentResult
) -> StudentResult:
    if _PARENT and os.getppid() != _PARENT[0]:  # the run was killed: start nothing new
        return replace(row, status=Status.FAILED, error="the run was interrupted")
    return _generate(request, student, row)


def _generate(request: ClassroomRequest, student: Student, row: StudentResult) -> StudentResult:
    path = Path(row.path)
    if _is_this_students(path, request, student):
        return replace(row, status=Status.GENERATED)  # done by an earlier run
    try:
        occupied = path.exists() and (not path.is_dir() or any(path.iterdir()))
    except OSError as exc:
        return replace(row, status=Status.FAILED, error=f"cannot use {path}: {exc.strerror or exc}")
    if occupied:
        return replace(row, status=Status.FAILED, error=f"{path} exists and is not this student's")
    project = ProjectRequest(
        template=request.template,
        output_dir=request.output_dir,
        answers=_answers(request, student, row.repository),
        record={"classroom": {"prefix": request.prefix, "student": student.key}},
        # Named PREFIX-STUDENT whatever the template's folder is called (a third party's).
        folder_name=path.name,
    )
    try:
        create_project(project)
    except OSError as exc:  # e.g. the folder vanished under the run
        return replace(row, status=Status.FAILED, error=printable(f"cannot write {path}: {exc}"))
    except ScaffoldError as exc:
        if _is_this_students(path, request, student):  # finished meanwhile by a killed run
            return replace(row, status=Status.GENERATED)
        return replace(row, status=Status.FAILED, error=printable(str(exc)))
    return replace(row, status=Status.GENERATED)


def _is_this_students(path: Path, request: ClassroomRequest, student: Student) -> bool:
    record = read_record(path) or {}
    made_for = record.get("classroom")
    ours = isinstance(made_for, dict) and made_for.get("student") == student.key
    return ours and record.get("template") == request.template.name


def _publish_all(
    request: ClassroomRequest,
    token: Token,
    students: list[Student],
    rows: dict[str, StudentResult],
    earlier: dict[str, StudentResult],
    report: Report[StudentResult],
    notify: Callable[[str], None],
    phase: PhaseReporter,
) -> None:
    # Set on Ctrl-C: the client then creates nothing more, and its waits end at once.
    stop = threading.Event()
    api = _destination(request).api()
    github = GitHub(token, api, notify=notify, write_interval=1.0, stop=stop)
    todo = []
    for student in students:
        row = rows[student.key]
        previous = earlier.get(row.repository)
        if row.status is not Status.GENERATED:
            continue
        if previous is not None and previous.status is Status.PUBLISHED:
            rows[student.key] = replace(row, status=Status.PUBLISHED, url=previous.url)
            report.put(rows[student.key])
        else:
            todo.append(student)

    with phase("Publishing", len(todo)) as tick:

        def finished(student: Student, row: StudentResult) -> None:
            rows[student.key] = row
            report.put(row)
            tick()

        def abandoned(student: Student) -> None:
            rows[student.key] = replace(
                rows[student.key],
                status=Status.FAILED,
                error="interrupted while publishing (the repository may exist): run the same "
                "command again to finish",
            )
            report.put(rows[student.key])

        try:
            in_threads(
                todo,
                lambda s: _publish_one(request, token, github, s, rows[s.key], notify, stop),
                jobs=request.jobs,
                stop=stop,
                finished=finished,
                abandoned=abandoned,
            )
        except BaseException:
            end_child_processes("git")  # the pushes of abandoned students stop with the run
            raise


def _publish_one(
    request: ClassroomRequest,
    token: Token,
    github: GitHub,
    student: Student,
    row: StudentResult,
    notify: Callable[[str], None],
    stop: threading.Event,
) -> StudentResult:
    """Create, push and share one student's repository; stop between steps once *stop* is set."""
    if not student.github:
        return replace(
            row, status=Status.FAILED, error="no GitHub handle: cannot share the repository"
        )
    published = None
    try:
        if not github.user_exists(student.github):
            return replace(
                row, status=Status.FAILED, error=f"no GitHub user named {student.github}"
            )
        if stop.is_set():
            return row  # interrupted before anything was made: still only generated
        target = PublishRequest(
            project=Path(row.path),
            destination=_destination(request),
            # No --existing: an earlier run's repository is known by origin or by the
            # intent it recorded; one made by anyone else is never taken over.
        )
        published = publish(target, token, notify, github=github)
        if stop.is_set():
            raise Interrupted("the run was interrupted")
        github.add_collaborator(request.org or "", row.repository, student.github, "push")
    except Interrupted:
        if published is None and not _has_origin(Path(row.path)):
            return row  # stopped while waiting for its turn to create: nothing was made
        if published is None:  # created, and stopped while waiting to push
            return replace(
                row,
                status=Status.FAILED,
                error="interrupted after creating the repository, before pushing: run the "
                "same command again to finish",
            )
        return replace(
            row,
            status=Status.FAILED,
            url=published.url,
            error=f"interrupted after pushing, before inviting {student.github}: run the same "
            "command again to finish",
        )
    except ScaffoldError as exc:
        return replace(row, status=Status.FAILED, error=printable(str(exc)))
    return replace(row, status=Status.PUBLISHED, url=published.url)


def _has_origin(project: Path) -> bool:
    """Whether publishing got as far as pointing *project*'s origin at a new repository."""
    from scaffolder import gitops

    try:
        repo = gitops.open_repository(project)
    except ScaffoldError:
        return False
    try:
        return gitops.remote_url(repo) is not None
    finally:
        repo.close()
