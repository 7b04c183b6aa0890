"""The template contract: the standard variables mlscaffold itself knows and sets.

Every bundled template asks for these in its ``cookiecutter.json``; the
commands fill them from their options (``new --author``), from the user's git
and gh config, and from a roster (``classroom``). Their names live here once;
their defaults and choices (the placeholder author, the licences) are read
from the templates themselves, so a template stays the one source of truth.

The templates' validation hook (``templates/_shared/hooks/pre_gen_project.py``)
is run by plain cookiecutter too, where mlscaffold is not installed, so it
cannot import this module: it keeps its own copy of the names and of the
GitHub-handle pattern, and ``tests/test_templates.py`` checks that the two agree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

PROJECT_NAME = "project_name"
PROJECT_SLUG = "project_slug"
PACKAGE_NAME = "package_name"
DESCRIPTION = "description"
AUTHOR_NAME = "author_name"
AUTHOR_EMAIL = "author_email"
GITHUB_USER = "github_username"
LICENSE = "license"
RANDOM_SEED = "random_seed"

# In the order the templates ask for them.
STANDARD_VARIABLES = (
    PROJECT_NAME,
    PROJECT_SLUG,
    PACKAGE_NAME,
    DESCRIPTION,
    AUTHOR_NAME,
    AUTHOR_EMAIL,
    GITHUB_USER,
    LICENSE,
    RANDOM_SEED,
)

# A GitHub account or organisation: letters, digits and single hyphens, not at
# either end; at most 39 characters. (The hook's copy must be the same pattern.)
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


def given_answers(
    settings: Mapping[str, str],
    *,
    project_name: str | None = None,
    author_name: str | None = None,
    author_email: str | None = None,
    github_user: str | None = None,
    license_: str | None = None,
) -> dict[str, str]:
    """Return the answers of ``new``: the ``--set`` *settings*, overridden by the options given."""
    answers = dict(settings)
    for key, value in (
        (PROJECT_NAME, project_name),
        (AUTHOR_NAME, author_name),
        (AUTHOR_EMAIL, author_email),
        (GITHUB_USER, github_user),
        (LICENSE, license_),
    ):
        if value is not None:
            answers[key] = value
    return answers


def placeholder(raw_context: Mapping[str, Any], variable: str) -> str | None:
    """Return a template's own default for *variable* (e.g. "Your Name"), if it is plain text.

    A value still equal to it after the answers are resolved was given by nobody.
    """
    value = raw_context.get(variable)
    return value if isinstance(value, str) else None


@functools.cache
def licence_choices() -> tuple[str, ...]:
    """Return the licences the bundled templates offer, in their order (read once a process)."""
    from scaffolder.catalog import list_templates

    found: dict[str, None] = {}
    for template in list_templates():
        offered = template.raw_context.get(LICENSE)
        for choice in offered if isinstance(offered, list) else []:
            found.setdefault(str(choice))
    return tuple(found)
