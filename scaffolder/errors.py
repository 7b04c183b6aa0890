"""The one exception tree of mlscaffold.

Every error the library raises on purpose is a ``ScaffoldError``. The exit code
lives on the class (as click does it), so the CLI maps the whole tree to a
one-line message and an exit status in one place: 1 for a failure at run time,
2 for bad usage or bad input.
"""

from __future__ import annotations


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
