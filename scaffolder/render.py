"""Render a cookiecutter template into a folder, in Jinja's sandbox, with the answers as data.

Cookiecutter's own ``generate_files`` cannot be used for this: it builds its Jinja
environment itself (so it cannot be sandboxed), changes the process's working
folder, and renders the *whole output path* as a template, so an output folder
named ``{{ 7*7 }}`` would be written to ``49``. This module walks the template
the way cookiecutter does (same loader paths, same default extensions, binary
files and ``_copy_without_render`` copied as they are, each file's newline style
and mode kept), so plain ``cookiecutter`` and mlscaffold render identical
projects, but:

- the environment is ``SandboxedEnvironment``: a template cannot reach Python's
  internals (``cycler.__init__.__globals__``), and neither can anything else;
- only names *inside* the template are rendered; the context's values are
  inserted as text and never rendered again;
- a rendered file or folder name must be one plain path segment;
- a template's own ``_extensions`` module is loaded from its folder by path,
  under a name of its own, without touching ``sys.path``.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scaffolder.catalog import Template, file_digest, load_module, templates_root
from scaffolder.errors import InvalidInput, RenderError, ScaffoldError
from scaffolder.trust import BUILT_IN_EXTENSIONS

# The extensions cookiecutter loads into every environment (cookiecutter.environment).
COOKIECUTTER_EXTENSIONS = (
    "cookiecutter.extensions.JsonifyExtension",
    "cookiecutter.extensions.RandomStringExtension",
    "cookiecutter.extensions.SlugifyExtension",
    "cookiecutter.extensions.TimeExtension",
    "cookiecutter.extensions.UUIDExtension",
)
# What a template's expression can raise as Python does ({{ 1/0 }}, {{ [].pop() }},
# {{ 'a' + 1 }}, the sandbox's OverflowError for a huge range): a broken template, in one line.
EXPRESSION_ERRORS: tuple[type[Exception], ...] = (
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
    MemoryError,
)


def template_errors() -> tuple[type[Exception], ...]:
    """Return what rendering a template can raise: Jinja's errors and ``EXPRESSION_ERRORS``."""
    from jinja2 import TemplateError

    return (TemplateError, *EXPRESSION_ERRORS)


# No file of a project is this large: a template whose file renders to more is refused.
MAX_RENDERED_CHARACTERS = 50_000_000
# Environment settings mlscaffold fixes itself; a template's _jinja2_env_vars may not change them.
_FIXED_SETTINGS = frozenset(
    {"undefined", "loader", "extensions", "bytecode_cache", "keep_trailing_newline", "autoescape"}
)


def project_folder(template: Template) -> Path:
    """Return the folder of the project inside *template*, named like ``{{cookiecutter.x}}``."""
    for entry in sorted(os.listdir(template.path)):
        if "cookiecutter" in entry and "{{" in entry and "}}" in entry:
            return template.path / entry
    raise RenderError(
        f"template {template.name} has no project folder (a folder named like "
        "{{cookiecutter.project_slug}})"
    )


def environment(template: Template) -> Any:
    """Return the sandboxed Jinja environment for *template* (one per template and process).

    Cached, so that a classroom run compiles each template file once (the
    environment keeps its compiled templates, and checks each against its file);
    the key includes the settings read from ``cookiecutter.json``, so an edited
    template gets a new environment.
    """
    raw = template.raw_context
    # The local extension modules' content too: another template in the same folder, or
    # an edited module, gets an environment (and extensions) of its own.
    local = [file_digest(path) for path in _local_extension_files(template)]
    key = json.dumps(
        [raw.get("_extensions", []), raw.get("_jinja2_env_vars", {}), local], default=str
    )
    return _environment(template, key)


def _local_extension_files(template: Template) -> list[Path]:
    """Return the template's own extension modules (``_extensions`` names in its folder)."""
    names = template.raw_context.get("_extensions", [])
    if not isinstance(names, list):
        return []
    found = []
    for dotted in names:
        module_name = str(dotted).rpartition(".")[0]
        local = template.path / f"{module_name}.py"
        if module_name and local.is_file():
            found.append(local)
    return found


@functools.cache
def _environment(template: Template, settings_key: str) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    settings = template.raw_context.get("_jinja2_env_vars", {})
    if not isinstance(settings, Mapping):
        raise RenderError(f"template {template.name}: _jinja2_env_vars must be a JSON object")
    settings = {k: v for k, v in settings.items() if k not in _FIXED_SETTINGS}
    extensions = [*COOKIECUTTER_EXTENSIONS, *_template_extensions(template)]
    searched = [str(project_folder(template)), str(template.path / "templates")]
    loader = (
        FileSystemLoader(searched)
        if template.trusted
        else _contained_loader(searched, template.link_root or template.path)
    )
    environment_class = SandboxedEnvironment if template.trusted else _bounded_environment()
    try:
        env = environment_class(
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            extensions=extensions,
            loader=loader,
            **settings,
        )
    # AssertionError: Jinja checks its settings with assert (_jinja2_env_vars' newline_sequence).
    except (ImportError, AttributeError, TypeError, ValueError, AssertionError) as exc:
        raise RenderError(
            f"template {template.name}: cannot set up Jinja: {_one_line(exc)}"
        ) from exc
    if is_bundled(template):  # only trusted templates' compiled code is kept between runs
        from scaffolder.template_cache import open_cache

        env.bytecode_cache = open_cache(_fingerprint(env, settings))
    return env


# An untrusted template's `*` and `**` may not build values larger than this (items, digits).
MAX_PRODUCT = 10_000_000


def _bounded_environment() -> Any:
    """Return the sandbox for untrusted templates: with ``'a' * 10**9`` and ``9**9**9`` refused.

    Jinja's sandbox bounds ``range`` only; a repeated string or list, or a
    power, can take all the memory or the processor before anything is written.
    """
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class BoundedEnvironment(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "*" and _product_size(left, right) > MAX_PRODUCT:
                raise SecurityError(f"a repeated value longer than {MAX_PRODUCT:,}")
            power = operator == "**" and isinstance(left, int) and isinstance(right, int)
            if power and abs(right) > 1000 and abs(left) > 1:
                raise SecurityError("a power with an exponent above 1000")
            return super().call_binop(context, operator, left, right)

    return BoundedEnvironment


def _product_size(left: Any, right: Any) -> int:
    """Return the length ``left * right`` would have, for a sequence repeated (else 0)."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, bytes, list, tuple)) and isinstance(times, int):
            return len(sequence) * times
    return 0


def _contained_loader(searched: list[str], root: Path) -> Any:
    """Return a loader that reads no file whose real path is outside *root* (untrusted templates).

    ``{% include %}``, ``{% import %}`` and ``{% extends %}`` follow links as the file
    system does; a chain of links that ends outside the template (in ``~/.ssh``) is
    refused, however it was built.
    """
    from jinja2 import FileSystemLoader
    from jinja2.exceptions import SecurityError

    from scaffolder.trust import within

    class ContainedLoader(FileSystemLoader):
        def get_source(self, environment: Any, name: str) -> Any:
            source, filename, uptodate = super().get_source(environment, name)
            if filename and not within(filename, root):
                raise SecurityError(
                    f"{name} links outside the template, to {os.path.realpath(filename)}"
                )
            return source, filename, uptodate

    return ContainedLoader(searched)


def is_bundled(template: Template) -> bool:
    """Whether *template* is one of the templates shipped with mlscaffold."""
    return template.path.resolve().is_relative_to(templates_root().resolve())


def _fingerprint(env: Any, settings: Mapping[str, Any]) -> str:
    """Describe everything that shapes the code Jinja compiles in *env*, for the cache's key."""
    from scaffolder.template_cache import file_identity

    modules = ["jinja2", "jinja2.compiler", "jinja2.lexer", "jinja2.parser", "jinja2.nodes"]
    modules += [type(extension).__module__ for extension in env.extensions.values()]
    return json.dumps(
        {
            "environment": f"{type(env).__module__}.{type(env).__qualname__}",
            "fixed": {"keep_trailing_newline": True, "undefined": "StrictUndefined"},
            "settings": settings,
            "extensions": sorted(env.extensions),
            "files": [
                file_identity(getattr(sys.modules.get(m), "__file__", None)) for m in modules
            ],
        },
        sort_keys=True,
        default=repr,
    )


def _template_extensions(template: Template) -> list[Any]:
    """Return the template's ``_extensions``; a module in its own folder is loaded by path."""
    names = template.raw_context.get("_extensions", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RenderError(f"template {template.name}: _extensions must be a list of names")
    found: list[Any] = []
    for dotted in names:
        if not template.trusted and dotted not in BUILT_IN_EXTENSIONS:
            # sources refuses such a template first; this is the second lock on the door.
            raise RenderError(f"template {template.name}: _extensions {dotted!r} needs --trust")
        module_name, _, attribute = dotted.rpartition(".")
        local = template.path / f"{module_name}.py"
        if not module_name or not local.is_file():
            found.append(dotted)  # an installed package's extension: Jinja imports it
            continue
        try:
            module = load_module(local, "extension")
        except Exception as exc:
            raise RenderError(
                f"template {template.name}: {local.name} failed to load: {_one_line(exc)}"
            ) from exc
        try:
            found.append(getattr(module, attribute))
        except AttributeError:
            raise RenderError(
                f"template {template.name}: {local.name} has no extension {attribute!r}"
            ) from None
    return found


def render_value(template: Template, text: str, context: Mapping[str, Any]) -> str:
    """Render one default of ``cookiecutter.json`` (template text) with the answers so far."""
    try:
        return str(environment(template).from_string(text).render(cookiecutter=context))
    except template_errors() as exc:
        # A template's expression can raise what Python raises ({{ 1/0 }}, {{ [].pop() }}).
        raise RenderError(
            f"template {template.name}: a default in cookiecutter.json cannot be rendered: "
            f"{describe(exc)}"
        ) from exc


def render_context(template: Template, context: Mapping[str, Any]) -> dict[str, Any]:
    """Return what files, names and hooks are rendered with, as cookiecutter gives it."""
    return {
        "cookiecutter": {**context, "_template": template.name},
        "_cookiecutter": {k: v for k, v in context.items() if not k.startswith("_")},
    }


def project_folder_name(template: Template, context: Mapping[str, Any]) -> str:
    """Return the name the project's folder gets: its template folder's name, rendered.

    Raises ``RenderError`` when the template cannot render it, and
    ``InvalidInput`` when the answers make it no plain name (``a/b``, ``..``,
    ``.git``, nothing).
    """
    source = project_folder(template)
    try:
        name = _segment(environment(template), source.name, render_context(template, context))
    except template_errors() as exc:
        raise RenderError(
            f"rendering template {template.name} failed in {source.name}: {describe(exc)}"
        ) from None
    except _Refused as exc:
        detail = str(exc)
    else:
        if name.strip() and name != ".git":
            return name
        detail = f"the name {source.name!r} renders to {name!r}"
    raise InvalidInput(f"the project's folder cannot be named so: {detail}")


class _Refused(Exception):
    """Something in the template that mlscaffold will not render (a bad name, a link out)."""


def render_project(
    template: Template,
    context: Mapping[str, Any],
    into: Path,
    *,
    run_hooks: bool = True,
    say: Callable[[str], None] = lambda message: None,
) -> Path:
    """Render *template* with the resolved *context* into the folder *into*; return the project.

    Files that are symbolic links are read through, but only if they point inside
    the template's ``link_root`` (by default the folder that holds the template;
    anywhere for a trusted template from a folder or a repository).
    A trusted template's ``pre_gen_project`` and ``post_gen_project`` hooks run
    in the project folder, before and after its files (unless not *run_hooks*).
    Raises ``RenderError`` with one line naming the file on any failure; the
    caller owns *into* and removes it.
    """
    from jinja2 import TemplateError

    from scaffolder.hooks import run_hook

    # A trusted stranger's template may link anywhere (trust covers it, as its hooks could
    # read anything); mlscaffold's own only into the folder of templates.
    link_root = (
        None
        if template.trusted and template.origin is not None
        else (template.link_root or template.path.parent).resolve()
    )
    env = environment(template)
    full = render_context(template, context)
    copy_only = template.raw_context.get("_copy_without_render", [])
    if not isinstance(copy_only, list):
        copy_only = []
    source = project_folder(template)
    current = source.name
    try:
        project = into / _segment(env, source.name, full)
        project.mkdir()
        if run_hooks:
            run_hook(template, "pre_gen_project", project, full, say)
        targets = {source: project}
        for root, dirs, files in os.walk(source):
            here = Path(root)
            target = targets[here]
            kept = []
            for name in sorted(dirs):
                if name == "__pycache__":
                    # pip compiles the installed templates' .py files: that bytecode is
                    # never part of a template.
                    continue
                current = (here / name).relative_to(source).as_posix()
                if (here / name).is_symlink():
                    raise _Refused("a link to a folder (link each file instead)")
                rendered = _segment(env, name, full)
                if not rendered:
                    continue  # a folder whose name renders empty is left out, with its files
                if _is_copy_only(here / name, source, copy_only):
                    shutil.copytree(here / name, target / rendered)
                    continue
                (target / rendered).mkdir()
                targets[here / name] = target / rendered
                kept.append(name)
            dirs[:] = kept
            for name in sorted(files):
                current = (here / name).relative_to(source).as_posix()
                rendered = _segment(env, name, full)
                if not rendered:
                    continue  # a file whose name renders empty is left out, as cookiecutter does
                copy = _is_copy_only(here / name, source, copy_only)
                _write_file(env, here / name, source, target / rendered, full, copy, link_root)
    except ScaffoldError:
        raise  # a hook's failure, already said in one line
    except TemplateError as exc:
        detail = describe(exc)
    except OSError as exc:
        detail = str(exc.strerror or exc)
    except _Refused as exc:
        detail = str(exc)
    except EXPRESSION_ERRORS as exc:
        detail = describe(exc)
    else:
        if run_hooks:
            run_hook(template, "post_gen_project", project, full, say)
        return project
    raise RenderError(f"rendering template {template.name} failed in {current}: {detail}")


def _write_file(
    env: Any,
    source_file: Path,
    source: Path,
    target: Path,
    context: Mapping[str, Any],
    copy_only: bool,
    link_root: Path | None,
) -> None:
    """Write one file of the project: copied if binary or copy-only, else rendered."""
    from binaryornot.check import is_binary

    from scaffolder.trust import within

    if link_root and source_file.is_symlink() and not within(source_file, link_root):
        raise _Refused(f"it links outside the template, to {source_file.resolve()}")
    if not source_file.is_file():  # a pipe would block the read forever, a device is no file
        raise _Refused("it is not a regular file")
    if copy_only or is_binary(str(source_file)):
        shutil.copyfile(source_file, target)
        shutil.copymode(source_file, target)
        return
    template = env.get_template(source_file.relative_to(source).as_posix())
    newline = context["cookiecutter"].get("_new_lines") or _newline_of(source_file)
    written = 0
    with open(target, "w", encoding="utf-8", newline=newline) as handle:
        # Streamed, and cut off: a template's loops must not fill the disk or the memory.
        for chunk in template.generate(**context):
            written += len(chunk)
            if written > MAX_RENDERED_CHARACTERS:
                raise _Refused(
                    f"it renders to more than {MAX_RENDERED_CHARACTERS // 1_000_000} million "
                    "characters"
                )
            handle.write(chunk)
    shutil.copymode(source_file, target)


def _newline_of(path: Path) -> str | None:
    # As cookiecutter does: keep the line ending of the template file's first line.
    with open(path, encoding="utf-8") as handle:
        handle.readline()
        found = handle.newlines
    return found[0] if isinstance(found, tuple) else found


def _segment(env: Any, name: str, context: Mapping[str, Any]) -> str:
    """Render one file or folder name; refuse anything but a plain name (or nothing)."""
    rendered = str(env.from_string(name).render(**context)) if "{" in name else name
    # .git too: a folder rendered to that name would plant a repository (its config runs commands).
    if (
        rendered in (".", "..")
        or rendered.lower() == ".git"
        or any(ch in rendered for ch in "/\\\0")
    ):
        raise _Refused(f"the name {name!r} renders to {rendered!r}, which is not a plain name")
    return rendered


def _is_copy_only(path: Path, source: Path, patterns: list[Any]) -> bool:
    relative = os.path.normpath(path.relative_to(source))
    return any(fnmatch.fnmatch(relative, str(pattern)) for pattern in patterns)


def describe(exc: Exception) -> str:
    """One line about a Jinja error: its kind, where, and what."""
    where = getattr(exc, "lineno", None)
    kind = type(exc).__name__
    detail = f"{kind}: {_one_line(exc)}"
    return f"{detail} (line {where})" if where else detail


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
