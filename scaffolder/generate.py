"""Generate a project: answers -> checks -> render into staging -> first commit -> move into place.

The user's target path either ends up holding a complete project or is left
exactly as it was: cookiecutter renders into a hidden staging folder beside the
target, and only a finished project is renamed into place. An existing
non-empty target is refused before anything is written, and never deleted.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffolder import answers as answers_
from scaffolder.catalog import Template
from scaffolder.contract import (
    AUTHOR_EMAIL,
    AUTHOR_NAME,
    GITHUB_USER,
    PACKAGE_NAME,
    placeholder,
)
from scaffolder.errors import GitError, InvalidInput, ScaffoldError, TargetExists
from scaffolder.interrupts import process_is_running
from scaffolder.record import write_record
from scaffolder.render import project_folder_name, render_project

if TYPE_CHECKING:
    from scaffolder.gitops import FirstCommit
    from scaffolder.train_step import Trained, TrainOptions

STAGING_SUFFIX = ".mlscaffold-staging"


@dataclass(frozen=True)
class ProjectRequest:
    """Everything one ``new`` run needs; the CLI builds it from its arguments."""

    template: Template
    output_dir: Path = Path(".")
    answers: Mapping[str, str] = field(default_factory=dict)
    no_input: bool = True
    git: bool = True
    record: Mapping[str, Any] = field(default_factory=dict)  # extra facts for .mlscaffold.json
    # --train: install, test and train the project before its first commit.
    train: TrainOptions | None = None
    # The first commit's author, for a template that asks for none (--author, --email).
    commit_author: tuple[str | None, str | None] = (None, None)
    # Progress lines (a trusted template's hooks and their output).
    notify: Callable[[str], None] | None = None
    # The project's folder, if not the name the template gives it (classroom: PREFIX-STUDENT).
    folder_name: str | None = None


@dataclass(frozen=True)
class Project:
    """A generated project, or (for a dry run) the project that would be generated."""

    path: Path
    context: dict[str, Any]
    files: list[str]
    author: str
    author_is_placeholder: bool
    commit: str | None = None
    # Whether the badge and links name no real GitHub account (your-github-username).
    links_are_placeholder: bool = False
    # Generated files the project's own .gitignore keeps out of the first commit.
    uncommitted: list[str] = field(default_factory=list)
    # What --train did (None without it).
    trained: Trained | None = None


def create_project(request: ProjectRequest) -> Project:
    """Generate the project *request* describes, commit it, and move it into place.

    Raises ``InvalidInput`` for bad answers or an occupied target (nothing is
    written), ``RenderError`` if rendering fails (nothing is left behind), and
    ``GitError`` if git fails (the project is kept, without a repository).
    With ``request.train``, see ``_create_and_train``.
    """
    from scaffolder import gitops

    if request.git:
        gitops.forget_callers_repository()  # called from a hook, git must not follow its GIT_DIR
    plan = _plan(request)
    if request.train is not None:
        return _create_and_train(request, plan, request.train)
    with _staged(request, plan) as (staged, files):
        commit, git_error = _first_commit(request, plan, staged)
        _move_into_place(staged, plan.path)
    if git_error is not None:
        raise _kept_without_git(git_error, plan.path)
    if commit is None:
        return plan.project(files)
    left_out = sorted(set(files) - set(commit.files))
    return replace(plan.project(commit.files, commit.sha), uncommitted=left_out)


def _create_and_train(request: ProjectRequest, plan: _Plan, options: TrainOptions) -> Project:
    """Generate the project, install, test and train it in place, then make the first commit.

    The steps need the project where it will stay (a virtual environment cannot
    move), so the render is moved into place first; if the run is interrupted
    (Ctrl-C, a signal, an unexpected error) before the commit is made, what was
    moved there is taken away again, and the target is as it was. A failing
    step (``StepFailed``) keeps the project and commits it as rendered, without
    results, then raises.
    """
    from scaffolder.errors import StepFailed
    from scaffolder.train_step import train_project

    failed: StepFailed | None = None
    trained = None
    with _staged(request, plan) as (staged, files):
        into_folder = plan.path.is_dir()  # the user's empty folder: it stays, emptied
        _move_into_place(staged, plan.path)
        try:
            try:
                trained = train_project(plan.path, plan.context, options)
            except StepFailed as exc:
                failed = exc
            commit, git_error = _first_commit(request, plan, plan.path)
        except BaseException:
            _take_back(plan.path, into_folder)
            raise
    if git_error is not None:
        raise _kept_without_git(git_error, plan.path)
    if failed is not None:
        committed = "committed without results" if commit else "kept without results"
        failed.add_note(
            f"(the project was {committed} at {plan.path}; fix that, then run the "
            "step again there in .venv and commit what it changes)"
        )
        raise failed
    if commit is None:
        return replace(plan.project(files), trained=trained)
    left_out = sorted(set(files) - set(commit.files))
    return replace(plan.project(commit.files, commit.sha), uncommitted=left_out, trained=trained)


@contextmanager
def _staged(request: ProjectRequest, plan: _Plan) -> Iterator[tuple[Path, list[str]]]:
    """Render the project into a staging folder beside the target; yield it and its files.

    Afterwards the staging folder is gone (moved into place, or removed), and an
    output folder made for it is removed again if nothing was moved into it.
    """
    output_dir = plan.path.parent
    created_output_dir = not output_dir.exists()
    try:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
            remove_stale_staging(output_dir, plan.path.name)
            staging = Path(
                tempfile.mkdtemp(
                    prefix=_staging_prefix(plan.path.name), suffix=STAGING_SUFFIX, dir=output_dir
                )
            )
        except OSError as exc:
            raise ScaffoldError(f"cannot write to {output_dir}: {exc.strerror or exc}") from exc
        staged = render_project(
            request.template, plan.context, staging, say=request.notify or (lambda message: None)
        )
        write_record(staged, request.template, plan.context, request.record)
        yield staged, _list_files(staged)
    finally:
        # Found by name, not by a variable: a signal may land just after mkdtemp.
        for folder in output_dir.glob(
            f"{glob.escape(_staging_prefix(plan.path.name))}*{STAGING_SUFFIX}"
        ):
            shutil.rmtree(folder, ignore_errors=True)
        if created_output_dir and not plan.path.exists():
            _remove_if_empty(output_dir)


def _first_commit(
    request: ProjectRequest, plan: _Plan, path: Path
) -> tuple[FirstCommit | None, GitError | None]:
    """Make the first commit of the project at *path* (unless ``--no-git``), or say why not.

    A failed git leaves no ``.git`` behind: the project is kept without a repository.
    """
    if not request.git:
        return None, None
    from scaffolder import gitops

    identity = gitops.Identity(*plan.identity)
    message = f"Initial commit from mlscaffold template {request.template.name}"
    try:
        return gitops.init_and_commit(path, identity, message), None
    except GitError as exc:
        shutil.rmtree(path / ".git", ignore_errors=True)
        return None, exc


def _kept_without_git(error: GitError, path: Path) -> GitError:
    return GitError(
        f"{error}; the project was written to {path} without a git repository "
        "(fix that, then run `git init` and commit there)"
    )


def _take_back(target: Path, into_folder: bool) -> None:
    """Remove the project moved to *target*: the folder itself, or (the user's) its contents."""
    if not into_folder:
        shutil.rmtree(target, ignore_errors=True)
        return
    for entry in target.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with suppress(OSError):
                entry.unlink()


def preview_project(request: ProjectRequest) -> Project:
    """Return the project *request* would generate, writing nothing at the target (``--dry-run``).

    The answers and the target are checked exactly as for a real run; the
    template is rendered in a temporary folder so the file list is the real one.
    """
    plan = _plan(request)
    with tempfile.TemporaryDirectory(prefix="mlscaffold-dry-run-") as scratch:
        # Without the hooks: a dry run runs none of the template's code.
        staged = render_project(request.template, plan.context, Path(scratch), run_hooks=False)
        write_record(staged, request.template, plan.context, request.record)
        files = _list_files(staged)
    return plan.project(files)


@dataclass(frozen=True)
class _Plan:
    path: Path
    context: dict[str, Any]
    author: str
    author_is_placeholder: bool

    links_are_placeholder: bool
    identity: tuple[str, str]  # the first commit's author

    def project(self, files: list[str], commit: str | None = None) -> Project:
        return Project(
            self.path,
            self.context,
            files,
            self.author,
            self.author_is_placeholder,
            commit,
            links_are_placeholder=self.links_are_placeholder,
        )


def _plan(request: ProjectRequest) -> _Plan:
    """Resolve and check the answers and the target; raise before anything is written."""
    template = request.template
    raw = template.raw_context
    if request.train is not None and not (template.made_for_mlscaffold and PACKAGE_NAME in raw):
        raise InvalidInput(
            f"--train runs the training of mlscaffold's templates (python -m PACKAGE train); "
            f"template {template.name} is not one of them, nor made from one (no _mlscaffold "
            "and package_name in its cookiecutter.json)"
        )
    defaults: dict[str, Any] = _git_author_defaults(raw, request.answers)
    defaults.update(_github_user_default(raw, request.answers))
    defaults.update(answers_.user_defaults())
    context = answers_.resolve_context(
        template, request.answers, defaults, interactive=not request.no_input
    )
    validator = template.load_validator()
    found = validator(context) if validator else []
    if found:
        raise InvalidInput(found[0][1])
    # Resolved, so that `-o ..` run from inside the target is seen to be the target.
    folder = request.folder_name or project_folder_name(template, context)
    target = (request.output_dir.resolve() / folder).absolute()
    try:
        _check_target(target)
    except OSError as exc:  # e.g. a path too long for the file system
        raise InvalidInput(f"cannot use {target}: {exc.strerror or exc}") from exc
    name, email = _author(context, request)
    # Still the template's own defaults ("Your Name"): nobody gave an author, or a GitHub user.
    unnamed = (name, email) == (placeholder(raw, AUTHOR_NAME), placeholder(raw, AUTHOR_EMAIL))
    unlinked = GITHUB_USER in context and context[GITHUB_USER] == placeholder(raw, GITHUB_USER)
    return _Plan(target, context, f"{name} <{email}>", unnamed, unlinked, (name, email))


def _git_author_defaults(raw: Mapping[str, Any], answers: Mapping[str, str]) -> dict[str, str]:
    """Offer the user's git identity as the author, unless the answers already give one."""
    wanted = [key for key in (AUTHOR_NAME, AUTHOR_EMAIL) if key in raw and key not in answers]
    if not wanted:
        return {}
    from scaffolder import gitops

    name, email = gitops.configured_identity()
    found = {AUTHOR_NAME: name, AUTHOR_EMAIL: email}
    return {key: value for key in wanted if (value := found[key])}


def _github_user_default(raw: Mapping[str, Any], answers: Mapping[str, str]) -> dict[str, str]:
    """Offer the user's GitHub login (from gh or git config) for the badge and links."""
    if GITHUB_USER not in raw or GITHUB_USER in answers:
        return {}
    from scaffolder.links import configured_login

    login = configured_login()
    return {GITHUB_USER: login} if login else {}


def _author(context: Mapping[str, Any], request: ProjectRequest) -> tuple[str, str]:
    """Return the first commit's author: the answers, else --author/--email, else git's.

    Never empty for a template with the validation hook, which refuses an empty
    author. For a template that asks for no author (a third party's), a run that
    makes a commit is refused here, before anything is written, when there is
    none to be had.
    """
    given_name, given_email = request.commit_author
    name = context.get(AUTHOR_NAME, given_name)
    email = context.get(AUTHOR_EMAIL, given_email)
    if (name is None or email is None) and request.git:
        from scaffolder import gitops

        configured_name, configured_email = gitops.configured_identity()
        name = configured_name if name is None else name
        email = configured_email if email is None else email
        if not name or not email:
            raise InvalidInput(
                f"template {request.template.name} asks for no author, and git has no "
                "user.name and user.email: give --author and --email for the first commit"
            )
    return str(name or ""), str(email or "")


def _check_target(target: Path) -> None:
    if target.is_symlink() and not target.exists():
        raise TargetExists(f"{target} is a symbolic link to something that does not exist")
    if not target.exists():
        if target.parent.exists() and not target.parent.is_dir():
            raise InvalidInput(f"output directory {target.parent} is a file, not a directory")
        return
    if not target.is_dir():
        raise TargetExists(f"{target} already exists and is not a directory")
    if any(target.iterdir()):
        raise TargetExists(
            f"directory {target} already exists and is not empty; mlscaffold never "
            "overwrites it (choose another name or --output-dir)"
        )


def _staging_prefix(name: str) -> str:
    # The pid in the name tells another run that the folder is in use.
    return f".{name}.{os.getpid()}-"


_STAGING_NAME = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)-[a-z0-9_]+" + re.escape(STAGING_SUFFIX))


def remove_stale_staging(output_dir: Path, name: str = "") -> None:
    """Remove staging folders that a killed run left in *output_dir* (for *name*, or all).

    A folder whose run is still going (its pid is alive) is left alone: two runs
    may share an output folder.
    """
    # Names are ".<name>.<pid>-<random><suffix>"; the dot after the name keeps
    # "ml-ada" from matching the staging folder of "ml-ada-l". One without a pid
    # was left by an older mlscaffold, and is stale.
    pattern = f".{name}.*{STAGING_SUFFIX}" if name else f".*{STAGING_SUFFIX}"
    for folder in output_dir.glob(pattern):
        found = _STAGING_NAME.fullmatch(folder.name)
        if found and (name and found["name"] != name or process_is_running(int(found["pid"]))):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _list_files(project: Path) -> list[str]:
    files: list[str] = []
    for root, dirs, names in os.walk(project):
        dirs[:] = [d for d in dirs if d != ".git"]
        files.extend(Path(root, n).relative_to(project).as_posix() for n in names)
    return sorted(files)


def _move_into_place(staged: Path, target: Path) -> None:
    """Rename *staged* to *target*; into *target* if it is an empty folder (the user's: kept)."""
    try:
        if not target.is_dir():
            os.rename(staged, target)
            return
        # The folder may be the user's working directory: it stays, the project moves in.
        if any(target.iterdir()):
            raise TargetExists(
                f"directory {target} was filled by something else while mlscaffold was "
                "rendering; mlscaffold never overwrites it (nothing was written)"
            )
        moved: list[Path] = []
        try:
            for entry in sorted(staged.iterdir()):
                os.rename(entry, target / entry.name)
                moved.append(entry)
        except BaseException:  # an OSError, or Ctrl-C half-way
            for entry in moved:  # put back what was moved: all or nothing
                with suppress(OSError):
                    os.rename(target / entry.name, entry)
            raise
    except OSError as exc:
        if target.is_dir() and any(target.iterdir()):
            raise TargetExists(
                f"directory {target} was made by something else while mlscaffold was "
                "rendering; mlscaffold never overwrites it (nothing was written)"
            ) from None
        raise TargetExists(f"cannot move the project into {target}: {exc.strerror or exc}") from exc


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):  # not empty, or already gone: leave it
        folder.rmdir()
