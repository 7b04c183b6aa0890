"""Publish a generated repository: create it on GitHub (or use any git remote) and push main.

Safe to run again: once the GitHub repository exists, ``origin`` points at it,
so a rerun after a failed push only pushes, and never creates a second one.
Before asking GitHub to create a repository, the intent is recorded in the
project's ``.git`` folder, so a rerun after a create whose answer was lost (the
repository exists, but the first run never heard) adopts that repository. Any
other existing repository is pushed into only when asked (``existing``); either
way only if it is empty. Nothing is ever force-pushed.
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffolder import gitops, links
from scaffolder.credentials import (
    Token,
    find_token,
    redact,
    redact_url,
    split_credentials,
    token_help,
)
from scaffolder.errors import InvalidInput, ScaffoldError
from scaffolder.github import (
    API_VERSION,
    DEFAULT_API_URL,
    GitHub,
    GitHubError,
    NameTaken,
    NoAnswer,
    check_api_url,
    repository_body,
)
from scaffolder.names import check_owner, check_repository
from scaffolder.record import read_record

# GitHub may answer "repository not found" to the first push into a repository it
# created a moment ago; the push is tried again after each of these delays (seconds).
PUSH_RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
# In the project's .git folder (never the working tree: `git status` stays clean): the
# repository a run is about to create, so that a rerun can tell it from someone else's.
INTENT_FILE = "mlscaffold-publish.json"


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

    def check(self) -> None:
        """Refuse, before anything is done, names and URLs that cannot work."""
        if self.name is not None and not self.name.strip():
            raise InvalidInput("--name is empty; leave it out to use the folder's name")
        check_repository(self.repo_name)
        if self.remote is not None and self.remote.split("::", 1)[0].lower() in ("ext", "fd"):
            # git's ext:: and fd:: transports run a command or use a file descriptor
            raise InvalidInput(
                "--remote with git's ext:: or fd:: transport runs a command, not a push; "
                "give an https://, ssh:// or user@host:path address"
            )
        if self.remote is None:
            check_api_url(self.api_url)
            if self.org is not None:
                check_owner(self.org)


@dataclass(frozen=True)
class Published:
    """Where the project now lives."""

    url: str
    remote_url: str
    created: bool


def require_token(api_url: str) -> Token:
    """Return the token for *api_url*'s host, or raise ``GitHubError`` saying how to get one."""
    token = find_token(api_url)
    if token is None:
        raise GitHubError(f"no GitHub token found: {token_help(api_url)}")
    return token


def publish(
    request: PublishRequest,
    token: Token | None = None,
    notify: Callable[[str], None] = lambda message: None,
    github: GitHub | None = None,
) -> Published:
    """Create the repository (unless ``request.remote``), point origin at it and push main.

    The token is looked up for the API's host unless given; *github* is a client
    to share (a classroom run shares one, for its rate limits). No message this
    raises holds the token.
    """
    request.check()
    with _redacting(token):
        repo = gitops.open_repository(request.project)
        if request.remote:
            # Credentials in the URL are used for this push only, never stored in
            # .git/config; a GitHub token is never sent to such a server.
            bare, credentials = split_credentials(request.remote)
            auth = gitops.BasicAuth(*credentials) if credentials else None
            _use_remote(repo, bare)
            gitops.push(repo, "origin", auth=auth)
            return Published(bare, bare, created=False)

        token = token or require_token(request.api_url)
        github = github or GitHub(token, request.api_url, notify=notify)
        owner = request.org or github.login()
        auth = gitops.BasicAuth("x-access-token", token.value)
        # Refused now, with nothing created, rather than after the repository exists.
        links.check_can_repoint(repo, links.GITHUB + f"{owner}/{request.repo_name}")
        info, created, fresh = _find_or_create(github, repo, request, owner, auth, notify)
        repointed = links.point_links(repo, info["html_url"])
        if repointed:
            notify(f"Pointed the CI badge and links at {info['html_url']} (commit {repointed[:7]})")
        gitops.set_remote(repo, info["clone_url"])
        if fresh:
            _push_when_ready(repo, auth, f"{owner}/{request.repo_name}", github.sleep, notify)
        else:
            gitops.push(repo, "origin", auth=auth)
        _forget_intent(repo)  # done: origin now says where the project lives
        return Published(info["html_url"], info["clone_url"], created)


@contextmanager
def _redacting(token: Token | None) -> Iterator[None]:
    """Re-raise any error of the block with every form of *token* taken out of its message."""
    try:
        yield
    except ScaffoldError as exc:
        clean = redact(str(exc), [token])
        if clean == str(exc):
            raise
        raise type(exc)(clean) from None


def describe(request: PublishRequest) -> list[str]:
    """Return the API calls and git commands ``publish`` would run (``--dry-run``; no token)."""
    request.check()
    gitops.open_repository(request.project)
    if request.remote:
        bare, _ = split_credentials(request.remote)
        return [f"git remote add origin {bare}", "git push --set-upstream origin main"]
    token = find_token(request.api_url)
    source = token.source if token else "no token found: " + token_help(request.api_url)
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
    ]
    current = links.current_url(request.project)
    if current and current.lower() != f"{links.GITHUB}{owner}/{request.repo_name}".lower():
        lines.append(
            f"git commit   (points the CI badge and links, now {current}, at the new "
            "repository's address, if they differ)"
        )
    lines += [
        f"git remote add origin <clone_url from that answer, e.g. "
        f"https://github.com/{owner}/{request.repo_name}.git>",
        "git push --set-upstream origin main:main   (the token goes to git through its "
        "environment, for that call only)",
    ]
    return lines


def project_description(project: Path) -> str | None:
    """Return the description recorded when the project was generated, or its pyproject's."""
    context = (read_record(project) or {}).get("context")
    described = context.get("description") if isinstance(context, dict) else None
    if not described:
        described = _pyproject(project).get("description")
    # GitHub takes one line of at most 350 characters.
    return " ".join(str(described).split())[:350] if described else None


def project_homepage(project: Path) -> str | None:
    """Return the homepage or documentation URL the project's pyproject names, if any."""
    urls = _pyproject(project).get("urls", {})
    found = (urls.get("Homepage") or urls.get("Documentation")) if isinstance(urls, dict) else None
    return found if isinstance(found, str) else None


def _find_or_create(
    github: GitHub,
    repo: Any,
    request: PublishRequest,
    owner: str,
    auth: gitops.BasicAuth,
    notify: Callable[[str], None],
) -> tuple[dict[str, Any], bool, bool]:
    """Return the repository to push to, whether this run created it, and whether it is new.

    New: mlscaffold created it just now, in this run or in an earlier one that got no
    answer; GitHub may not have made such a repository ready for a push yet.
    """
    name = request.repo_name
    origin = gitops.remote_url(repo)
    existing = github.repository(owner, name)
    if origin is not None:
        if existing is not None and origin == existing["clone_url"]:
            return existing, False, False  # an earlier run created it: finish the job
        raise InvalidInput(
            f"origin already points to {redact_url(origin)}; to push there use --remote "
            "with that URL, or remove it with `git remote remove origin`"
        )
    # Recorded by an earlier run that asked GitHub for this very repository.
    ours = _intended(repo, request.api_url, owner, name)
    if existing is None:
        try:
            return _create(github, repo, request, owner), True, True
        except NameTaken:  # created between our look and our request
            if not ours:  # by someone else
                _forget_intent(repo)
            existing = github.repository(owner, name)
            if existing is None:
                raise
    if not (request.existing or ours):
        raise GitHubError(
            f"{owner}/{name} already exists on GitHub; to push into it (it must be empty), "
            "run again with --existing, or choose another --name"
        )
    # Looked at by its URL: origin is set only once the repository is known to be empty,
    # for a rerun takes an origin that points at the repository for one of its own.
    if gitops.remote_has_refs(repo, existing["clone_url"], auth):
        _forget_intent(repo)
        raise GitHubError(f"{owner}/{name} already has commits; mlscaffold never overwrites them")
    gitops.set_remote(repo, existing["clone_url"])
    if ours:
        notify(f"{owner}/{name} was created by an earlier run that got no answer; pushing into it")
    return existing, False, ours


def _create(github: GitHub, repo: Any, request: PublishRequest, owner: str) -> dict[str, Any]:
    _record_intent(repo, request.api_url, owner, request.repo_name)
    try:
        return github.create_repo(
            request.repo_name,
            org=request.org,
            private=request.private,
            is_template=request.template_repo,
            description=request.description or project_description(request.project),
            homepage=request.homepage or project_homepage(request.project),
        )
    except NoAnswer as exc:
        # The record stays: the rerun finds the repository and knows it for ours.
        raise NoAnswer(
            f"{exc} (if GitHub created {owner}/{request.repo_name} all the same, the rerun "
            "pushes into it without creating a second one)"
        ) from None
    except NameTaken:
        raise
    except GitHubError:
        _forget_intent(repo)  # a plain refusal: nothing was created
        raise


def _push_when_ready(
    repo: Any,
    auth: gitops.BasicAuth,
    full_name: str,
    sleep: Callable[[float], None],
    notify: Callable[[str], None],
) -> None:
    """Push to the repository created a moment ago, waiting while GitHub says it is not found."""
    for delay in PUSH_RETRY_DELAYS:
        try:
            gitops.push(repo, "origin", auth=auth)
            return
        except gitops.RemoteNotFound:
            notify(f"GitHub has not made {full_name} ready yet; retrying the push in {delay:g} s")
            sleep(delay)
    try:
        gitops.push(repo, "origin", auth=auth)
    except gitops.RemoteNotFound as exc:
        waited = sum(PUSH_RETRY_DELAYS)
        raise gitops.RemoteNotFound(
            f"{exc}, {waited:g} s after GitHub created {full_name}; run the same command again "
            "in a minute"
        ) from None


def _intent_path(repo: Any) -> Path:
    return Path(repo.git_dir) / INTENT_FILE


def _record_intent(repo: Any, api_url: str, owner: str, name: str) -> None:
    """Write down, before asking, which repository this run asks GitHub to create."""
    path = _intent_path(repo)
    temporary = path.with_name(f".{path.name}.tmp")
    # The API's address (checked: no credentials in it), the owner and the name: never
    # the token.
    text = json.dumps({"api_url": api_url, "owner": owner, "name": name}) + "\n"
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise ScaffoldError(f"cannot write {path}: {exc.strerror or exc}") from None


def _intended(repo: Any, api_url: str, owner: str, name: str) -> bool:
    """Whether an earlier run recorded that it asked GitHub to create owner/name at api_url."""
    try:
        found = json.loads(_intent_path(repo).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False  # none, or not one this tool wrote
    if not isinstance(found, dict):
        return False
    # GitHub's owner and repository names are case-insensitive.
    wanted = {"api_url": api_url, "owner": owner.lower(), "name": name.lower()}
    given = {
        "api_url": found.get("api_url"),
        "owner": str(found.get("owner", "")).lower(),
        "name": str(found.get("name", "")).lower(),
    }
    return given == wanted


def _forget_intent(repo: Any) -> None:
    # A record left behind only ever lets a rerun push into an empty repository of that
    # very name; failing to remove it is no reason to fail the run.
    with contextlib.suppress(OSError):
        _intent_path(repo).unlink(missing_ok=True)


def _use_remote(repo: Any, url: str) -> None:
    origin = gitops.remote_url(repo)
    if origin is not None and origin != url:
        raise InvalidInput(
            f"origin already points to {redact_url(origin)}; remove it first "
            "(`git remote remove origin`)"
        )
    gitops.set_remote(repo, url)


def _pyproject(project: Path) -> dict[str, Any]:
    try:
        found = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}
