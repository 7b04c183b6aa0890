"""Where a project's CI badge and links point: the GitHub account and repository it lives at.

The templates write ``https://github.com/<github_username>/<project_slug>`` into
the README (the CI badge and its link), the model card, CITATION.cff and
pyproject.toml. Without a GitHub user those say ``your-github-username``, and
the badge of a published project is broken. So ``new`` takes the login from
the user's ``gh`` or git config when there is one (no network), and
``publish`` points the links at the repository it publishes to, in a commit of
its own.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from scaffolder.errors import InvalidInput
from scaffolder.names import is_login
from scaffolder.record import RECORD_FILE, read_record, update_record

GITHUB = "https://github.com/"


def configured_login() -> str | None:
    """Return the user's GitHub login as ``gh`` or git knows it, or None; never ask the network.

    ``gh auth login`` writes the login to its ``hosts.yml`` (in ``$GH_CONFIG_DIR``,
    else ``$XDG_CONFIG_HOME/gh``, else ``~/.config/gh``); many people set git's
    ``github.user`` instead. A value that cannot be a GitHub login is ignored.
    """
    for login in (_gh_login(), _git_login()):
        if login and is_login(login):
            return login
    return None


def _gh_login() -> str | None:
    folder = os.environ.get("GH_CONFIG_DIR")
    if not folder:
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
        folder = str(Path(config, "gh"))
    path = Path(folder, "hosts.yml")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
    import yaml  # cookiecutter's own dependency; only read when gh is set up

    try:
        hosts = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    host = hosts.get("github.com") if isinstance(hosts, dict) else None
    user = host.get("user") if isinstance(host, dict) else None
    return user if isinstance(user, str) else None


def _git_login() -> str | None:
    from scaffolder import gitops

    return gitops.configured_value("github.user")


def current_url(project: Path) -> str | None:
    """Return the address the project's links hold, as recorded (None if it has no record)."""
    record = read_record(project)
    context = record.get("context") if record else None
    if not isinstance(context, dict):
        return None
    recorded = record.get("links") if record else None
    if isinstance(recorded, str):
        return recorded
    user, slug = context.get("github_username"), context.get("project_slug")
    return f"{GITHUB}{user}/{slug}" if isinstance(user, str) and isinstance(slug, str) else None


def files_to_repoint(repo: Any, url: str) -> tuple[str | None, list[str]]:
    """Return the links' current address and the tracked files holding it, if it is not *url*.

    The list is empty when the links already point at *url* (GitHub compares
    names without case) or the project has no record of them.
    """
    project = Path(repo.working_tree_dir)
    current = current_url(project)
    if current is None or current.rstrip("/").lower() == url.rstrip("/").lower():
        return current, []
    pattern = _link_pattern(current)
    listed = repo.git(c=["core.quotePath=false"]).ls_files("-z").split("\0")
    holding = []
    for file in filter(None, listed):
        path = project / file
        try:
            if path.is_file() and not path.is_symlink() and pattern.search(path.read_text("utf-8")):
                holding.append(file)
        except (OSError, UnicodeError):  # a binary file (a figure) holds no link
            continue
    return current, holding


def check_can_repoint(repo: Any, url: str) -> None:
    """Refuse (``InvalidInput``) if a file whose links must change has uncommitted changes.

    Called before anything is created, so that publish stops with nothing done:
    the commit that points the links must hold the new links and nothing else.
    """
    _refuse_uncommitted(repo, url, files_to_repoint(repo, url)[1])


def point_links(repo: Any, url: str) -> str | None:
    """Rewrite the project's links to the repository at *url* and commit that alone.

    Returns the commit's SHA, or None when nothing had to change.
    """
    from scaffolder import gitops

    current, files = files_to_repoint(repo, url)
    if current is None or not files:
        return None
    _refuse_uncommitted(repo, url, files)
    project = Path(repo.working_tree_dir)
    pattern = _link_pattern(current)
    for file in files:
        path = project / file
        # As bytes, so each file keeps its newlines (read_text would turn CR LF into LF).
        text = path.read_bytes().decode("utf-8")
        path.write_bytes(pattern.sub(url, text).encode("utf-8"))
    update_record(project, links=url)
    message = f"Point the CI badge and links at {url}"
    return gitops.commit_files(repo, [*files, RECORD_FILE], message)


def _refuse_uncommitted(repo: Any, url: str, files: list[str]) -> None:
    from scaffolder import gitops

    dirty = sorted(gitops.changed_files(repo) & {*files, RECORD_FILE}) if files else []
    if dirty:
        raise InvalidInput(
            f"{', '.join(dirty)} has uncommitted changes; commit or stash them first, so that "
            f"publish can point the CI badge and links at {url} in a commit of its own"
        )


def _link_pattern(current: str) -> re.Pattern[str]:
    # The whole address only: github.com/ada/radar must not match inside .../radar-2.
    return re.compile(re.escape(current.rstrip("/")) + r"(?![A-Za-z0-9._-])", re.IGNORECASE)
