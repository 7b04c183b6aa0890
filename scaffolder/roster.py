"""Read a class roster: a CSV with a header, one student a row.

Columns (any case, any order, spaces around values ignored): ``github`` (the
student's GitHub handle) and/or ``name``, optionally ``email``, and any template
variable (e.g. ``random_seed``) to set it for that student. A byte-order mark and
blank lines are tolerated. A roster that is not valid CSV (an unclosed quote), or
without a ``github`` or ``name`` column, is refused as a whole, naming the line;
a bad row is reported and the other rows go on, so every data line ends up as a
student or as a reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify  # python-slugify, cookiecutter's: the templates' slugs agree

from scaffolder.errors import InvalidInput
from scaffolder.names import is_login

KNOWN_COLUMNS = ("github", "name", "email")


@dataclass(frozen=True)
class Student:
    """One usable roster row."""

    line: int
    key: str  # the handle, lowercased, or the name's slug: unique within the roster
    github: str | None
    name: str | None
    email: str | None
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """How reports and messages name the student."""
        return self.github or self.name or self.key


@dataclass(frozen=True)
class RowProblem:
    """A roster row that cannot be used, and why."""

    line: int
    student: str
    error: str


@dataclass(frozen=True)
class Roster:
    """The usable students, the rows that were refused, and columns that were ignored."""

    students: list[Student]
    problems: list[RowProblem]
    ignored_columns: list[str]


def _rows(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """Return the roster's non-blank rows, each with the line it starts on.

    Read as CSV, not line by line: only CR and LF end a row (not U+2028, VT or
    NEL), a quoted cell may span lines, and a malformed row refuses the roster
    whole, naming its line, rather than swallowing the rows after it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell is too long (over {csv.field_size_limit():,} characters)"
        raise InvalidInput(
            f"line {start} of the roster {path} is not valid CSV: {reason}"
        ) from None
    return rows


def read_roster(
    path: Path, template_variables: Iterable[str], reserved: Mapping[str, str] | None = None
) -> Roster:
    """Parse *path*; raise ``InvalidInput`` if it is unreadable or has no usable column.

    *reserved* maps the template variables the caller sets for every student
    itself to the reason: a column of that name is refused, not silently lost.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the roster {path}: {exc}") from exc
    rows = _rows(text, path)
    if not rows:
        raise InvalidInput(f"the roster {path} is empty")
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "github" not in header and "name" not in header:
        found = ", ".join(cell for cell in header if cell) or "none"
        raise InvalidInput(
            f"the roster {path} needs a 'github' or a 'name' column (its columns: {found})"
        )
    for column in dict.fromkeys(cell for cell in header if cell):
        if header.count(column) > 1:  # one would silently win over the other
            places = " and ".join(str(i + 1) for i, cell in enumerate(header) if cell == column)
            raise InvalidInput(
                f"the roster {path} has the column {column!r} more than once (columns {places}, "
                "in any case); keep one"
            )
    if len(rows) == 1:
        raise InvalidInput(f"the roster {path} has a header but no students")
    variables = {v.lower(): v for v in template_variables if not v.startswith("_")}
    for column in header:
        if column in variables and variables[column] in (reserved or {}):
            raise InvalidInput(
                f"the roster {path} has the column {variables[column]!r}, but "
                f"{(reserved or {})[variables[column]]}"
            )
    ignored = [c for c in header if c and c not in KNOWN_COLUMNS and c not in variables]

    students: list[Student] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for number, row in rows[1:]:
        cells = {header[i]: cell.strip() for i, cell in enumerate(row) if i < len(header)}
        # A line break typed in a cell (Alt+Enter in a spreadsheet) or any other run of
        # whitespace in a name is one space: the name goes into git and the LICENSE.
        cells["name"] = " ".join(cells.get("name", "").split())
        github, name = cells.get("github") or None, cells["name"] or None
        label = github or name or f"row {number}"
        extra = [cell for cell in row[len(header) :] if cell.strip()]
        if extra:
            problems.append(
                RowProblem(
                    number,
                    label,
                    f"{len(row)} cells where the header has {len(header)}: a value holding a "
                    "comma must be in double quotes",
                )
            )
            continue
        if github is None and name is None:
            problems.append(RowProblem(number, label, "no github handle and no name"))
            continue
        if github is not None and not is_login(github):
            problems.append(RowProblem(number, label, f"{github!r} is not a valid GitHub handle"))
            continue
        key = github.lower() if github else slugify(name or "")
        if not key:
            problems.append(
                RowProblem(number, label, f"the name {name!r} cannot make a repository name")
            )
            continue
        if key in seen:
            problems.append(
                RowProblem(number, label, f"duplicate of the student on line {seen[key]}")
            )
            continue
        seen[key] = number
        chosen = {variables[c]: v for c, v in cells.items() if c in variables and v}
        students.append(Student(number, key, github, name, cells.get("email") or None, chosen))
    return Roster(students, problems, ignored)
