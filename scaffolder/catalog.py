"""Which templates exist and what they are, read from each template's own files.

A bundled template is a folder with a ``cookiecutter.json``; its description for
``mlscaffold list`` lives in that file under the private key ``_mlscaffold`` so
the template stays the one source of truth (plain cookiecutter ignores it).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

from scaffolder import templates_folder
from scaffolder.errors import ScaffoldError, UnknownTemplate

METADATA_KEY = "_mlscaffold"
VALIDATION_HOOK = Path("hooks", "pre_gen_project.py")


# One problem with the answers: the variable it is about, and a sentence saying what is wrong.
Problem = tuple[str, str]
Validator = Callable[[Mapping[str, Any]], list[Problem]]


@dataclass(frozen=True)
class Template:
    """A cookiecutter template and the facts ``list`` shows of it.

    *raw_context* is its ``cookiecutter.json`` as written (defaults not yet
    rendered), parsed once when the template is read. A bundled template, or
    one of ``MLSCAFFOLD_TEMPLATES``, has no *origin*; one from a folder or a git
    repository (``sources``) has the facts the record keeps of where it came
    from, and *link_root*, the folder its links may point into. An untrusted
    template (not *trusted*) has none of its code imported or run.
    """

    name: str
    path: Path
    raw_context: Mapping[str, Any] = field(repr=False, compare=False)
    trusted: bool = True
    origin: Mapping[str, Any] | None = field(default=None, compare=False)
    link_root: Path | None = None

    @property
    def context_file(self) -> Path:
        """The template's ``cookiecutter.json``."""
        return self.path / "cookiecutter.json"

    @property
    def _meta(self) -> Mapping[str, Any]:
        meta = self.raw_context.get(METADATA_KEY, {})
        return meta if isinstance(meta, Mapping) else {}

    @property
    def version(self) -> str:
        """The template's version (``_mlscaffold.version``).

        One from a git repository that names none is at its commit, one from a
        folder at its files' digest (12 digits each); any other, "0".
        """
        if "version" in self._meta:
            return str(self._meta["version"])
        origin = self.origin or {}
        if origin.get("kind") == "git" and origin.get("commit"):
            return str(origin["commit"])[:12]
        if origin.get("kind") == "path":
            return self.digest.removeprefix("sha256:")[:12]
        return "0"

    @property
    def summary(self) -> str:
        """The problem the template solves, in one sentence."""
        return str(self._meta.get("summary", ""))

    @property
    def dataset(self) -> str:
        """The data the generated project trains on."""
        return str(self._meta.get("dataset", ""))

    @property
    def model(self) -> str:
        """The model and its baseline."""
        return str(self._meta.get("model", ""))

    @property
    def training_time(self) -> str:
        """How long the generated project's training takes, as measured."""
        return str(self._meta.get("training_time", ""))

    def changelog(self, version: str) -> str:
        """Return the changelog line of *version* (``_mlscaffold.changelog``), or "".

        ``changelog`` maps versions to one line each; a plain string is the
        line of the template's current version.
        """
        found = self._meta.get("changelog")
        if isinstance(found, Mapping):
            found = found.get(version)
        elif version != self.version:
            found = None
        return " ".join(str(found).split()) if isinstance(found, str) else ""

    @property
    def setup_command(self) -> str:
        """The command that installs a generated project with its development tools."""
        return str(self._meta.get("setup_command", 'pip install -e ".[dev]"'))

    @cached_property
    def digest(self) -> str:
        """A SHA-256 over every file of the template, so a recorded answer file names its source."""
        sha = hashlib.sha256()
        for file in sorted(p for p in self.path.rglob("*") if p.is_file()):
            if "__pycache__" in file.parts or ".git" in file.relative_to(self.path).parts:
                continue
            sha.update(file.relative_to(self.path).as_posix().encode())
            sha.update(b"\0")
            sha.update(file.read_bytes())
        return f"sha256:{sha.hexdigest()}"

    @property
    def described(self) -> str:
        """The template as messages name it: its name and version, or where it came from."""
        origin = self.origin or {}
        version = f" {self.version}" if "version" in self._meta or not origin else ""
        if origin.get("kind") == "git":
            return f"{self.name}{version} ({origin.get('url')} at {str(origin.get('commit'))[:12]})"
        if origin.get("kind") == "path":
            return f"{self.name}{version} ({origin.get('path')})"
        return f"{self.name}{version}"

    @property
    def made_for_mlscaffold(self) -> bool:
        """Whether it follows mlscaffold's contract (``_mlscaffold`` in its cookiecutter.json).

        Only such a template trains with ``python -m PACKAGE train``.
        """
        return METADATA_KEY in self.raw_context

    @property
    def validates_in_process(self) -> bool:
        """Whether its ``pre_gen_project.py`` holds answer checks that mlscaffold imports.

        So it is for mlscaffold's own templates and those of ``MLSCAFFOLD_TEMPLATES``
        made from them (they carry ``_mlscaffold``): the hook is a plain module.
        Any other template's hooks are cookiecutter's scripts, run (when trusted)
        as cookiecutter runs them, and never imported.
        """
        return self.trusted and self.origin is None and self.made_for_mlscaffold

    def load_validator(self) -> Validator | None:
        """Return the template's own answer checks (its pre-generation hook's rules).

        The hook is imported, not run: its rules are applied in-process, so the
        rules live once, in the template, and plain cookiecutter applies the same.
        A hook with only ``problems`` (sentences) has them reported for no variable.
        None for a template whose hooks are not such a module (``validates_in_process``).
        """
        if not self.validates_in_process:
            return None
        return _load_validator(self.path / VALIDATION_HOOK)

    def hook_names(self) -> list[str]:
        """Return the names of its hook scripts, whether they would run or not."""
        from scaffolder.trust import is_hook

        folder = self.path / "hooks"
        return [e for e in sorted(os.listdir(folder)) if is_hook(e)] if folder.is_dir() else []

    def hook_files(self, hook: str) -> list[Path]:
        """Return the scripts of *hook* (``pre_gen_project``…) that run for this template.

        Cookiecutter's rule: ``hooks/<hook>.<any extension>``, not a backup ending
        in ``~``. None for an untrusted template, nor the pre-generation hook that
        mlscaffold applies in-process (``validates_in_process``).
        """
        folder = self.path / "hooks"
        if not self.trusted or not folder.is_dir():
            return []
        if hook == "pre_gen_project" and self.validates_in_process:
            return []
        from scaffolder.trust import is_hook

        return [folder / entry for entry in sorted(os.listdir(folder)) if is_hook(entry, hook)]

    @property
    def variables(self) -> list[str]:
        """The template's public variables (those a user may set), in prompt order."""
        return [key for key in self.raw_context if not key.startswith("_")]


# The template files imported so far, by path and content. Not kept in sys.modules: a
# template put in a folder another one used before (a cache, a checkout that is
# updated), or a file edited, is imported afresh, never stood in for by the first.
_MODULES: dict[tuple[str, str], ModuleType] = {}


def file_digest(path: Path) -> str:
    """Return a SHA-256 of the file *path*'s content (what ``load_module`` tells files apart by)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_module(path: Path, kind: str) -> ModuleType:
    """Import the Python file *path* of a template, once per process and content.

    It gets a module name of its own (``_mlscaffold_<kind>_<digest>``), so two
    templates' files of the same name never stand in for each other, and
    ``sys.path`` is left alone. Whatever the file raises while it runs propagates.
    """
    key = (str(path.resolve()), file_digest(path))
    found = _MODULES.get(key)
    if found is not None:
        return found
    unique = f"_mlscaffold_{kind}_{hashlib.sha256(repr(key).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered only while it runs: dataclasses and typing look a class's module up there.
    sys.modules[unique] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(unique, None)
    _MODULES[key] = module
    return module


def _load_validator(hook: Path) -> Validator | None:
    """Import a template's validation hook (once per content: a classroom run uses it often)."""
    if not hook.is_file():
        return None
    module = load_module(hook, "hook")
    keyed = getattr(module, "problems_by_variable", None)
    if keyed is not None:
        return keyed  # type: ignore[no-any-return]  # a hook module's attribute is untyped
    plain = getattr(module, "problems", None)
    if plain is None:
        return None
    return lambda answers: [("", sentence) for sentence in plain(answers)]


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


def read_template(
    folder: Path,
    *,
    name: str | None = None,
    trusted: bool = True,
    origin: Mapping[str, Any] | None = None,
    link_root: Path | None = None,
) -> Template:
    """Return the template in *folder* (a folder with a ``cookiecutter.json``).

    *name* defaults to the folder's; the rest is as ``Template`` has it.
    """
    context_file = folder / "cookiecutter.json"
    try:
        with open(context_file, encoding="utf-8") as handle:
            context = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ScaffoldError(f"cannot read {context_file}: {exc}") from exc
    if not isinstance(context, dict):
        raise ScaffoldError(f"{context_file} must hold a JSON object of variables")
    return Template(
        name=name or folder.name,
        path=folder,
        raw_context=context,
        trusted=trusted,
        origin=origin,
        link_root=link_root,
    )


def template_folders() -> dict[str, Path]:
    """Return every template's folder by name: the bundled ones, and ``MLSCAFFOLD_TEMPLATES``'s.

    A template of the user's folder wins over a bundled one of the same name.
    Cheap: reads no template file.
    """
    root = templates_root()
    found = {name: root / name for name in templates_folder.templates_in(root)}
    user = templates_folder.user_folder()
    if user is not None:
        found.update({name: user / name for name in templates_folder.templates_in(user)})
    return dict(sorted(found.items()))


def template_names() -> list[str]:
    """Return the names of the templates (cheap: reads no template file)."""
    return list(template_folders())


def list_templates() -> list[Template]:
    """Return the templates, sorted by name."""
    return [read_template(folder) for folder in template_folders().values()]


def get_template(name: str) -> Template:
    """Return the template called *name*, or raise ``UnknownTemplate`` listing the rest."""
    folders = template_folders()
    if name not in folders:
        raise UnknownTemplate(f"unknown template {name!r}; choose one of: {', '.join(folders)}")
    return read_template(folders[name])


def template_source(template: Template) -> dict[str, Any]:
    """Return where *template* came from (bundled, MLSCAFFOLD_TEMPLATES, a folder, git)."""
    if template.origin is not None:
        return dict(template.origin)
    return templates_folder.source_of(template.path, templates_root())
