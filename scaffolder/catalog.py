"""Which templates exist and what they are, read from each template's own files.

A bundled template is a folder with a ``cookiecutter.json``; its description for
``mlscaffold list`` lives in that file under the private key ``_mlscaffold`` so
the template stays the one source of truth (plain cookiecutter ignores it).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from scaffolder.errors import ScaffoldError, UnknownTemplate

METADATA_KEY = "_mlscaffold"
VALIDATION_HOOK = Path("hooks", "pre_gen_project.py")


@dataclass(frozen=True)
class Template:
    """A bundled cookiecutter template and the facts ``mlscaffold list`` shows about it."""

    name: str
    path: Path
    version: str
    summary: str
    dataset: str
    model: str
    training_time: str
    setup_command: str

    @property
    def context_file(self) -> Path:
        """The template's ``cookiecutter.json``."""
        return self.path / "cookiecutter.json"

    @cached_property
    def digest(self) -> str:
        """A SHA-256 over every file of the template, so a recorded answer file names its source."""
        sha = hashlib.sha256()
        for file in sorted(p for p in self.path.rglob("*") if p.is_file()):
            if "__pycache__" in file.parts:
                continue
            sha.update(file.relative_to(self.path).as_posix().encode())
            sha.update(b"\0")
            sha.update(file.read_bytes())
        return f"sha256:{sha.hexdigest()}"

    def load_validator(self) -> Callable[[Mapping[str, Any]], list[str]] | None:
        """Return the template's own answer checks (its pre-generation hook's ``problems``).

        The hook is imported, not run: its rules are applied in-process, so the
        rules live once, in the template, and plain cookiecutter applies the same.
        """
        return _load_validator(self.path / VALIDATION_HOOK, self.name)

    @cached_property
    def raw_context(self) -> dict[str, Any]:
        """The template's ``cookiecutter.json`` as written (defaults not yet rendered)."""
        try:
            with open(self.context_file, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError) as exc:
            raise ScaffoldError(f"cannot read {self.context_file}: {exc}") from exc

    @property
    def variables(self) -> list[str]:
        """The template's public variables (those a user may set), in prompt order."""
        return [key for key in self.raw_context if not key.startswith("_")]


@functools.cache
def _load_validator(hook: Path, name: str) -> Callable[[Mapping[str, Any]], list[str]] | None:
    """Import a template's validation hook once per process (a classroom run uses it often)."""
    if not hook.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_mlscaffold_hook_{name}", hook)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "problems", None)


def templates_root() -> Path:
    """Return the folder that holds the bundled templates.

    An installed wheel carries them as ``scaffolder/templates``; an editable
    install or a source checkout finds them in the repository's ``templates/``.
    """
    packaged = Path(str(resources.files("scaffolder") / "templates"))
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parent.parent / "templates"
    if source.is_dir():
        return source
    raise ScaffoldError("the bundled templates are missing from this installation; reinstall")


def read_template(folder: Path) -> Template:
    """Return the template in *folder* (a folder with a ``cookiecutter.json``)."""
    with open(folder / "cookiecutter.json", encoding="utf-8") as handle:
        meta = json.load(handle).get(METADATA_KEY, {})
    return Template(
        name=folder.name,
        path=folder,
        version=str(meta.get("version", "0")),
        summary=meta.get("summary", ""),
        dataset=meta.get("dataset", ""),
        model=meta.get("model", ""),
        training_time=meta.get("training_time", ""),
        setup_command=meta.get("setup_command", 'pip install -e ".[dev]"'),
    )


def template_names() -> list[str]:
    """Return the names of the bundled templates (cheap: reads no template file)."""
    root = templates_root()
    return sorted(
        entry
        for entry in os.listdir(root)
        if not entry.startswith(("_", ".")) and (root / entry / "cookiecutter.json").is_file()
    )


def list_templates() -> list[Template]:
    """Return the bundled templates, sorted by name."""
    root = templates_root()
    return [read_template(root / name) for name in template_names()]


def get_template(name: str) -> Template:
    """Return the bundled template called *name*, or raise ``UnknownTemplate`` listing the rest."""
    names = template_names()
    if name not in names:
        raise UnknownTemplate(f"unknown template {name!r}; choose one of: {', '.join(names)}")
    return read_template(templates_root() / name)
