"""The ``.mlscaffold.json`` record a generated project carries: its template and every answer.

``update`` and ``classroom sync`` re-render from it; ``publish`` reads the
description from it. Only this module writes or reads the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffolder import __version__
from scaffolder.catalog import Template

RECORD_FILE = ".mlscaffold.json"
# Keys that describe the machine a project was generated on, not the project: not recorded.
_MACHINE_KEYS = frozenset({"_template", "_output_dir", "_repo_dir", "_checkout"})


def write_record(
    project: Path, template: Template, context: Mapping[str, Any], extra: Mapping[str, Any]
) -> None:
    """Record the template and the answers in *project*, for later updates and classroom syncs."""
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


def update_record(project: Path, **facts: Any) -> None:
    """Set top-level *facts* in the record of *project* (which must have one)."""
    record = read_record(project)
    if record is None:
        raise ValueError(f"{project} has no readable {RECORD_FILE}")
    record.update(facts)
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    (project / RECORD_FILE).write_text(text, encoding="utf-8")


def read_record(project: Path) -> dict[str, Any] | None:
    """Return the record of a generated project, or None if there is none (or it is unreadable)."""
    try:
        found = json.loads((project / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: nested thousands deep
        return None
    return found if isinstance(found, dict) else None
