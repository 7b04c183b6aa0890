"""GitHub's naming rules: accounts and organisations, and repositories.

Checked before any request, so that a name GitHub would refuse (``My Bootcamp``)
is one line of bad input, not a confusing answer from the API.
"""

from __future__ import annotations

import re

from scaffolder.contract import GITHUB_LOGIN as LOGIN
from scaffolder.errors import InvalidInput, shown

REPOSITORY = re.compile(r"[A-Za-z0-9._-]{1,100}")


def is_login(name: str) -> bool:
    """Whether *name* can be a GitHub user or organisation."""
    return bool(LOGIN.fullmatch(name))


def check_owner(name: str, what: str = "organisation") -> str:
    """Return *name* if it can be a GitHub account or organisation; else raise ``InvalidInput``."""
    if not is_login(name):
        raise InvalidInput(
            f"{shown(name)} cannot be a GitHub {what} name (letters, digits and single "
            "hyphens, at most 39)"
        )
    return name


def check_repository(name: str) -> str:
    """Return *name* if it can be a GitHub repository name; else raise ``InvalidInput``."""
    if not REPOSITORY.fullmatch(name) or name in (".", ".."):
        raise InvalidInput(
            f"{shown(name)} cannot be a GitHub repository name (letters, digits, '.', '-', "
            "'_'; at most 100)"
        )
    return name
