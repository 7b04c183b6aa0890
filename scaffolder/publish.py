"""Publish a generated repository: create it on GitHub (or use any git remote) and push main.

Safe to run again: once the GitHub repository exists, ``origin`` points at it,
so a rerun after a failed push only pushes, and never creates a second one. An
existing repository is pushed into only when asked (``existing``) and only if it
is empty; nothing is ever force-pushed.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scaffolder import gitops
from scaffolder.errors import InvalidInput
from scaffolder.generate import read_record
from scaffolder.github import (
    API_VERSION,
    DEFAULT_API_URL,
    TOKEN_HELP,
    GitHub,
    GitHubError,
    NameTaken,
    Token,
    repository_body,
)

_REPO_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True)
class PublishRequest:
    """What to publish and where; built by the CLI from its options."""

    project: Path
    name: str | None = None
    org: str | None = None
    private: bool = False
    template_repo: bool = False
    description: str | None = None
    homepage: str | None = None
    api_url: str = DEFAULT_API_URL
    remote: str | None = None
    existing: bool = False

    @property
    def repo_name(self) -> str:
        """The repository's name: --name, else the project folder's name."""
        return self.name or self.project.resolve().name


@dataclass(frozen=True)
class Published:
    """Where the project now lives."""

    url: str
    remote_url: str
    created: bool


def publish(
    request: PublishRequest,
    token: Token | None,
    notify: Callable[[str], None] = lambda message: None,
    github: GitHub | None = None,
) -> Published:
    """Create the repository (unless ``request.remote``), point origin at it and push main.

    *github* is a client to share (a classroom run shares one, for its rate limits);
    by default one is made from *token*.
    """
    _check_name(request.repo_name)
    repo = gitops.open_repository(request.project)
    if request.remote:
        _use_remote(repo, request.remote)
        gitops.push(repo, "origin")  # the user's own credentials: a GitHub token is not sent
        return Published(request.remote, request.remote, created=False)

    if token is None:
        raise GitHubError(f"no GitHub token found: {TOKEN_HELP}")
    github = github or GitHub(token, request.api_url, notify=notify)
    owner = request.org or github.login()
    info, created = _find_or_create(github, repo, request, owner, token)
    gitops.set_remote(repo, info["clone_url"])
    gitops.push(repo, "origin", token=token.value)
    return Published(info["html_url"], info["clone_url"], created)


def describe(request: PublishRequest, token: Token | None) -> list[str]:
    """Return the API calls and git commands ``publish`` would run (``--dry-run``; no token)."""
    _check_name(request.repo_name)
    gitops.open_repository(request.project)
    if request.remote:
        return [f"git remote add origin {request.remote}", "git push --set-upstream origin main"]
    source = token.source if token else "no token found: " + TOKEN_HELP
    body = repository_body(
        request.repo_name,
        request.private,
        request.template_repo,
        request.description or project_description(request.project),
        request.homepage or project_homepage(request.project),
    )
    path = f"/orgs/{request.org}/repos" if request.org else "/user/repos"
    owner = request.org or "<you>"
    api = request.api_url.rstrip("/")
    lines = [
        f"Headers: Accept: application/vnd.github+json, X-GitHub-Api-Version: {API_VERSION}, "
        f"Authorization: Bearer <token from {source}>"
    ]
    if not request.org:
        lines.append(f"GET {api}/user   (your login: the repository's owner)")
    lines += [
        f"POST {api}{path}   {json.dumps(body, ensure_ascii=False)}",
        f"git remote add origin <clone_url from that answer, e.g. "
        f"https://github.com/{owner}/{request.repo_name}.git>",
        "git push --set-upstream origin main:main   (the token goes to git through its "
        "environment, for that call only)",
    ]
    return lines


def project_description(project: Path) -> str | None:
    """Return the description recorded when the project was generated, or its pyproject's."""
    described = (read_record(project) or {}).get("context", {}).get("description")
    return str(described)[:350] if described else _pyproject(project).get("description")


def project_homepage(project: Path) -> str | None:
    """Return the homepage or documentation URL the project's pyproject names, if any."""
    urls = _pyproject(project).get("urls", {})
    return urls.get("Homepage") or urls.get("Documentation")


def _find_or_create(
    github: GitHub, repo, request: PublishRequest, owner: str, token: Token
) -> tuple[dict, bool]:
    name = request.repo_name
    origin = gitops.remote_url(repo)
    existing = github.repository(owner, name)
    if origin is not None:
        if existing is not None and origin == existing["clone_url"]:
            return existing, False  # an earlier run created it: finish the job
        raise InvalidInput(
            f"origin already points to {origin}; to push there use --remote {origin}, "
            "or remove it with `git remote remove origin`"
        )
    if existing is None:
        try:
            return _create(github, request, owner), True
        except NameTaken:  # created between our look and our request
            existing = github.repository(owner, name)
            if existing is None:
                raise
    if not request.existing:
        raise GitHubError(
            f"{owner}/{name} already exists on GitHub; to push into it (it must be empty), "
            "run again with --existing, or choose another --name"
        )
    gitops.set_remote(repo, existing["clone_url"])
    if gitops.remote_has_refs(repo, "origin", token.value):
        repo.delete_remote("origin")
        raise GitHubError(f"{owner}/{name} already has commits; mlscaffold never overwrites them")
    return existing, False


def _create(github: GitHub, request: PublishRequest, owner: str) -> dict:
    return github.create_repo(
        request.repo_name,
        org=request.org,
        private=request.private,
        is_template=request.template_repo,
        description=request.description or project_description(request.project),
        homepage=request.homepage or project_homepage(request.project),
    )


def _use_remote(repo, url: str) -> None:
    origin = gitops.remote_url(repo)
    if origin is not None and origin != url:
        raise InvalidInput(
            f"origin already points to {origin}; remove it first (`git remote remove origin`)"
        )
    gitops.set_remote(repo, url)


def _check_name(name: str) -> None:
    if not _REPO_NAME.fullmatch(name) or name in (".", ".."):
        raise InvalidInput(
            f"{name!r} cannot be a GitHub repository name (letters, digits, '.', '-', '_'; "
            "at most 100)"
        )


def _pyproject(project: Path) -> dict:
    try:
        return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError):
        return {}
