"""A trusted template's hooks, run as cookiecutter runs them, inside the staging folder.

Cookiecutter's rules: ``hooks/pre_prompt.*`` runs in a copy of the template
before any question, ``hooks/pre_gen_project.*`` in the (still empty) project
folder before its files are rendered, ``hooks/post_gen_project.*`` there after;
a hook is rendered with the answers first (``{{ cookiecutter.x }}`` in it),
except ``pre_prompt``; a ``.py`` hook runs with this Python, any other as a
program (its ``#!`` line); a status other than 0 stops the run. Everything
happens before the project is moved into place, so a failing hook leaves
nothing behind.

mlscaffold adds: the hook renders in the same sandbox as the files, its
output is shown line by line, it cannot read a terminal (its input is empty),
it does not see the GitHub tokens of the environment, it is ended with its
children on Ctrl-C, and a ``.git`` it made in the project is removed (the tool
does git, templates do not).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scaffolder.catalog import Template
from scaffolder.credentials import TOKEN_VARIABLES
from scaffolder.errors import RenderError
from scaffolder.interrupts import run_echoing

_TAIL_LINES = 5


def run_hook(
    template: Template,
    hook: str,
    cwd: Path,
    context: Mapping[str, Any] | None,
    say: Callable[[str], None],
) -> None:
    """Run every script of *hook* of *template* in *cwd*; raise ``RenderError`` if one fails.

    *context* is the render's full context (``{"cookiecutter": ...}``), which the
    script is rendered with; None for ``pre_prompt``, which runs as it is.
    """
    for script in template.hook_files(hook):
        _run_script(template, script, cwd, context, say)
        if not cwd.is_dir():
            raise RenderError(
                f"template {template.name}: its hooks/{script.name} removed the folder it ran in"
            )
    if hook == "post_gen_project":
        shutil.rmtree(cwd / ".git", ignore_errors=True)


def _run_script(
    template: Template,
    script: Path,
    cwd: Path,
    context: Mapping[str, Any] | None,
    say: Callable[[str], None],
) -> None:
    name = f"hooks/{script.name}"
    with tempfile.TemporaryDirectory(prefix="mlscaffold-hook-") as scratch:
        runnable = Path(scratch, script.name)
        if context is None:
            shutil.copyfile(script, runnable)
        else:
            runnable.write_text(_rendered(template, script, context), encoding="utf-8")
        runnable.chmod(runnable.stat().st_mode | stat.S_IXUSR)
        command = [sys.executable, str(runnable)] if script.suffix == ".py" else [str(runnable)]
        # The tokens mlscaffold reads for publishing: no template's hook has any use for them.
        environment = {k: v for k, v in os.environ.items() if k not in TOKEN_VARIABLES}
        say(f"Running the template's {name}")
        try:
            status, tail = run_echoing(
                command, cwd, environment, lambda line: say(f"| {line}"), _TAIL_LINES
            )
        except OSError as exc:
            raise RenderError(
                f"template {template.name}: its {name} cannot run: {exc.strerror or exc}"
            ) from None
    if status != 0:
        said = f": {tail[-1].strip()}" if tail else ""
        raise RenderError(
            f"template {template.name}: its {name} failed (exit status {status}){said}"
        )


def _rendered(template: Template, script: Path, context: Mapping[str, Any]) -> str:

    from scaffolder.render import describe, environment, template_errors

    try:
        text = script.read_text(encoding="utf-8")
        return str(environment(template).from_string(text).render(**context))
    except (OSError, UnicodeDecodeError) as exc:
        raise RenderError(
            f"template {template.name}: cannot read hooks/{script.name}: {exc}"
        ) from None
    except template_errors() as exc:
        raise RenderError(
            f"template {template.name}: hooks/{script.name} cannot be rendered: {describe(exc)}"
        ) from None
