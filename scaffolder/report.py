"""The report of a class-wide run (classroom, sync, collect): CSV and JSON, rewritten as it goes.

Rows are dataclasses with at least ``line``, ``student``, ``repository`` and
``status`` (an enum of strings); the report keeps them in roster order and
writes both files atomically, so a run killed at any point leaves a report
that says what was done, and a rerun can read it back.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from scaffolder.errors import ScaffoldError


class Row(Protocol):
    """What the report needs of a row (a frozen dataclass): its place, its student, its status."""

    @property
    def line(self) -> int:
        """The roster line the row is about."""

    @property
    def student(self) -> str:
        """How the student is named."""

    @property
    def status(self) -> Enum:
        """Where the student stands: an enum whose values are the report's words."""


RowT = TypeVar("RowT", bound=Row)


class Flush(Enum):
    """When ``Report.put`` rewrites the report files."""

    NOW = "now"
    LATER = "later"  # at the next rewrite (the end of the run at the latest)
    PERIODICALLY = "periodically"  # if a period has passed since the last rewrite


class Report(Generic[RowT]):
    """The report's rows in roster order, rewritten atomically after every change.

    *name* gives the files' names (``NAME.csv``, ``NAME.json``), *fields* the CSV
    columns, *statuses* the counts of the JSON summary; *row* makes a row back
    from a JSON object of an earlier run's report. With *on_disk* False (a dry
    run) the rows are kept, and no file is written.
    """

    def __init__(
        self,
        folder: Path,
        name: str,
        fields: Sequence[str],
        statuses: Iterable[Enum],
        row: Callable[..., RowT],
        period: float = 1.0,
        *,
        on_disk: bool = True,
    ) -> None:
        self.folder = folder
        self.csv_path = folder / f"{name}.csv"
        self.json_path = folder / f"{name}.json"
        self.fields = tuple(fields)
        self.statuses = tuple(statuses)
        self.row = row
        self.period = period
        self.on_disk = on_disk
        self._rows: dict[tuple[int, str], RowT] = {}
        self._lock = threading.Lock()
        self._written = 0.0

    def load_previous(self) -> dict[str, RowT]:
        """Rows of an earlier run's report, by repository name (empty if there is none)."""
        try:
            rows = json.loads(self.json_path.read_text(encoding="utf-8"))["students"]
            return {
                r["repository"]: self.row(**r)
                for r in rows
                if isinstance(r, dict) and r.get("repository")
            }
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return {}  # missing, or not a report this tool wrote: start afresh

    def put(self, row: RowT, flush: Flush = Flush.NOW) -> None:
        """Record *row*; rewrite the files now, later, or now if a period has passed."""
        with self._lock:
            self._rows[(row.line, row.student)] = row
            due = time.monotonic() - self._written >= self.period
            if flush is Flush.NOW or (flush is Flush.PERIODICALLY and due):
                self._write_locked()

    def write(self) -> None:
        """Rewrite the report files."""
        with self._lock:
            self._write_locked()

    def rows(self) -> list[RowT]:
        """Return the rows, in roster order."""
        with self._lock:
            return [self._rows[key] for key in sorted(self._rows)]

    def _write_locked(self) -> None:
        if not self.on_disk:
            return
        rows = [asdict(self._rows[key]) for key in sorted(self._rows)]  # type: ignore[call-overload]
        summary = {
            status.value: sum(r["status"] == status for r in rows) for status in self.statuses
        }
        atomic_write(
            self.json_path,
            json.dumps({"summary": summary, "students": rows}, indent=2, default=_plain) + "\n",
        )
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.fields)
        writer.writeheader()
        writer.writerows({key: inert(_cell(row[key])) for key in self.fields} for row in rows)
        atomic_write(self.csv_path, buffer.getvalue())
        self._written = time.monotonic()


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON")


def _cell(value: Any) -> Any:
    """Return *value* as a CSV cell: a list (of files) as its items, one space apart."""
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return value


def inert(value: object) -> object:
    """*value* as a spreadsheet shows it but never runs it: a leading ``=+-@`` is quoted.

    A roster cell or an error message beginning with ``=`` would be a formula when
    the report is opened (CSV injection); spreadsheet exports prefix a ``'``.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def atomic_write(path: Path, text: str) -> None:
    """Write *text* to *path* through a temporary file beside it, so it is never half-written."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        # surrogateescape: a folder name that is not UTF-8 is written back as its own bytes.
        temporary.write_text(text, encoding="utf-8", errors="surrogateescape")
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile
        raise ScaffoldError(f"cannot write the report {path}: {exc.strerror or exc}") from None
