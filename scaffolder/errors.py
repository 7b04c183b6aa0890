"""The one exception tree of mlscaffold.

Every error the library raises on purpose is a ``ScaffoldError``. The exit code
lives on the class (as click does it), so the CLI maps the whole tree to a
one-line message and an exit status in one place: 1 for a failure at run time,
2 for bad usage or bad input, 3 for an update stopped on conflicts, 4 for a
template that needs ``--trust``.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path


class ScaffoldError(Exception):
    """Base class: a run-time failure the user can act on (exit status 1)."""

    exit_code = 1


class InvalidInput(ScaffoldError):
    """Raised when an argument, option or answer is not acceptable (exit status 2)."""

    exit_code = 2


class UnknownTemplate(InvalidInput):
    """Raised when a template name is not one of the bundled templates."""


class TargetExists(InvalidInput):
    """Raised when the project directory already exists and is not empty."""


class RenderError(ScaffoldError):
    """Raised when cookiecutter fails while rendering; nothing is left behind."""


class GitError(ScaffoldError):
    """Raised when git is missing or fails; the rendered project is kept."""


class StepFailed(ScaffoldError):
    """Raised when a step of ``new --train`` (install, tests, training) fails.

    The project is kept and committed without results; the message names the
    step, and ``tail`` holds the last lines it printed.
    """

    def __init__(self, message: str, step: str, tail: list[str]) -> None:
        super().__init__(message)
        self.step = step
        self.tail = tail


class UpdateConflicts(ScaffoldError):
    """Raised when an update stopped on conflicts: the repository is in git's merge state.

    Its own exit status (3), so that a script or a bot never takes a tree with
    conflict markers for a finished update.
    """

    exit_code = 3


class NeedsTrust(ScaffoldError):
    """Raised when a template from a folder or a git repository has code of its own.

    Hooks, Jinja extensions, links out of it: refused without ``--trust`` (or a
    trusted source in the user's config), with nothing written. Its own exit
    status (4), so that a script can tell "read it first" from a failure.
    """

    exit_code = 4


# Marks that show nothing (variation selectors, the combining grapheme joiner, Hangul
# fillers): text can hide between them, so messages show them escaped.
_INVISIBLE_MARKS = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)]
    + [chr(c) for c in range(0xE0100, 0xE01F0)]
    + ["\u034f", "\u180b", "\u180c", "\u180d", "\u115f", "\u1160", "\u3164", "\uffa0"]
)


def printable(text: str) -> str:
    """Return *text* as one line that is safe to print on a terminal.

    Messages can carry what a server or a file sent (a GitHub error, a roster
    cell): line breaks and tabs become spaces, and every other control or
    invisible formatting character (ESC sequences that retitle or clear a
    terminal, right-to-left overrides) is shown as an escape such as ``\\x1b``.
    """
    out = []
    for ch in text:
        if ch in "\r\n\t\v\f\x85\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in _INVISIBLE_MARKS:
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out).strip()


def shown(value: object, limit: int = 40) -> str:
    """Return *value* quoted for a message: escaped as Python does, and cut if it is long."""
    text = str(value)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."


def display_path(path: Path) -> str:
    """*path* relative to the working directory when it lies inside it, else absolute.

    A name that is not UTF-8 (its bytes arrive as lone surrogates) is shown escaped.
    """
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        relative = str(path)
    text = str(path) if relative.startswith("..") else relative
    return text if text.isprintable() else printable(text)
