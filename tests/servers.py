"""Real servers on 127.0.0.1 for the publish and classroom tests.

- ``FakeGitHub``: an HTTP server that speaks the parts of GitHub's REST API that
  mlscaffold uses, checks the headers and bodies it receives, creates a real bare
  repository for each repository it creates, and can answer with any failure.
- ``GitHTTPServer``: git's own smart-HTTP server (``git http-backend``) behind a
  small HTTP front that accepts only the expected Authorization header.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API_HEADERS = {"accept": "application/vnd.github+json", "x-github-api-version": "2022-11-28"}


def basic_auth(token: str) -> str:
    """The Authorization header git sends for a GitHub token (as actions/checkout does)."""
    return "basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()


@dataclass
class Failure:
    """A scripted answer for the next request that matches *method* and *path* (a regex).

    *body* is sent as JSON, unless it is ``bytes``: then it is sent as it is; a *status*
    of 0 closes the connection without an answer. With *serve*, the request is carried
    out first and only its answer is replaced (GitHub did the work, and the answer was
    lost on the way back).
    """

    method: str
    path: str
    status: int
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    serve: bool = False


@dataclass
class Seen:
    """A request the fake API received, and when by the API's clock."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = 0.0


class FakeGitHub:
    """GitHub's REST API, as much of it as mlscaffold calls, on 127.0.0.1."""

    def __init__(self, token: str, git_root: Path, git_url: str, user: str = "ada") -> None:
        self.token = token
        self.user = user
        self.git_root = git_root
        self.git_url = git_url
        self.known_users = {user, "octocat"}
        self.repos: dict[str, dict[str, Any]] = {}
        self.collaborators: dict[str, dict[str, str]] = {}
        self.failures: list[Failure] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.url = ""
        self.clock = time.monotonic  # what Seen.at is read from; a test may give its fake clock

    def fail(
        self, method: str, path: str, status: int, body=None, headers=None, times=1, serve=False
    ) -> None:
        """Answer the next *times* matching requests with *status* instead of serving them.

        With *serve*, carry each out first, then answer with *status* instead.
        """
        body = {} if body is None else body
        self.failures.append(Failure(method, path, status, body, headers or {}, times, serve))

    def add_repo(self, owner: str, name: str, *, empty: bool = True) -> None:
        """Make a repository exist already (an empty one, or one with a commit)."""
        self._create(owner, name, {"name": name, "private": False})
        if not empty:
            bare = self.git_root / owner / f"{name}.git"
            work = self.git_root / "seed"
            subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
            (work / "README.md").write_text("someone else's work\n")
            env = {
                **os.environ,
                "GIT_AUTHOR_NAME": "X",
                "GIT_AUTHOR_EMAIL": "x@example.com",
                "GIT_COMMITTER_NAME": "X",
                "GIT_COMMITTER_EMAIL": "x@example.com",
            }
            for args in (
                ["add", "-A"],
                ["commit", "-qm", "seed"],
                ["push", "-q", str(bare), "main"],
            ):
                subprocess.run(["git", "-C", str(work), *args], check=True, env=env)

    def requests_to(self, method: str, pattern: str) -> list[Seen]:
        """The requests received with *method* whose path matches *pattern*."""
        return [s for s in self.seen if s.method == method and re.fullmatch(pattern, s.path)]

    # -- serving -----------------------------------------------------------------

    def writes(self) -> list[Seen]:
        """The content-creating requests received (POST, PATCH, PUT, DELETE), in order."""
        return [s for s in self.seen if s.method in ("POST", "PATCH", "PUT", "DELETE")]

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any):
        """Return (status, headers, json body) for one request."""
        with self.lock:
            self.seen.append(Seen(method, path, headers, body, self.clock()))
            for failure in self.failures:
                if failure.method == method and re.fullmatch(failure.path, path) and failure.times:
                    failure.times -= 1
                    if failure.serve:
                        break
                    return failure.status, failure.headers, failure.body
            else:
                failure = None
        served = self._serve(method, path, headers, body)
        return (failure.status, failure.headers, failure.body) if failure else served

    def _serve(self, method: str, path: str, headers: dict[str, str], body: Any):
        for name, value in API_HEADERS.items():
            if headers.get(name) != value:
                return 400, {}, {"message": f"missing or wrong {name} header"}
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {}, {"message": "Bad credentials"}
        if method == "GET" and path == "/user":
            return 200, {}, {"login": self.user}
        if method == "POST" and (match := re.fullmatch(r"/(?:user|orgs/([^/]+))/repos", path)):
            return self._create_from_request(match.group(1) or self.user, body)
        if method == "GET" and (match := re.fullmatch(r"/repos/([^/]+)/([^/]+)", path)):
            repo = self.repos.get(f"{match.group(1)}/{match.group(2)}")
            return (200, {}, self._public(repo)) if repo else (404, {}, {"message": "Not Found"})
        if method == "GET" and (match := re.fullmatch(r"/users/([^/]+)", path)):
            found = match.group(1) in self.known_users
            return (
                (200, {}, {"login": match.group(1)})
                if found
                else (404, {}, {"message": "Not Found"})
            )
        pattern = r"/repos/([^/]+)/([^/]+)/collaborators/([^/]+)"
        if method == "PUT" and (match := re.fullmatch(pattern, path)):
            owner, name, user = match.groups()
            if f"{owner}/{name}" not in self.repos or user not in self.known_users:
                return 404, {}, {"message": "Not Found"}
            if not isinstance(body, dict) or body.get("permission") not in (
                "pull",
                "push",
                "admin",
            ):
                return 422, {}, {"message": "Validation Failed"}
            self.collaborators.setdefault(f"{owner}/{name}", {})[user] = body["permission"]
            return 201, {}, {"invitee": {"login": user}, "permissions": body["permission"]}
        return 404, {}, {"message": "Not Found"}

    def _create_from_request(self, owner: str, body: Any):
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            return 422, {}, {"message": "Validation Failed", "errors": [{"field": "name"}]}
        allowed = {"name", "description", "homepage", "private", "is_template", "auto_init"}
        if set(body) - allowed or body.get("auto_init") not in (None, False):
            return 422, {}, {"message": f"unexpected fields: {sorted(set(body) - allowed)}"}
        if f"{owner}/{body['name']}" in self.repos:
            return (
                422,
                {},
                {
                    "message": "Repository creation failed.",
                    "errors": [
                        {
                            "resource": "Repository",
                            "code": "custom",
                            "field": "name",
                            "message": "name already exists on this account",
                        }
                    ],
                },
            )
        return 201, {}, self._public(self._create(owner, body["name"], body))

    def _create(self, owner: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        bare = self.git_root / owner / f"{name}.git"
        # Made first: two `git init`s making the owner's folder at once can collide.
        bare.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
        repo = {
            "name": name,
            "full_name": f"{owner}/{name}",
            "owner": {"login": owner},
            "private": bool(body.get("private", False)),
            "is_template": bool(body.get("is_template", False)),
            "description": body.get("description"),
            "homepage": body.get("homepage"),
            "html_url": f"{self.url}/{owner}/{name}",
            "clone_url": f"{self.git_url}/{owner}/{name}.git",
        }
        self.repos[f"{owner}/{name}"] = repo
        return repo

    def _public(self, repo: dict[str, Any]) -> dict[str, Any]:
        bare = self.git_root / repo["full_name"].split("/")[0] / f"{repo['name']}.git"
        return {**repo, "size": 1 if _has_refs(bare) else 0}

    def pushed_commits(self, owner: str, name: str) -> list[str]:
        """Commit SHAs on main in the repository's bare copy (empty if nothing was pushed)."""
        bare = self.git_root / owner / f"{name}.git"
        done = subprocess.run(
            ["git", "-C", str(bare), "rev-list", "main"], capture_output=True, text=True
        )
        return done.stdout.split() if done.returncode == 0 else []


def _has_refs(bare: Path) -> bool:
    """Whether the bare repository holds a branch or a tag, read from its files (no git run)."""
    if any(path.is_file() for path in (bare / "refs").rglob("*")):
        return True
    packed = bare / "packed-refs"
    lines = packed.read_text().splitlines() if packed.is_file() else []
    return any(line and not line.startswith(("#", "^")) for line in lines)


class _Handler(BaseHTTPRequestHandler):
    """A handler serving ``app``: the server's, unless a subclass picks another."""

    server: _Server
    chosen: Any = None

    @property
    def app(self) -> Any:
        return self.chosen if self.chosen is not None else self.server.app


class _APIHandler(_Handler):
    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, payload = self.app.handle(self.command, self.path, headers, body)
        if status == 0:  # the connection drops before the answer
            self.close_connection = True
            return
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        if "Content-Type" not in extra:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _serve

    def log_message(self, *args: Any) -> None:
        pass


class _GitHandler(_Handler):
    """Smart HTTP for git, through the real ``git http-backend`` CGI program."""

    def _serve(self) -> None:
        auth = self.headers.get("Authorization")
        self.app.seen_auth.append(auth)
        if self.app.hold is not None:
            self.app.hold.wait(30)
        if self.app.take_not_found(self.path):  # as GitHub answers for a repository not ready
            text = b"Repository not found.\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        if self.app.redirect_to:  # "moved": send the client to another server
            self.send_response(302)
            self.send_header("Location", f"{self.app.redirect_to}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if auth is None or auth.lower() != self.app.expected_auth.lower():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self._read_body()
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GIT_PROJECT_ROOT": str(self.app.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",  # http-backend allows pushes only when set
            "REMOTE_ADDR": "127.0.0.1",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if not size:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = _serve

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class _Both:
    api: FakeGitHub
    git: GitHTTP


class _GitHubHandler(_GitHandler, _APIHandler):
    """GitHub on one origin, as the real one: git's smart HTTP under *.git/, the API elsewhere."""

    def _serve(self) -> None:
        if ".git/" in self.path.partition("?")[0]:
            self.chosen = self.server.app.git
            _GitHandler._serve(self)
        else:
            self.chosen = self.server.app.api
            _APIHandler._serve(self)

    do_GET = do_POST = do_PUT = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: Any

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-answer (as one refusing an answer too large must) is no
        # server fault; socketserver would print a traceback into the output a test reads.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@dataclass
class GitHTTP:
    """State of the git server: where the bare repositories are, what it accepts, what it saw."""

    root: Path
    expected_auth: str
    seen_auth: list[str | None] = field(default_factory=list)
    redirect_to: str = ""  # if set, every request is redirected to this URL's server
    # "owner/name" -> how many more requests to it are answered 404, "Repository not found."
    not_found: dict[str, int] = field(default_factory=dict)
    # If set, every request waits (up to 30 s) until this is set: a git server that stalls.
    hold: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hide(self, owner: str, name: str, times: int) -> None:
        """Answer the next *times* requests to owner/name 404, as GitHub does for a moment
        after it created a repository."""
        self.not_found[f"{owner}/{name}"] = times

    def take_not_found(self, path: str) -> bool:
        """Whether this request (to *path*) is one of those to answer 404; counts it if so."""
        repository = path.lstrip("/").partition(".git/")[0]
        with self.lock:
            if self.not_found.get(repository, 0) > 0:
                self.not_found[repository] -= 1
                return True
        return False


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler], app: Any) -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), handler)
    server.app = app
    # A short poll: shutdown() waits up to one poll interval (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def github_servers(tmp_path: Path, token: str) -> Iterator[tuple[FakeGitHub, GitHTTP]]:
    """Start GitHub's stand-in, API and git on one origin; yield the API and the git side."""
    git = GitHTTP(tmp_path / "git-server", basic_auth(token))
    git.root.mkdir()
    api = FakeGitHub(token, git.root, "")
    with _serving(_GitHubHandler, _Both(api, git)) as url:
        api.url = api.git_url = url
        yield api, git


# -- misbehaving servers -------------------------------------------------------------


@dataclass
class Recorder:
    """A server that answers 200 {} to everything and records what it was sent."""

    seen: list[Seen] = field(default_factory=list)

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any):
        self.seen.append(Seen(method, path, headers, body))
        return 200, {}, {"login": "mallory", "clone_url": "https://evil.example/x.git"}

    def authorizations(self) -> list[str]:
        return [s.headers["authorization"] for s in self.seen if "authorization" in s.headers]


@contextmanager
def recording_server() -> Iterator[tuple[Recorder, str]]:
    """A second server, on another port: another origin, to which nothing secret may go."""
    recorder = Recorder()
    with _serving(_APIHandler, recorder) as url:
        yield recorder, url


class _TrickleHandler(_Handler):
    """Answers one byte every *interval* seconds, for ever (or until *stop* is set)."""

    def _serve(self) -> None:
        app = self.app
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: a" * 10**6
        for byte in answer:
            if app.stop.wait(app.interval):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client gave up: what it should do
                return

    do_GET = do_POST = do_PUT = _serve

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Trickle:
    interval: float = 0.2
    stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def trickling_server(interval: float = 0.2) -> Iterator[str]:
    """An HTTP server that sends its answer one byte every *interval* seconds, never finishing."""
    app = Trickle(interval)
    with _serving(_TrickleHandler, app) as url:
        try:
            yield url
        finally:
            app.stop.set()


@contextmanager
def silent_server() -> Iterator[str]:
    """A TCP server that accepts every connection and never sends a byte (a hung git server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)  # read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
