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
import shlex
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffolder import gitops, links
from scaffolder.credentials import (
    Token,
    redact,
    redact_url,
    split_credentials,
    token_help,
)
from scaffolder.destination import Destination
from scaffolder.errors import InvalidInput, ScaffoldError, display_path
from scaffolder.github import (
    API_VERSION,
    GitHub,
    GitHubError,
    NameTaken,
    NoAnswer,
    repository_body,
    web_origin,
)
from scaffolder.names import check_repository
from scaffolder.record import read_record

if TYPE_CHECKING:
    from scaffolder.generate import Project, ProjectRequest

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
    destination: Destination = Destination()
    name: str | None = None
    description: str | None = None
    homepage: str | None = None
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
            self.destination.api()


@dataclass(frozen=True)
class Published:
    """Where the project now lives; for a dry run, where it would, and the steps it would take."""

    url: str
    remote_url: str
    created: bool
    steps: tuple[str, ...] = ()


class _Steps:
    """The changes of one publish run: made, or with *pretend* only written down.

    Reads (your login, whether the repository exists, whether it is empty) are
    made either way, so that a dry run meets every refusal a real run would.
    """

    def __init__(self, pretend: bool) -> None:
        self.pretend = pretend
        self.lines: list[str] = []

    def note(self, line: str) -> None:
        """Write down a read the run made (shown by a dry run only)."""
        if self.pretend:
            self.lines.append(line)

    def change(self, line: str, action: Callable[[], object]) -> bool:
        """Make the change *action* makes, or write down *line* instead; whether it was made."""
        if self.pretend:
            self.lines.append(line)
            return False
        action()
        return True


def publish(
    request: PublishRequest,
    token: Token | None = None,
    notify: Callable[[str], None] = lambda message: None,
    github: GitHub | None = None,
    *,
    pretend: bool = False,
) -> Published:
    """Create the repository (unless ``request.remote``), point origin at it and push main.

    The token is looked up for the API's host unless given; *github* is a client
    to share (a classroom run shares one, for its rate limits). No message this
    raises holds the token. With *pretend* (``--dry-run``) nothing is changed:
    the same checks and reads are made (with a token: your login and the
    repository's lookup), and ``Published.steps`` lists what would be changed.
    """
    request.check()
    gitops.forget_callers_repository()  # called from a hook, git must not follow its GIT_DIR
    steps = _Steps(pretend)
    with _redacting(token):
        repo = gitops.open_repository(request.project)
        if request.remote:
            # Credentials in the URL are used for this push only, never stored in
            # .git/config; a GitHub token is never sent to such a server.
            bare, credentials = split_credentials(request.remote)
            auth = gitops.BasicAuth(*credentials) if credentials else None
            _use_remote(repo, bare, steps)
            steps.change(
                f"git push --set-upstream origin {gitops.BRANCH}",
                lambda: gitops.push(repo, "origin", auth=auth),
            )
            return Published(bare, bare, created=False, steps=tuple(steps.lines))

        api, token = request.destination.settle(token, required=not pretend)
        source = token.source if token else "no token found: " + token_help(api)
        steps.note(
            f"Headers: Accept: application/vnd.github+json, X-GitHub-Api-Version: {API_VERSION}, "
            f"Authorization: Bearer <token from {source}>"
        )
        if token is not None:
            github = github or GitHub(token, api, notify=notify)
        owner = request.destination.org or _login(github, api, steps)
        auth = gitops.BasicAuth("x-access-token", token.value) if token else None
        expected = web_address(api, owner, request.repo_name)
        # Refused now, with nothing created, rather than after the repository exists.
        links.check_can_repoint(repo, expected)
        info, created, fresh = _find_or_create(
            github, repo, request, api, owner, auth, notify, steps
        )
        if steps.pretend:
            current, repointed = links.files_to_repoint(repo, info["html_url"])
            if repointed:
                steps.note(
                    f"git commit   (points the CI badge and links, now {current}, at "
                    f"{info['html_url']})"
                )
        else:
            sha = links.point_links(repo, info["html_url"])
            if sha:
                notify(f"Pointed the CI badge and links at {info['html_url']} (commit {sha[:7]})")
        if gitops.remote_url(repo) != info["clone_url"]:
            steps.change(
                f"git remote add origin {info['clone_url']}",
                lambda: gitops.set_remote(repo, info["clone_url"]),
            )
        pushed = "   (the token goes to git through its environment, for that call only)"
        if fresh:
            full_name = f"{owner}/{request.repo_name}"
            steps.change(
                f"git push --set-upstream origin {gitops.BRANCH}:{gitops.BRANCH}{pushed}",
                lambda: _push_when_ready(repo, auth, full_name, _sleep(github), notify),
            )
        else:
            steps.change(
                f"git push --set-upstream origin {gitops.BRANCH}:{gitops.BRANCH}{pushed}",
                lambda: gitops.push(repo, "origin", auth=auth),
            )
        if not pretend:
            _forget_intent(repo)  # done: origin now says where the project lives
        return Published(info["html_url"], info["clone_url"], created, tuple(steps.lines))


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


def _login(github: GitHub | None, api: str, steps: _Steps) -> str:
    """Return the token's user, who owns a repository published without --org."""
    if github is None:  # a dry run without a token: nobody to ask
        steps.note(f"GET {api}/user   (your login: the repository's owner; needs a token)")
        return "<you>"
    login = github.login()
    steps.note(f"GET {api}/user   (your login, the repository's owner: {login})")
    return login


def _sleep(github: GitHub | None) -> Callable[[float], None]:
    return github.sleep if github is not None else (lambda seconds: None)


def web_address(api_url: str, owner: str, name: str) -> str:
    """Return the web address of owner/name on the server of *api_url* (GitHub Enterprise too)."""
    scheme, host, port = web_origin(api_url)
    default = {"https": 443, "http": 80}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}/{owner}/{name}"


def create_and_publish(
    request: ProjectRequest,
    destination: Destination,
    notify: Callable[[str], None] = lambda message: None,
    *,
    created: Callable[[Project], None] = lambda project: None,
) -> tuple[Project, Published]:
    """Generate the project *request* describes, then publish it (``new --publish``).

    Where and as whom to publish is settled (API, organisation, token) before
    anything is written; *created* is called with the project once it exists.
    If publishing fails, the project stays, and the error says so and how to
    finish the job.
    """
    from scaffolder.generate import create_project

    _, token = destination.settle()
    project = create_project(request)
    created(project)
    try:
        published = publish(PublishRequest(project.path, destination), token, notify)
    except ScaffoldError as exc:
        shown = display_path(project.path)
        exc.add_note(
            f"(the project is ready at {shown}; fix that, then run "
            f"`mlscaffold publish {shlex.quote(shown)}`)"
        )
        raise
    return project, published


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
    github: GitHub | None,
    repo: Any,
    request: PublishRequest,
    api: str,
    owner: str,
    auth: gitops.BasicAuth | None,
    notify: Callable[[str], None],
    steps: _Steps,
) -> tuple[dict[str, Any], bool, bool]:
    """Return the repository to push to, whether this run created it, and whether it is new.

    New: mlscaffold created it just now, in this run or in an earlier one that got no
    answer; GitHub may not have made such a repository ready for a push yet. Without
    a client (a dry run without a token) the repository is taken to be missing.
    """
    name = request.repo_name
    origin = gitops.remote_url(repo)
    existing = _look_up(github, api, owner, name, steps)
    if origin is not None:
        if existing is not None and origin == existing["clone_url"]:
            return existing, False, False  # an earlier run created it: finish the job
        raise InvalidInput(
            f"origin already points to {redact_url(origin)}; to push there use --remote "
            "with that URL, or remove it with `git remote remove origin`"
        )
    # Recorded by an earlier run that asked GitHub for this very repository.
    ours = _intended(repo, api, owner, name)
    if existing is None:
        if github is None or steps.pretend:
            return _would_create(request, api, owner, steps), True, True
        try:
            return _create(github, repo, request, api, owner), True, True
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
        if not steps.pretend:
            _forget_intent(repo)
        raise GitHubError(f"{owner}/{name} already has commits; mlscaffold never overwrites them")
    if steps.pretend:
        return existing, False, ours
    gitops.set_remote(repo, existing["clone_url"])
    if ours:
        notify(f"{owner}/{name} was created by an earlier run that got no answer; pushing into it")
    return existing, False, ours


def _look_up(
    github: GitHub | None, api: str, owner: str, name: str, steps: _Steps
) -> dict[str, Any] | None:
    """GitHub's description of owner/name, or None; a dry run without a token cannot look."""
    if github is None:
        steps.note(f"GET {api}/repos/{owner}/{name}   (whether it exists; needs a token)")
        return None
    found = github.repository(owner, name)
    steps.note(
        f"GET {api}/repos/{owner}/{name}   ("
        + ("it exists: " + found["html_url"] if found else "not found: it would be created")
        + ")"
    )
    return found


def _would_create(request: PublishRequest, api: str, owner: str, steps: _Steps) -> dict[str, Any]:
    """Write down the create a dry run would ask for; return the repository it would make."""
    body = repository_body(
        request.repo_name,
        bool(request.destination.private),
        request.destination.template_repo,
        request.description or project_description(request.project),
        request.homepage or project_homepage(request.project),
    )
    org = request.destination.org
    path = f"/orgs/{org}/repos" if org else "/user/repos"
    steps.note(f"POST {api}{path}   {json.dumps(body, ensure_ascii=False)}")
    html_url = web_address(api, owner, request.repo_name)
    return {"html_url": html_url, "clone_url": f"{html_url}.git"}


def _create(
    github: GitHub, repo: Any, request: PublishRequest, api: str, owner: str
) -> dict[str, Any]:
    _record_intent(repo, api, owner, request.repo_name)
    try:
        return github.create_repo(
            request.repo_name,
            org=request.destination.org,
            private=bool(request.destination.private),
            is_template=request.destination.template_repo,
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
    auth: gitops.BasicAuth | None,
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


def _use_remote(repo: Any, url: str, steps: _Steps) -> None:
    origin = gitops.remote_url(repo)
    if origin is not None and origin != url:
        raise InvalidInput(
            f"origin already points to {redact_url(origin)}; remove it first "
            "(`git remote remove origin`)"
        )
    if origin is None or not steps.pretend:
        steps.change(f"git remote add origin {url}", lambda: gitops.set_remote(repo, url))


def _pyproject(project: Path) -> dict[str, Any]:
    try:
        found = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}
