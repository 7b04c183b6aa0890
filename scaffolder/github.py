"""GitHub's REST API: the few calls mlscaffold makes, what it accepts back, and its rate limits.

Every answer must be GitHub's JSON with the fields mlscaffold reads; anything
else (an HTML page from a proxy or a captive portal, ``[]``, a missing
``clone_url``) is one clear error, never a traceback. Text a server sends back
is shown with the token taken out, in case it echoes the request.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Mapping
from email.message import Message
from typing import Any

from scaffolder import httpclient
from scaffolder.credentials import Token, host_of, redact, redact_secrets, token_help
from scaffolder.destination import DEFAULT_API_URL, check_api_url
from scaffolder.errors import ScaffoldError
from scaffolder.names import is_login

API_VERSION = "2022-11-28"
_URL_TEXT = re.compile(r"[\x21-\x7e]+")  # what a URL from GitHub may hold

# GitHub's secondary limits on content-creating requests (POST, PATCH, PUT, DELETE): "no
# more than 80 a minute and no more than 500 an hour" ("Rate limits for the REST API").
# Each is (window in seconds, most requests in any such window).
WRITE_LIMITS: tuple[tuple[float, int], ...] = ((60.0, 80), (3600.0, 500))
# A secondary limit that names no time to wait: "wait for at least one minute", then
# "an exponentially increasing amount of time" while it persists (the same page).
SECONDARY_WAIT = 60.0
# How clients tell time and wait, unless given their own (tests give a fake clock).
CLOCK: Callable[[], float] = time.monotonic
SLEEP: Callable[[float], None] = time.sleep


class GitHubError(ScaffoldError):
    """Raised when GitHub cannot be reached or refuses a request."""


class NameTaken(GitHubError):
    """Raised when the repository name is already used by the owner (HTTP 422)."""


class PullRequestExists(GitHubError):
    """Raised when an open pull request from that branch into that base exists (HTTP 422)."""


class NoAnswer(GitHubError):
    """Raised when a request that changes something got no usable answer.

    The connection dropped or GitHub answered with a server error (5xx): the change
    may have been made all the same.
    """


def web_origin(api_url: str) -> tuple[str, str, int | None]:
    """Return the (scheme, host, port) where *api_url*'s repositories live and are pushed to.

    ``api.github.com`` serves ``github.com``, ``api.NAME.ghe.com`` serves
    ``NAME.ghe.com``; an enterprise server (``https://HOST/api/v3``) serves its own origin.
    """
    scheme, host, port = httpclient.origin(api_url)
    if host == "api.github.com" or (host.startswith("api.") and host.endswith(".ghe.com")):
        return "https", host_of(api_url), 443
    return scheme, host, port


class GitHub:
    """A client for the endpoints mlscaffold needs, retrying politely when rate-limited.

    One client may serve several threads (a classroom run shares one), and the
    limits are the client's: when GitHub tells any request to wait, no request of
    the client is sent until then; content-creating requests take turns
    *write_interval* seconds apart and stay within ``WRITE_LIMITS``.

    *notify* receives one-line progress messages (e.g. how long a rate limit makes
    it wait); *sleep* is how it waits and *clock* how it tells time (default:
    ``SLEEP`` and ``CLOCK``; a *sleep* given must advance the *clock* given);
    *deadline* bounds each request (default: ``MLSCAFFOLD_HTTP_TIMEOUT``, else 60 s).
    Once *stop* is set (a run was interrupted), no content-creating request is
    sent any more and every wait ends at once, raising ``Interrupted``.
    """

    def __init__(
        self,
        token: Token,
        api_url: str = DEFAULT_API_URL,
        *,
        retries: int = 3,
        max_wait: float = 900.0,
        notify: Callable[[str], None] = lambda message: None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        write_interval: float = 0.0,
        deadline: float | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self._token = token
        self.api_url = check_api_url(api_url)
        self.retries = retries
        self.max_wait = max_wait
        self.notify = notify
        self.stop = stop
        self.sleep = _interruptible(sleep or SLEEP, stop) if stop else (sleep or SLEEP)
        self.clock = clock or CLOCK
        self.deadline = deadline or httpclient.configured_deadline()
        # GitHub asks for at least a second between content-creating requests of one
        # user; threads publishing a class share this client, so they take turns.
        self.write_interval = write_interval
        self._write_lock = threading.Lock()
        self._last_write = float("-inf")
        self._budget = WriteBudget(
            WRITE_LIMITS, self.clock, self.sleep, lambda message: self.notify(message)
        )
        # The pause every request of this client keeps (clock time), when it began, and
        # how many secondary limits without a stated time came in a row, for reads and
        # for writes: each one doubles the wait.
        self._pause_lock = threading.Lock()
        self._paused_until = float("-inf")
        self._pause_began = float("-inf")
        self._backoffs = {False: 0, True: 0}

    def __repr__(self) -> str:
        return f"GitHub({self.api_url!r}, token from {self._token.source})"

    def login(self) -> str:
        """Return the login of the token's user."""
        user = self._call("GET", "/user", action="read your user")
        login = _text_field(user, "login", "GET /user")
        if not is_login(login):  # never shown: it could be anything, a token included
            raise GitHubError(
                "GitHub's answer to GET /user gives a login that is not a GitHub account name: "
                "is --api-url GitHub's API?"
            )
        return login

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
        if status >= 500:
            reason = self._reason(payload)
            raise NoAnswer(
                f"GitHub could not say whether it created {name!r} in {owner} "
                f"({f'{status} {reason}' if reason else status}); run the same command again"
            )
        return self._repository(
            self._checked(status, payload, f"create a repository in {owner}"), path
        )

    def repository(self, owner: str, name: str) -> dict[str, Any] | None:
        """GitHub's description of owner/name, or None if it does not exist (or is not visible)."""
        path = f"/repos/{owner}/{name}"
        status, payload = self._request("GET", path)
        if status == 404:
            return None
        return self._repository(self._checked(status, payload, f"read {owner}/{name}"), path)

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
        self._checked(status, payload, f"add collaborators to {owner}/{name}", allow_empty=True)

    def pull_requests(
        self, owner: str, name: str, *, state: str = "open", head: str | None = None
    ) -> list[dict[str, Any]]:
        """Return the pull requests of owner/name in *state*, from *head* (``OWNER:BRANCH``)."""
        found: list[dict[str, Any]] = []
        for page in range(1, 101):  # 100 a page: more than 10,000 is no classroom's
            query = {"state": state, "per_page": "100", "page": str(page)}
            if head is not None:
                query["head"] = head
            path = f"/repos/{owner}/{name}/pulls?{urllib.parse.urlencode(query)}"
            status, payload = self._request("GET", path)
            listed = self._listed(status, payload, f"list the pull requests of {owner}/{name}")
            found += [self._pull_request(pull, path) for pull in listed]
            if len(listed) < 100:
                break
        return found

    def create_pull_request(
        self, owner: str, name: str, *, title: str, head: str, base: str, body: str
    ) -> dict[str, Any]:
        """Open a pull request from the branch *head* into *base* of owner/name; return it."""
        path = f"/repos/{owner}/{name}/pulls"
        request = {"title": title, "head": head, "base": base, "body": body}
        status, payload = self._request("POST", path, request)
        if status == 422 and "already exists" in self._reason(payload).lower():
            raise PullRequestExists(f"a pull request from {head} into {base} is open already")
        if status >= 500:
            raise NoAnswer(
                f"GitHub could not say whether it opened the pull request from {head} in "
                f"{owner}/{name} ({status}); run the same command again"
            )
        action = f"open a pull request in {owner}/{name}"
        return self._pull_request(self._checked(status, payload, action), path)

    def update_pull_request(
        self, owner: str, name: str, number: int, **fields: str
    ) -> dict[str, Any]:
        """Change the pull request *number* of owner/name (``body=...``, ``state="closed"``)."""
        path = f"/repos/{owner}/{name}/pulls/{number}"
        status, payload = self._request("PATCH", path, fields)
        action = f"change pull request #{number} of {owner}/{name}"
        return self._pull_request(self._checked(status, payload, action), path)

    def comment(self, owner: str, name: str, number: int, body: str) -> None:
        """Comment on the issue or pull request *number* of owner/name."""
        path = f"/repos/{owner}/{name}/issues/{number}/comments"
        status, payload = self._request("POST", path, {"body": body})
        self._checked(status, payload, f"comment on #{number} of {owner}/{name}")

    def pushes(self, owner: str, name: str, branch: str) -> list[dict[str, Any]] | None:
        """Return the latest pushes to *branch* of owner/name, newest first, as GitHub saw them.

        Each is GitHub's activity: ``after`` (the branch's head after the push) and
        ``timestamp`` (when GitHub received it). None where the server has no such
        record (an older GitHub Enterprise Server answers 404).
        """
        query = {"ref": f"refs/heads/{branch}", "direction": "desc", "per_page": "100"}
        path = f"/repos/{owner}/{name}/activity?{urllib.parse.urlencode(query)}"
        status, payload = self._request("GET", path)
        if status in (404, 422):
            return None
        listed = self._listed(status, payload, f"list the pushes to {owner}/{name}")
        return [
            item
            for item in listed
            if isinstance(item.get("after"), str) and isinstance(item.get("timestamp"), str)
        ]

    def _listed(self, status: int, payload: Any, action: str) -> list[dict[str, Any]]:
        """GitHub's list answer, each item an object; any refusal is raised as ``_checked`` does."""
        if 200 <= status < 300 and isinstance(payload, list):
            return [item for item in payload if isinstance(item, dict)]
        self._checked(status, payload, action)  # raises, but for an object where a list belongs
        raise GitHubError(
            f"{self.api_url} answered the request to {action} with {_kind(payload)}, not "
            "GitHub's list: is --api-url GitHub's API?"
        )

    def _pull_request(self, payload: dict[str, Any], request: str) -> dict[str, Any]:
        """Check a pull request's description: a number, a state, and a web address of GitHub's."""
        if not isinstance(payload.get("number"), int) or not isinstance(payload.get("head"), dict):
            raise GitHubError(
                f"GitHub's answer to {request} has no pull request number or head: is "
                "--api-url GitHub's API?"
            )
        self._check_url(payload, "html_url", request)
        return payload

    def _repository(self, payload: dict[str, Any], request: str) -> dict[str, Any]:
        """Check a repository's description before mlscaffold pushes to or prints its URLs.

        The token goes with the push to ``clone_url``, so it must be on the web
        origin that belongs to the API (``https://github.com`` for
        ``api.github.com``; the API's own scheme, host and port for an enterprise
        server), with no credentials in it. The values are never shown: they come
        from the server.
        """
        for name in ("clone_url", "html_url"):
            self._check_url(payload, name, request)
        return payload

    def _check_url(self, payload: Mapping[str, Any], name: str, request: str) -> None:
        """Refuse a URL of GitHub's answer that is not on the API's web origin, or holds secrets."""
        home = web_origin(self.api_url)
        value = _text_field(payload, name, request)
        if not _URL_TEXT.fullmatch(value):
            # urlsplit quietly drops tabs and line breaks: git and a terminal would not
            raise GitHubError(
                f"GitHub's answer to {request} gives a {name} with spaces, control "
                "characters or letters that are not ASCII"
            )
        try:
            same = httpclient.origin(value) == home
            parts = urllib.parse.urlsplit(value)
        except ValueError:
            same = False
        if not same or "@" in parts.netloc:
            scheme, host, port = home
            raise GitHubError(
                f"GitHub's answer to {request} gives a {name} that is not on "
                f"{scheme}://{host}:{port}, the server of --api-url; mlscaffold does not "
                "send your token elsewhere"
            )
        if redact_secrets(value, self._token.forms()) != value:
            raise GitHubError(f"GitHub's answer to {request} gives a {name} holding the token")

    # -- transport ---------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, *, action: str) -> Any:
        return self._checked(*self._request(method, path, body), action)

    def _checked(self, status: int, payload: Any, action: str, *, allow_empty: bool = False) -> Any:
        if 200 <= status < 300:
            if isinstance(payload, dict):
                return payload
            if allow_empty and payload is _EMPTY:
                return {}
            raise GitHubError(
                f"{self.api_url} answered the request to {action} with {_kind(payload)}, not "
                "GitHub's JSON: is it GitHub's API? (a proxy or a captive portal may be "
                "answering; check --api-url)"
            )
        reason = self._reason(payload)
        detail = f"{status} {reason}" if reason else str(status)
        if status == 401:
            raise GitHubError(
                f"GitHub refused the token from {self._token.source} ({detail}); it is wrong "
                f"or expired: {token_help(self.api_url)}"
            )
        if status == 403:
            raise GitHubError(
                f"the token from {self._token.source} may not {action} ({detail}); it needs "
                "the 'repo' scope (classic token) or Administration: write (fine-grained)"
            )
        raise GitHubError(f"GitHub could not {action} ({detail})")

    def _reason(self, payload: Any) -> str:
        """GitHub's own words for a refusal: its message and what each of ``errors`` says.

        An error of GitHub's "Validation Error" shape says it in ``message``, or else
        only in ``code`` (required) for a ``field`` or ``resource``: "name: invalid".
        """
        if isinstance(payload, _NotJSON):
            return f"and {_kind(payload)}"
        if not isinstance(payload, dict):
            return ""
        words = [str(payload["message"])] if payload.get("message") else []
        errors = payload.get("errors")
        for error in errors if isinstance(errors, list) else []:
            if isinstance(error, dict) and error.get("message"):
                words.append(str(error["message"]))
            elif isinstance(error, dict) and error.get("code"):
                what = error.get("field") or error.get("resource")
                words.append(f"{what}: {error['code']}" if what else str(error["code"]))
            elif isinstance(error, str):
                words.append(error)
        text = redact(" ".join(": ".join(words).split()), [self._token])
        return text if len(text) <= 300 else text[:300] + "..."

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send one request; wait and retry on rate limits; return (status, parsed JSON)."""
        url = f"{self.api_url}{path}"
        data = json.dumps(body).encode() if body is not None else None
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "Authorization": f"Bearer {self._token.value}",
            "User-Agent": "mlscaffold",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        write = method != "GET"
        for attempt in range(self.retries + 1):
            if write:
                self._take_write_turn(method, path)
            else:
                self._wait_out_pause(method, path)
            sent = self.clock()
            try:
                answer = httpclient.request(
                    method, url, headers=headers, body=data, deadline=self.deadline
                )
            except httpclient.TransportError as exc:
                raise (NoAnswer if write else GitHubError)(
                    f"cannot reach {self.api_url}: {redact(str(exc), [self._token])} "
                    f"({method} {path}); check your network, proxy and --api-url, then run "
                    "the same command again"
                ) from None
            payload = _parse(answer)
            if rate_limit_wait(answer.status, answer.headers, payload) is None:
                with self._pause_lock:
                    self._backoffs[write] = 0  # whatever limit there was has lifted
                return answer.status, payload
            # None: a secondary limit that names no time, waited out ever longer.
            wait, lengthened = self._pause(_stated_wait(answer.headers), sent, write)
            if attempt == self.retries or wait > self.max_wait:
                raise self._stopped(method, path, wait)
            if lengthened:  # once for each pause, not once for each thread it holds
                self.notify(
                    f"GitHub rate limit reached: waiting {_duration(wait)} before retrying "
                    f"({attempt + 1}/{self.retries})"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, told: float | None, sent: float, write: bool) -> tuple[float, bool]:
        """Hold every request of this client until the limit lifts.

        *told* is the wait GitHub stated (None: a secondary limit that names none),
        for a request sent at *sent*. Returns the seconds left and whether this
        answer lengthened the pause.
        """
        with self._pause_lock:
            now = self.clock()
            if told is None:
                # An answer to a request sent before the current pause began is the same
                # limit again, not a sign that it persists: it joins the pause.
                if sent >= self._pause_began or not self._backoffs[write]:
                    self._backoffs[write] += 1
                doubled = SECONDARY_WAIT * 2.0 ** (self._backoffs[write] - 1)
                told = min(doubled, max(self.max_wait, SECONDARY_WAIT))
            lengthened = now + told > self._paused_until
            if lengthened:
                self._paused_until = now + told
                self._pause_began = now
            return self._paused_until - now, lengthened

    def _wait_out_pause(self, method: str, path: str) -> None:
        """Return once no rate-limit pause holds this client (at once if none does)."""
        while True:
            with self._pause_lock:
                left = self._paused_until - self.clock()
            if left <= 0:
                return
            if left > self.max_wait:
                raise self._stopped(method, path, left)
            self.sleep(left)

    def _take_write_turn(self, method: str, path: str) -> None:
        """Return when a content-creating request may go out: no pause, its turn, in budget."""
        while True:
            if self.stop is not None and self.stop.is_set():
                raise Interrupted(f"the run was interrupted before {method} {path}")
            # Waited outside the lock: a pause holds each thread on its own.
            self._wait_out_pause(method, path)
            with self._write_lock:
                wait = self._last_write + self.write_interval - self.clock()
                if wait > 0:
                    self.sleep(wait)
                # Counted now; if a pause began meanwhile the count stays, which only
                # makes the budget stricter, and the request waits for the pause.
                self._budget.take()
                with self._pause_lock:
                    paused = self._paused_until > self.clock()
                if not paused:
                    self._last_write = self.clock()
                    return

    def _stopped(self, method: str, path: str, wait: float) -> GitHubError:
        return GitHubError(
            f"GitHub's rate limit stopped {method} {path}; it lifts in "
            f"{_duration(wait, about=True)}: try again then"
        )


class Interrupted(GitHubError):
    """The run was interrupted: the client sends nothing more and stops waiting."""


def _interruptible(
    sleep: Callable[[float], None], stop: threading.Event
) -> Callable[[float], None]:
    """*sleep*, ended by *stop*: a real sleep waits on the event, so it wakes at once."""

    def wait(seconds: float) -> None:
        if sleep is time.sleep:
            stopped = stop.wait(seconds)
        else:  # an injected clock (tests): its sleep, then a look at the event
            sleep(seconds)
            stopped = stop.is_set()
        if stopped:
            raise Interrupted("the run was interrupted while waiting for GitHub")

    return wait


class WriteBudget:
    """Keeps content-creating requests within GitHub's secondary limits, in sliding windows.

    *limits* are (window in seconds, most requests in any such window). ``take``
    returns once one more request fits every window, and counts it as sent then;
    until it fits it waits with *sleep*, telling *notify* once for each pause.
    Safe to share between threads.
    """

    def __init__(
        self,
        limits: tuple[tuple[float, int], ...],
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        notify: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.sleep = sleep
        self.notify = notify
        self._sent: deque[float] = deque()  # the clock times counted, oldest first
        self._lock = threading.Lock()

    def take(self) -> None:
        """Wait until one more request fits every window, then count it as sent now."""
        with self._lock:  # held while waiting: the other writers would wait anyway
            told = False
            while True:
                now = self.clock()
                wait, limit = self._room(now)
                if wait <= 0:
                    self._sent.append(now)
                    return
                if not told:
                    window, most = limit
                    self.notify(
                        f"Pausing {_duration(wait)} to stay within GitHub's limit of {most} "
                        f"content-creating requests {_per(window)}"
                    )
                    told = True
                self.sleep(wait)

    def _room(self, now: float) -> tuple[float, tuple[float, int]]:
        """Seconds until one more request fits every window, and the limit that says so."""
        longest = max((window for window, _ in self.limits), default=0.0)
        while self._sent and self._sent[0] <= now - longest:
            self._sent.popleft()  # out of every window
        wait, binding = 0.0, (0.0, 0)
        for window, most in self.limits:
            recent = [at for at in self._sent if at > now - window]
            if most > 0 and len(recent) >= most:
                # Fits once the oldest of the last *most* leaves the window.
                free = recent[-most] + window - now
                if free > wait:
                    wait, binding = free, (window, most)
        return wait, binding


def _per(window: float) -> str:
    named = {60.0: "a minute", 3600.0: "an hour", 86400.0: "a day"}
    return named.get(window, f"in {_duration(window)}")


class _NotJSON:
    """An answer that is not JSON; *what* says what it looked like."""

    def __init__(self, what: str) -> None:
        self.what = what


_EMPTY = _NotJSON("an empty answer")


def _parse(answer: httpclient.Response) -> Any:
    if not answer.body.strip():
        return _EMPTY
    kind = answer.headers.get("Content-Type", "") if answer.headers else ""
    try:
        return json.loads(answer.body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        looks_html = "html" in kind.lower() or answer.body.lstrip()[:1] == b"<"
        return _NotJSON("an HTML page" if looks_html else "something that is not JSON")


def _kind(payload: Any) -> str:
    if isinstance(payload, _NotJSON):
        return payload.what
    if isinstance(payload, list):
        return "a list" if payload else "an empty list"
    return f"a JSON {type(payload).__name__}"


def _text_field(payload: Mapping[str, Any], name: str, request: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise GitHubError(
            f"GitHub's answer to {request} has no {name!r}: is --api-url GitHub's API?"
        )
    return value


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
    Unix time); a secondary limit without either header means at least a minute
    (``SECONDARY_WAIT``; the client doubles it while the limit persists). Headers
    that are not numbers are ignored.
    """
    if status not in (403, 429):
        return None
    told = _stated_wait(headers, now)
    if told is not None:
        return told
    return SECONDARY_WAIT if _says_rate_limit(status, payload) else None


def _stated_wait(
    headers: Message | Mapping[str, str] | None, now: float | None = None
) -> float | None:
    """Return the seconds a rate-limited answer's headers say to wait; None if they say none."""
    headers = headers or {}
    retry_after = str(headers.get("Retry-After") or "").strip()
    if retry_after.isascii() and retry_after.isdigit():  # "²" is a digit to isdigit()
        # At least a second: "Retry-After: 0", answered again and again, is no reason to
        # send again at once.
        return max(1.0, float(retry_after))
    reset = _number(headers.get("X-RateLimit-Reset"))
    if str(headers.get("X-RateLimit-Remaining") or "").strip() == "0" and reset is not None:
        return max(1.0, reset - (time.time() if now is None else now) + 1)
    return None


def _says_rate_limit(status: int, payload: Any) -> bool:
    """Whether a 403 or 429 without a stated wait is a (secondary) rate limit."""
    message = payload.get("message", "") if isinstance(payload, dict) else ""
    return status == 429 or "rate limit" in str(message).lower()


def _number(text: Any) -> float | None:
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None  # not NaN or inf


def _name_taken(payload: Any) -> bool:
    errors = payload.get("errors", []) if isinstance(payload, dict) else []
    return isinstance(errors, list) and any(
        isinstance(e, dict)
        and ("already exists" in str(e.get("message", "")) or e.get("code") == "already_exists")
        for e in errors
    )


def _duration(seconds: float, *, about: bool = False) -> str:
    if seconds >= 86400:
        return "more than a day"
    text = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
    return f"about {text}" if about else text
