"""GitHub's REST API: the few calls mlscaffold makes, its token rules, and its rate limits.

The token is read from the environment (``GITHUB_TOKEN``, then ``GH_TOKEN``) or
from ``gh auth token``. It is held in memory only: it is never written to a file,
a log line, an error message or a repr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from scaffolder.errors import ScaffoldError

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
TOKEN_HELP = (
    "set GITHUB_TOKEN (or GH_TOKEN) to a token with the 'repo' scope, or log in with "
    "`gh auth login`; see the README's section on publishing"
)


class GitHubError(ScaffoldError):
    """Raised when GitHub cannot be reached or refuses a request."""


class NameTaken(GitHubError):
    """Raised when the repository name is already used by the owner (HTTP 422)."""


@dataclass(frozen=True)
class Token:
    """A GitHub token and where it came from; its value never appears in a repr or a message."""

    value: str = field(repr=False)
    source: str


def find_token(environ: Mapping[str, str] = os.environ) -> Token | None:
    """Return the token from GITHUB_TOKEN, GH_TOKEN, or `gh auth token`, in that order."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        if environ.get(name, "").strip():
            return Token(environ[name].strip(), name)
    gh = shutil.which("gh", path=environ.get("PATH"))
    if gh:
        try:
            done = subprocess.run(
                [gh, "auth", "token"], capture_output=True, text=True, timeout=15, env=dict(environ)
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode == 0 and done.stdout.strip():
            return Token(done.stdout.strip(), "`gh auth token`")
    return None


class GitHub:
    """A client for the endpoints mlscaffold needs, retrying politely when rate-limited.

    *notify* receives one-line progress messages (e.g. how long a rate limit makes
    it wait); *sleep* is how it waits.
    """

    def __init__(
        self,
        token: Token,
        api_url: str = DEFAULT_API_URL,
        *,
        retries: int = 3,
        max_wait: float = 900.0,
        notify: Callable[[str], None] = lambda message: None,
        sleep: Callable[[float], None] = time.sleep,
        write_interval: float = 0.0,
    ) -> None:
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.retries = retries
        self.max_wait = max_wait
        self.notify = notify
        self.sleep = sleep
        # GitHub asks for at least a second between content-creating requests of one
        # user; threads publishing a class share this client, so they take turns.
        self.write_interval = write_interval
        self._write_lock = threading.Lock()
        self._last_write = 0.0

    def __repr__(self) -> str:
        return f"GitHub({self.api_url!r}, token from {self._token.source})"

    def login(self) -> str:
        """Return the login of the token's user."""
        return self._call("GET", "/user", action="read your user")["login"]

    def create_repo(
        self,
        name: str,
        *,
        org: str | None = None,
        private: bool = False,
        is_template: bool = False,
        description: str | None = None,
        homepage: str | None = None,
    ) -> dict[str, Any]:
        """Create an empty repository under the user or *org*; return GitHub's description of it."""
        body = repository_body(name, private, is_template, description, homepage)
        path = f"/orgs/{org}/repos" if org else "/user/repos"
        owner = org or "your account"
        status, payload = self._request("POST", path, body)
        if status == 422 and _name_taken(payload):
            raise NameTaken(f"a repository named {name!r} already exists in {owner}")
        return self._checked(status, payload, f"create a repository in {owner}")

    def repository(self, owner: str, name: str) -> dict[str, Any] | None:
        """GitHub's description of owner/name, or None if it does not exist (or is not visible)."""
        status, payload = self._request("GET", f"/repos/{owner}/{name}")
        if status == 404:
            return None
        return self._checked(status, payload, f"read {owner}/{name}")

    def user_exists(self, login: str) -> bool:
        """Whether a GitHub user called *login* exists."""
        status, payload = self._request("GET", f"/users/{login}")
        if status == 404:
            return False
        self._checked(status, payload, f"look up the user {login}")
        return True

    def add_collaborator(self, owner: str, name: str, login: str, permission: str = "push") -> None:
        """Invite *login* to owner/name with *permission* (an invitation they accept on GitHub)."""
        path = f"/repos/{owner}/{name}/collaborators/{login}"
        status, payload = self._request("PUT", path, {"permission": permission})
        if status == 404:
            raise GitHubError(f"cannot add {login} to {owner}/{name}: no such user or repository")
        self._checked(status, payload, f"add collaborators to {owner}/{name}")

    # -- transport ---------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, *, action: str) -> Any:
        return self._checked(*self._request(method, path, body), action)

    def _checked(self, status: int, payload: Any, action: str) -> Any:
        if 200 <= status < 300:
            return payload
        message = payload.get("message") if isinstance(payload, dict) else None
        detail = f"{status}{f' {message}' if message else ''}"
        if status == 401:
            raise GitHubError(
                f"GitHub refused the token from {self._token.source} ({detail}); it is wrong "
                f"or expired: {TOKEN_HELP}"
            )
        if status == 403:
            raise GitHubError(
                f"the token from {self._token.source} may not {action} ({detail}); it needs "
                "the 'repo' scope (classic token) or Administration: write (fine-grained)"
            )
        raise GitHubError(f"GitHub could not {action} ({detail})")

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send one request; wait and retry on rate limits; return (status, parsed JSON)."""
        url = f"{self.api_url}{path}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(self.retries + 1):
            if method != "GET" and self.write_interval:
                self._take_write_turn()
            request = urllib.request.Request(url, data=data, method=method)
            request.add_header("Accept", "application/vnd.github+json")
            request.add_header("X-GitHub-Api-Version", API_VERSION)
            request.add_header("Authorization", f"Bearer {self._token.value}")
            request.add_header("User-Agent", "mlscaffold")
            if data is not None:
                request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, _json(response.read())
            except urllib.error.HTTPError as error:
                status, headers, payload = error.code, error.headers, _json(error.read())
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise GitHubError(f"cannot reach {self.api_url}: {reason}") from None
            wait = rate_limit_wait(status, headers, payload)
            if wait is None:
                return status, payload
            if attempt == self.retries or wait > self.max_wait:
                raise GitHubError(
                    f"GitHub's rate limit stopped {method} {path}; it lifts in about "
                    f"{_duration(wait)}: try again then"
                )
            self.notify(
                f"GitHub rate limit reached: waiting {_duration(wait)} before retrying "
                f"({attempt + 1}/{self.retries})"
            )
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _take_write_turn(self) -> None:
        with self._write_lock:
            wait = self._last_write + self.write_interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last_write = time.monotonic()


def repository_body(
    name: str,
    private: bool,
    is_template: bool,
    description: str | None,
    homepage: str | None,
) -> dict[str, Any]:
    """Return the body that creates an empty repository (the history is pushed afterwards)."""
    body: dict[str, Any] = {
        "name": name,
        "private": private,
        "is_template": is_template,
        "auto_init": False,
    }
    if description:
        body["description"] = description
    if homepage:
        body["homepage"] = homepage
    return body


def rate_limit_wait(
    status: int, headers: Message | Mapping[str, str], payload: Any, now: float | None = None
) -> float | None:
    """Seconds to wait before retrying a rate-limited response, or None if it is not one.

    GitHub's rules: a ``Retry-After`` header gives the seconds to wait; a
    ``X-RateLimit-Remaining`` of 0 means waiting until ``X-RateLimit-Reset`` (a
    Unix time); a secondary limit without either header means at least a minute.
    """
    if status not in (403, 429):
        return None
    retry_after = headers.get("Retry-After")
    if retry_after and retry_after.strip().isdigit():
        return float(retry_after)
    if headers.get("X-RateLimit-Remaining") == "0" and headers.get("X-RateLimit-Reset"):
        reset = float(headers["X-RateLimit-Reset"])
        return max(1.0, reset - (time.time() if now is None else now) + 1)
    message = payload.get("message", "") if isinstance(payload, dict) else ""
    if status == 429 or "rate limit" in message.lower():
        return 60.0
    return None


def _name_taken(payload: Any) -> bool:
    errors = payload.get("errors", []) if isinstance(payload, dict) else []
    return any(
        isinstance(e, dict) and "already exists" in str(e.get("message", "")) for e in errors
    )


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
