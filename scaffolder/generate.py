"""Generate a project: answers -> checks -> render into staging -> first commit -> move into place.

The user's target path either ends up holding a complete project or is left
exactly as it was: cookiecutter renders into a hidden staging folder beside the
target, and only a finished project is renamed into place. An existing
non-empty target is refused before anything is written, and never deleted.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder import __version__
from scaffolder.catalog import Template
from scaffolder.errors import GitError, InvalidInput, RenderError, ScaffoldError, TargetExists

RECORD_FILE = ".mlscaffold.json"
STAGING_SUFFIX = ".mlscaffold-staging"
# Keys cookiecutter adds that describe this machine, not the project: not recorded.
_MACHINE_KEYS = frozenset({"_template", "_output_dir", "_repo_dir", "_checkout"})


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
        staged = _render(request.template, plan.context, staging)
        _write_record(staged, request.template, plan.context, request.record)
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
        staged = _render(request.template, plan.context, Path(scratch))
        _write_record(staged, request.template, plan.context, request.record)
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
    context = resolve_context(template, request.answers, no_input=request.no_input)
    validator = template.load_validator()
    found = validator(context) if validator else []
    if found:
        raise InvalidInput(found[0])
    target = (request.output_dir / context["project_slug"]).absolute()
    _check_target(target)
    name, email = _author(context)
    placeholder = (name, email) == (raw.get("author_name"), raw.get("author_email"))
    return _Plan(target, context, f"{name} <{email}>", placeholder)


def resolve_context(
    template: Template, answers: Mapping[str, str], *, no_input: bool
) -> dict[str, Any]:
    """Return the template's full cookiecutter context for *answers*.

    Precedence, highest first: *answers*, the user's cookiecutter config
    (``default_context``), the user's git identity for the author fields, the
    template's defaults. Without *no_input* cookiecutter prompts for each
    variable, offering that value as the default.
    """
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config
    from jinja2 import TemplateError

    raw = template.raw_context
    public = template.variables
    unknown = sorted(set(answers) - set(public))
    if unknown:
        raise InvalidInput(
            f"unknown variable {unknown[0]!r} for template {template.name}; "
            f"known variables: {', '.join(public)}"
        )
    for key, value in answers.items():
        if isinstance(raw[key], list) and value not in raw[key]:
            raise InvalidInput(
                f"{value!r} is not a choice for {key}; choose one of: {', '.join(raw[key])}"
            )

    defaults = _git_author_defaults(raw, answers)
    defaults.update(_cookiecutter_user_defaults())
    try:
        context = generate_context(
            context_file=str(template.context_file),
            default_context=defaults,
            extra_context=dict(answers),
        )
        with _on_sys_path(template.path):  # the template's local Jinja extensions
            resolved = prompt_for_config(context, no_input)
    except ValueError as exc:  # e.g. a value in the user's config that a choice does not allow
        raise InvalidInput(str(exc)) from exc
    except (CookiecutterException, TemplateError) as exc:
        raise RenderError(f"template {template.name} cannot be resolved: {exc}") from exc
    return dict(resolved)


def _cookiecutter_user_defaults() -> dict[str, Any]:
    """Return the ``default_context`` of the user's cookiecutter config (as cookiecutter would)."""
    # Cookiecutter's config reader imports a YAML parser (~15 ms); skip it when
    # there is no config to read, which is the common case.
    has_config = Path("~/.cookiecutterrc").expanduser().exists()
    if "COOKIECUTTER_CONFIG" not in os.environ and not has_config:
        return {}
    from cookiecutter.config import get_user_config
    from cookiecutter.exceptions import CookiecutterException

    try:
        return dict(get_user_config()["default_context"])
    except CookiecutterException as exc:
        raise InvalidInput(f"cannot read the cookiecutter config: {exc}") from exc


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


def _render(template: Template, context: dict[str, Any], into: Path) -> Path:
    """Render *template* with *context* into the folder *into*; return the project folder."""
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files
    from jinja2 import TemplateError

    env_vars = {**context.get("_jinja2_env_vars", {}), "bytecode_cache": _bytecode_cache()}
    full_context = {
        # Cookiecutter passes _jinja2_env_vars to its Jinja environment: with a shared
        # bytecode cache each template file is compiled once per process, not once per
        # project (a classroom run renders the same files for every student).
        "cookiecutter": {**context, "_template": template.name, "_jinja2_env_vars": env_vars},
        "_cookiecutter": {k: v for k, v in context.items() if not k.startswith("_")},
    }
    try:
        # Hooks are not run: the bundled templates' only hook validates, and
        # _plan already applied its rules in-process.
        with _on_sys_path(template.path):
            project = generate_files(
                repo_dir=str(template.path),
                context=full_context,
                output_dir=str(into),
                accept_hooks=False,
            )
    except TemplateError as exc:
        name = getattr(exc, "name", None) or type(exc).__name__
        raise RenderError(f"rendering template {template.name} failed: {name}: {exc}") from exc
    except (CookiecutterException, OSError) as exc:
        raise RenderError(f"rendering template {template.name} failed: {exc}") from exc
    # pip compiles every .py file it installs, the templates' too, and cookiecutter
    # would copy that bytecode into the project: it is never part of a template.
    for cache in sorted(Path(project).rglob("__pycache__")):
        shutil.rmtree(cache)
    return Path(project)


def read_record(project: Path) -> dict[str, Any] | None:
    """Return the answers recorded in a generated project, or None if there is no record."""
    try:
        return json.loads((project / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remove_stale_staging(output_dir: Path, name: str = "") -> None:
    """Remove staging folders that a killed run left in *output_dir* (for *name*, or all)."""
    # mkdtemp names them ".<name>.<random><suffix>"; the dot after the name keeps
    # "ml-ada" from matching the staging folder of "ml-ada-l".
    pattern = f".{name}.*{STAGING_SUFFIX}" if name else f".*{STAGING_SUFFIX}"
    for folder in output_dir.glob(pattern):
        shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def _bytecode_cache() -> Any:
    from jinja2 import BytecodeCache

    class MemoryBytecodeCache(BytecodeCache):
        """Compiled templates kept in memory; Jinja checks each against its source."""

        def __init__(self) -> None:
            self.store: dict[str, bytes] = {}

        def load_bytecode(self, bucket: Any) -> None:
            if bucket.key in self.store:
                bucket.bytecode_from_string(self.store[bucket.key])

        def dump_bytecode(self, bucket: Any) -> None:
            self.store[bucket.key] = bucket.bytecode_to_string()

    return MemoryBytecodeCache()


def _write_record(
    project: Path, template: Template, context: Mapping[str, Any], extra: Mapping[str, Any]
) -> None:
    """Record the answers in the project, for later updates and classroom syncs."""
    record = {
        "template": template.name,
        "template_version": template.version,
        "template_digest": template.digest,
        "mlscaffold_version": __version__,
        "context": {k: v for k, v in context.items() if k not in _MACHINE_KEYS},
        **extra,
    }
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    (project / RECORD_FILE).write_text(text, encoding="utf-8")


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


@contextmanager
def _on_sys_path(folder: Path) -> Iterator[None]:
    """Let cookiecutter import the template's ``local_extensions`` module, as it does itself."""
    saved = list(sys.path)
    sys.path.append(str(folder))
    try:
        yield
    finally:
        sys.path[:] = saved
