"""The ``.mlscaffold.json`` record a generated project carries: its template and every answer.

``update`` and ``classroom sync`` re-render from it; ``publish`` reads the
description from it. Only this module writes or reads the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffolder import __version__
from scaffolder.catalog import Template, template_source

RECORD_FILE = ".mlscaffold.json"
# What a render writes into the record; everything else (``links``, ``classroom``) was
# added for the project later or by the run that made it, and an update keeps it.
RENDER_KEYS = (
    "template",
    "template_version",
    "template_digest",
    "template_source",
    "mlscaffold_version",
    "context",
)
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
        "template_source": template_source(template),
        "mlscaffold_version": __version__,
        "context": {k: v for k, v in context.items() if k not in _MACHINE_KEYS},
        **extra,
    }
    _write(project, record)


def update_record(project: Path, **facts: Any) -> None:
    """Set top-level *facts* in the record of *project* (which must have one)."""
    record = read_record(project)
    if record is None:
        raise ValueError(f"{project} has no readable {RECORD_FILE}")
    record.update(facts)
    _write(project, record)


def read_record(project: Path) -> dict[str, Any] | None:
    """Return the record of a generated project, or None if there is none (or it is unreadable)."""
    try:
        text = (project / RECORD_FILE).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    return parse_record(text)


def parse_record(text: str) -> dict[str, Any] | None:
    """Return the record held in *text* (a ``.mlscaffold.json`` as a commit holds it), or None."""
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        return None
    return found if isinstance(found, dict) else None


def write_merged_record(
    project: Path, ours: Mapping[str, Any], rendered: Mapping[str, Any]
) -> dict[str, Any]:
    """Write, and return, the record of an updated project: *ours* with *rendered*'s render facts.

    *ours* is the record of the branch being updated (it may hold facts added
    since it was generated, such as the published links); *rendered* is the one
    the new render wrote. The file is written whole, so that a record both sides
    changed never holds conflict markers.
    """
    merged = {**ours, **{key: rendered[key] for key in RENDER_KEYS if key in rendered}}
    _write(project, merged)
    return merged


def _write(project: Path, record: Mapping[str, Any]) -> None:
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    # A new file put in the record's place: a record committed as a link to a file elsewhere
    # is replaced by a file, never written through.
    temporary = project / f"{RECORD_FILE}.{os.getpid()}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, project / RECORD_FILE)
