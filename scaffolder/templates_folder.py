"""Templates of one's own: the folder that ``MLSCAFFOLD_TEMPLATES`` names, and where a template is.

An instructor adapts a template for a course, a template author tries the next
version: ``MLSCAFFOLD_TEMPLATES=FOLDER`` names a folder of templates laid out
like the bundled ones (each a subfolder with a ``cookiecutter.json``), which
``list``, ``new``, ``classroom`` and ``update`` use beside the bundled ones; a
name found there wins over a bundled one. They are the user's own templates,
trusted as the bundled ones are. This module imports nothing of mlscaffold's
but the errors, so the catalog can use it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from scaffolder.errors import InvalidInput

ENVIRONMENT_VARIABLE = "MLSCAFFOLD_TEMPLATES"
BUNDLED = "bundled"


def user_folder() -> Path | None:
    """Return the folder ``MLSCAFFOLD_TEMPLATES`` names, or None when it is unset or empty.

    Raises ``InvalidInput`` when it names something that is not a folder: a
    setting the user made on purpose is not silently ignored.
    """
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if not value.strip():
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise InvalidInput(f"{ENVIRONMENT_VARIABLE} names {value}, which is not a folder")
    return folder.resolve()


def templates_in(folder: Path) -> list[str]:
    """Return the names of the templates in *folder*: subfolders with a ``cookiecutter.json``.

    Names starting with ``_`` or ``.`` are parts shared between templates, not templates.
    """
    try:
        entries = os.listdir(folder)
    except OSError as exc:
        raise InvalidInput(f"cannot read the templates folder {folder}: {exc.strerror}") from exc
    return sorted(
        entry
        for entry in entries
        if not entry.startswith(("_", ".")) and (folder / entry / "cookiecutter.json").is_file()
    )


def source_of(template_path: Path, bundled_root: Path) -> dict[str, Any]:
    """Describe where the template at *template_path* came from, for ``.mlscaffold.json``.

    ``{"kind": "bundled"}`` for a template shipped with mlscaffold,
    ``{"kind": "MLSCAFFOLD_TEMPLATES", "path": ...}`` for one of the user's
    folder, ``{"kind": "path", "path": ...}`` for any other folder.
    """
    folder = template_path.resolve().parent
    if folder == bundled_root.resolve():
        return {"kind": BUNDLED}
    user = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if user.strip() and Path(user).expanduser().resolve() == folder:
        return {"kind": ENVIRONMENT_VARIABLE, "path": str(template_path.resolve())}
    return {"kind": "path", "path": str(template_path.resolve())}
