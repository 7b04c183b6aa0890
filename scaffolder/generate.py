"""Generate a project: answers -> checks -> render into staging -> first commit -> move into place.

The user's target path either ends up holding a complete project or is left
exactly as it was: cookiecutter renders into a hidden staging folder beside the
target, and only a finished project is renamed into place. An existing
non-empty target is refused before anything is written, and never deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder import answers as answers_
from scaffolder.catalog import Template
from scaffolder.errors import GitError, InvalidInput, ScaffoldError, TargetExists
from scaffolder.record import write_record
from scaffolder.render import render_project

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


@dataclass(frozen=True)
class Project:
    """A generated project, or (for a dry run) the project that would be generated."""

    path: Path
    context: dict[str, Any]
    files: list[str]
    author: str
    author_is_placeholder: bool
    commit: str | None = None


def create_project(request: ProjectRequest) -> Project:
    """Generate the project *request* describes, commit it, and move it into place.

    Raises ``InvalidInput`` for bad answers or an occupied target (nothing is
    written), ``RenderError`` if rendering fails (nothing is left behind), and
    ``GitError`` if git fails (the project is kept, without a repository).
    """
    from scaffolder import gitops

    plan = _plan(request)
    output_dir = plan.path.parent
    created_output_dir = not output_dir.exists()
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(output_dir, plan.path.name)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{plan.path.name}.", suffix=STAGING_SUFFIX, dir=output_dir)
        )
    except OSError as exc:
        raise ScaffoldError(f"cannot write to {output_dir}: {exc.strerror or exc}") from exc

    git_error: GitError | None = None
    commit: str | None = None
    moved = False
    try:
        staged = render_project(request.template, plan.context, staging)
        write_record(staged, request.template, plan.context, request.record)
        files = _list_files(staged)
        if request.git:
            identity = gitops.Identity(*_author(plan.context))
            message = f"Initial commit from mlscaffold template {request.template.name}"
            try:
                commit = gitops.init_and_commit(staged, identity, message)
            except GitError as exc:
                git_error = exc
                shutil.rmtree(staged / ".git", ignore_errors=True)
        _move_into_place(staged, plan.path)
        moved = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not moved and created_output_dir:
            _remove_if_empty(output_dir)
    if git_error is not None:
        raise GitError(
            f"{git_error}; the project was written to {plan.path} without a git repository"
        )
    return plan.project(files, commit)


def preview_project(request: ProjectRequest) -> Project:
    """Return the project *request* would generate, writing nothing at the target (``--dry-run``).

    The answers and the target are checked exactly as for a real run; the
    template is rendered in a temporary folder so the file list is the real one.
    """
    plan = _plan(request)
    with tempfile.TemporaryDirectory(prefix="mlscaffold-dry-run-") as scratch:
        staged = render_project(request.template, plan.context, Path(scratch))
        write_record(staged, request.template, plan.context, request.record)
        files = _list_files(staged)
    return plan.project(files)


@dataclass(frozen=True)
class _Plan:
    path: Path
    context: dict[str, Any]
    author: str
    author_is_placeholder: bool

    def project(self, files: list[str], commit: str | None = None) -> Project:
        return Project(
            self.path, self.context, files, self.author, self.author_is_placeholder, commit
        )


def _plan(request: ProjectRequest) -> _Plan:
    """Resolve and check the answers and the target; raise before anything is written."""
    template = request.template
    raw = template.raw_context
    defaults: dict[str, Any] = _git_author_defaults(raw, request.answers)
    defaults.update(answers_.user_defaults())
    context = answers_.resolve_context(
        template, request.answers, defaults, interactive=not request.no_input
    )
    validator = template.load_validator()
    found = validator(context) if validator else []
    if found:
        raise InvalidInput(found[0][1])
    target = (request.output_dir / str(context["project_slug"])).absolute()
    try:
        _check_target(target)
    except OSError as exc:  # e.g. a path too long for the file system
        raise InvalidInput(f"cannot use {target}: {exc.strerror or exc}") from exc
    name, email = _author(context)
    placeholder = (name, email) == (raw.get("author_name"), raw.get("author_email"))
    return _Plan(target, context, f"{name} <{email}>", placeholder)


def _git_author_defaults(raw: Mapping[str, Any], answers: Mapping[str, str]) -> dict[str, str]:
    """Offer the user's git identity as the author, unless the answers already give one."""
    wanted = [key for key in ("author_name", "author_email") if key in raw and key not in answers]
    if not wanted:
        return {}
    from scaffolder import gitops

    name, email = gitops.configured_identity()
    found = {"author_name": name, "author_email": email}
    return {key: found[key] for key in wanted if found[key]}


def _author(context: Mapping[str, Any]) -> tuple[str, str]:
    return (
        str(context.get("author_name") or "mlscaffold user"),
        str(context.get("author_email") or "mlscaffold@example.com"),
    )


def _check_target(target: Path) -> None:
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


def remove_stale_staging(output_dir: Path, name: str = "") -> None:
    """Remove staging folders that a killed run left in *output_dir* (for *name*, or all)."""
    # mkdtemp names them ".<name>.<random><suffix>"; the dot after the name keeps
    # "ml-ada" from matching the staging folder of "ml-ada-l".
    pattern = f".{name}.*{STAGING_SUFFIX}" if name else f".*{STAGING_SUFFIX}"
    for folder in output_dir.glob(pattern):
        shutil.rmtree(folder, ignore_errors=True)


def _list_files(project: Path) -> list[str]:
    files = []
    for root, dirs, names in os.walk(project):
        dirs[:] = [d for d in dirs if d != ".git"]
        files.extend(Path(root, n).relative_to(project).as_posix() for n in names)
    return sorted(files)


def _move_into_place(staged: Path, target: Path) -> None:
    try:
        if target.is_dir():
            target.rmdir()  # only an empty directory can be removed: content never is
        os.rename(staged, target)
    except OSError as exc:
        raise TargetExists(f"cannot move the project into {target}: {exc.strerror or exc}") from exc


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):  # not empty, or already gone: leave it
        folder.rmdir()
