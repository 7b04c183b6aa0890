"""``new --train``: a virtual environment in the project, the install, its tests and its training.

Runs in the project folder before the first commit, so that the commit holds
the results (README results block, model card evaluation, ``reports/``). Each
step is a child process in a session of its own, its output shown line by line
as progress; on Ctrl-C or a termination signal the whole process group is ended
before the interruption goes on. A failing step puts back every file training
may have touched, so that the project is committed exactly as rendered, and
raises ``StepFailed`` naming the step and holding its last lines.

The environment (``.venv``, git-ignored by every template) is made with uv when
it is there (a dependency of mlscaffold; ``MLSCAFFOLD_INSTALLER=pip`` turns it
off), else with venv and pip. PyTorch, for the templates that need it, is the
CPU build, installed as the template's README says, from PyTorch's CPU index
(``MLSCAFFOLD_TORCH`` replaces that requirement and its options, e.g. with a
mirror's); on Linux, where PyPI's torch is the CUDA build, the resolution is
checked first and anything but a ``+cpu`` build is refused before a download.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffolder.contract import PACKAGE_NAME
from scaffolder.errors import StepFailed
from scaffolder.interrupts import run_echoing

VENV = ".venv"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
INSTALLER_VARIABLE = "MLSCAFFOLD_INSTALLER"  # "pip" or "uv"; unset: uv when it is there
TORCH_VARIABLE = "MLSCAFFOLD_TORCH"  # the torch requirement and options to install instead
TAIL_LINES = 20  # the lines of a failed step kept for its error


@dataclass(frozen=True)
class TrainOptions:
    """How ``new --train`` runs: which installer (None: uv when found) and where progress goes."""

    installer: str | None = None
    echo: Callable[[str], None] = lambda line: None


@dataclass(frozen=True)
class Trained:
    """What ``train_project`` did: the installer it used and the steps that ran."""

    installer: str
    steps: tuple[str, ...]


def find_uv() -> str | None:
    """Return the uv executable: the ``uv`` package's (a dependency of mlscaffold), else PATH's."""
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found,unused-ignore]

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def choose_installer(wanted: str | None = None) -> tuple[str, str | None]:
    """Return ("uv", its path) or ("pip", None): *wanted*, else ``MLSCAFFOLD_INSTALLER``, else uv.

    Asking for uv where there is none falls back to pip rather than failing: uv
    only makes the install faster.
    """
    choice = (wanted or os.environ.get(INSTALLER_VARIABLE, "")).strip().lower()
    if choice == "pip":
        return "pip", None
    uv = find_uv()
    return ("uv", uv) if uv else ("pip", None)


def train_project(project: Path, context: dict[str, Any], options: TrainOptions) -> Trained:
    """Install *project* into ``project/.venv``, run its tests, then its training.

    Raises ``StepFailed`` (the files as rendered put back) if a step fails.
    Interrupted, it ends the step's processes and lets the interruption go on;
    the caller removes the project.
    """
    installer, uv = choose_installer(options.installer)
    python = project / VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    env = _child_environment(installer)
    package = str(context[PACKAGE_NAME])
    pristine = _snapshot(project)
    steps: list[_Step] = []
    if installer == "uv" and uv:
        create = [uv, "venv", "--quiet", "--python", sys.executable, VENV]
        steps.append(_Step("install", "creating .venv (uv)", create))
        install = [uv, "pip", "install", "--python", str(python)]
    else:
        steps.append(
            _Step("install", "creating .venv (venv)", [sys.executable, "-m", "venv", VENV])
        )
        install = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    if context.get("_torch"):
        torch = _torch_arguments()
        steps.append(_Step("install", "installing PyTorch (CPU build)", [*install, *torch], torch))
    steps += [
        _Step("install", 'installing the project (-e ".[dev]")', [*install, "-e", ".[dev]"]),
        _Step("tests", "running its tests (pytest)", [str(python), "-m", "pytest", "-q"]),
        _Step(
            "training",
            f"training (python -m {package} train)",
            [str(python), "-m", package, "train"],
        ),
    ]
    done: list[str] = []
    try:
        for number, step in enumerate(steps, 1):
            options.echo(f"[{number}/{len(steps)}] {step.label}")
            if step.torch and sys.platform == "linux":  # PyPI's Linux torch is the CUDA build
                _refuse_cuda_torch(installer, install, step.torch, project, env)
            run_step(step.name, step.command, project, env, options.echo)
            done.append(step.name)
    except StepFailed:
        _restore(project, pristine)
        raise
    return Trained(installer, tuple(dict.fromkeys(done)))


@dataclass(frozen=True)
class _Step:
    name: str  # install, tests or training: what an error names
    label: str
    command: list[str]
    torch: list[str] | None = None  # the torch requirement it installs, checked first


def _child_environment(installer: str) -> dict[str, str]:
    """Return the steps' environment: this one, with pip's index settings handed on to uv.

    uv does not read pip's configuration; where a mirror or a local wheel folder is
    set through pip's variables (offline machines, company mirrors), uv gets the
    same ones, unless its own are set. uv never downloads a Python of its own here.
    """
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)  # the project's .venv, not the one mlscaffold runs in
    env.setdefault("PYTHONUNBUFFERED", "1")  # progress as it happens, not when a buffer fills
    if installer != "uv":
        return env
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    for pip_name, uv_name, separator in (
        ("PIP_INDEX_URL", "UV_INDEX_URL", " "),
        ("PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL", " "),
        ("PIP_FIND_LINKS", "UV_FIND_LINKS", ","),
    ):
        if env.get(pip_name) and uv_name not in env:
            env[uv_name] = separator.join(env[pip_name].split())
    if env.get("PIP_NO_INDEX", "").lower() in ("1", "true", "yes", "on"):
        # uv has no variable for --no-index; offline, it too reads only local wheel folders.
        env.setdefault("UV_OFFLINE", "1")
    return env


def _torch_arguments() -> list[str]:
    """Return the requirement and options that install the CPU build of PyTorch."""
    given = os.environ.get(TORCH_VARIABLE, "").strip()
    return shlex.split(given) if given else ["torch", "--index-url", TORCH_CPU_INDEX]


_UV_PLANNED = re.compile(r"^\s*\+\s*torch==(\S+)", re.M)


def _refuse_cuda_torch(
    installer: str, install: list[str], torch: list[str], project: Path, env: dict[str, str]
) -> None:
    """Raise ``StepFailed`` unless *torch* resolves to a CPU build (asked with no download)."""
    if installer == "uv":
        command = [*install, "--dry-run", "--no-deps", *torch]
    else:
        command = [*install, "--dry-run", "--no-deps", "--quiet", "--report", "-", *torch]
    done = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, errors="replace"
    )
    tail = (done.stdout + done.stderr).strip().splitlines()[-TAIL_LINES:]
    version = None
    if done.returncode == 0 and installer == "uv":
        found = _UV_PLANNED.search(done.stdout + done.stderr)
        version = found.group(1) if found else None
    elif done.returncode == 0:
        with suppress(ValueError, KeyError, IndexError):
            version = json.loads(done.stdout)["install"][0]["metadata"]["version"]
    if done.returncode != 0 or version is None:
        raise StepFailed(
            f"the install failed: PyTorch's CPU build cannot be resolved "
            f"({' '.join(torch)}): {_last(tail)}; set {TORCH_VARIABLE} to a requirement "
            "that reaches one, e.g. a mirror's",
            "install",
            tail,
        )
    if "+cpu" not in version:
        raise StepFailed(
            f"the install stopped before a download: {' '.join(torch)} resolves to torch "
            f"{version}, which is not the CPU build (+cpu); set {TORCH_VARIABLE} to a "
            "requirement that resolves to one",
            "install",
            tail,
        )


def run_step(
    step: str, command: list[str], cwd: Path, env: dict[str, str], echo: Callable[[str], None]
) -> None:
    """Run *command* in *cwd*, echoing its output; raise ``StepFailed`` naming *step* if it fails.

    The command runs in a session of its own, so that on an interruption its
    whole process group (pip's builds, pytest's workers) is ended here.
    """
    try:
        status, tail = run_echoing(command, cwd, env, lambda line: echo(f"| {line}"), TAIL_LINES)
    except OSError as exc:
        raise StepFailed(
            f"the {step} failed: cannot run {command[0]}: {exc.strerror or exc}", step, []
        ) from None
    if status != 0:
        shown = " ".join(
            Path(command[0]).name if i == 0 else part for i, part in enumerate(command)
        )
        raise StepFailed(
            f"the {step} failed (`{shown}` exited with status {status}): {_last(tail)}",
            step,
            tail,
        )


def _last(lines: list[str]) -> str:
    return lines[-1].strip() if lines else "no output"


def _snapshot(project: Path) -> dict[str, bytes]:
    """Every file of the rendered project, with its bytes."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and ".git" not in path.relative_to(project).parts
    }


def _restore(project: Path, pristine: dict[str, bytes]) -> None:
    """Put back the files as rendered; remove what the steps wrote, except ``.venv``."""
    for path in sorted(project.rglob("*"), reverse=True):
        relative = path.relative_to(project)
        if relative.parts[0] in (VENV, ".git"):
            continue
        name = relative.as_posix()
        if path.is_file() and name not in pristine:
            path.unlink()
        elif (
            path.is_dir()
            and not any(path.iterdir())
            and not any(known.startswith(f"{name}/") for known in pristine)
        ):
            path.rmdir()
    for name, content in pristine.items():
        path = project / name
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
