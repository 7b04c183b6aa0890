"""Real servers on 127.0.0.1 for the publish and classroom tests.

- ``FakeGitHub``: an HTTP server that speaks the parts of GitHub's REST API that
  mlscaffold uses, checks the headers and bodies it receives, creates a real bare
  repository for each repository it creates, and can answer with any failure.
- ``GitHTTPServer``: git's own smart-HTTP server (``git http-backend``) behind a
  small HTTP front that accepts only the expected Authorization header.

Requests to the pull-request, comment and activity endpoints are checked against
GitHub's own REST description (``github_rest.json``: those operations' query
parameters and bodies, read from ``@octokit/openapi``): a parameter or a field it
does not name, a missing required one, or a value of the wrong type is a 422.
Every bare repository refuses force pushes and deletions, as a protected branch does.
"""

from __future__ import annotations

import base64
import datetime
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
from urllib.parse import parse_qsl

API_HEADERS = {"accept": "application/vnd.github+json", "x-github-api-version": "2022-11-28"}


REST = json.loads((Path(__file__).with_name("github_rest.json")).read_text())["operations"]
_JSON_TYPES = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list}


def _route(method: str, path: str) -> str | None:
    """The REST description's name of the operation *path* calls, e.g. GET /repos/{owner}/{repo}."""
    for operation in REST:
        verb, template = operation.split(" ", 1)
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if verb == method and re.fullmatch(pattern, path):
            return operation
    return None


def check_request(method: str, path: str, query: dict[str, str], body: Any) -> str | None:
    """What is wrong with a request, by GitHub's REST description (None: nothing, or unknown)."""
    operation = _route(method, path)
    if operation is None:
        return None
    described = REST[operation]
    for name, value in query.items():
        schema = described["query"].get(name)
        if schema is None:
            return f"{operation} has no query parameter {name!r}"
        if "enum" in schema and value not in schema["enum"]:
            return f"{name}={value!r} is not one of {schema['enum']}"
        if schema.get("type") == "integer" and not value.isdigit():
            return f"{name}={value!r} is not an integer"
    if "body" in described:
        if not isinstance(body, dict):
            return f"{operation} takes a JSON object"
        spec = described["body"]
        missing = [name for name in spec["required"] if name not in body]
        if missing:
            return f"{operation} needs {missing}"
        for name, value in body.items():
            schema = spec["properties"].get(name)
            if schema is None:
                return f"{operation} has no field {name!r}"
            kinds = schema.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if not any(isinstance(value, _JSON_TYPES[k]) for k in kinds if k in _JSON_TYPES):
                return f"{name} must be {kinds}"
            if "enum" in schema and value not in schema["enum"]:
                return f"{name}={value!r} is not one of {schema['enum']}"
    return None


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
        # "owner/name" -> its pull requests (numbered with its issues), comments, pushes.
        self.pulls: dict[str, list[dict[str, Any]]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.activity: dict[str, list[dict[str, Any]]] = {}
        # When GitHub receives a push (the activity's timestamp); a test may give its own.
        self.now = lambda: datetime.datetime.now(datetime.UTC)
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
        path, _, text = path.partition("?")
        query = dict(parse_qsl(text, keep_blank_values=True))
        wrong = check_request(method, path, query, body)
        if wrong:
            return 422, {}, {"message": "Invalid request.", "errors": [wrong]}
        if path.startswith("/repos/") and (served := self._serve_pulls(method, path, query, body)):
            return served
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
        for setting in ("receive.denyNonFastForwards", "receive.denyDeletes"):
            subprocess.run(["git", "-C", str(bare), "config", setting, "true"], check=True)
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
        bare = self._bare(repo["full_name"])
        pushes = self.activity.get(repo["full_name"]) or [{"timestamp": None}]
        return {
            **repo,
            "size": 1 if _has_refs(bare) else 0,
            "default_branch": "main",
            "pushed_at": pushes[-1]["timestamp"],
        }

    def _bare(self, full_name: str) -> Path:
        owner, name = full_name.split("/")
        return self.git_root / owner / f"{name}.git"

    # -- pull requests, comments, activity -----------------------------------------

    def _serve_pulls(self, method: str, path: str, query: dict[str, str], body: Any):
        """Serve the pull-request, comment and activity endpoints; None for any other path."""
        match = re.fullmatch(
            r"/repos/([^/]+)/([^/]+)/(pulls|issues|activity)(?:/(\d+))?(/comments)?", path
        )
        if not match:
            return None
        owner, name, kind, number, comments = match.groups()
        full = f"{owner}/{name}"
        if full not in self.repos:
            return 404, {}, {"message": "Not Found"}
        with self.lock:
            pulls = self.pulls.setdefault(full, [])
            if kind == "activity" and method == "GET" and number is None:
                return 200, {}, self._activities(full, query)
            if kind == "pulls" and number is None and method == "GET":
                return 200, {}, self._listed_pulls(pulls, query)
            if kind == "pulls" and number is None and method == "POST":
                return self._open_pull(full, pulls, body)
            found = next((p for p in pulls if number and p["number"] == int(number)), None)
            if found is None:
                return 404, {}, {"message": "Not Found"}
            if kind == "pulls" and not comments and method == "GET":
                return 200, {}, found
            if kind == "pulls" and not comments and method == "PATCH":
                found.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
                return 200, {}, found
            if kind == "issues" and comments and method == "POST":
                comment = {"id": len(self.comments.get(full, [])) + 1, "body": body["body"]}
                self.comments.setdefault(full, []).append({**comment, "issue": found["number"]})
                return 201, {}, comment
        return 404, {}, {"message": "Not Found"}

    def _listed_pulls(self, pulls: list[dict[str, Any]], query: dict[str, str]) -> list:
        state = query.get("state", "open")
        chosen = [
            p
            for p in pulls
            if state in ("all", p["state"])
            and query.get("head", p["head"]["label"]) == p["head"]["label"]
            and query.get("base", p["base"]["ref"]) == p["base"]["ref"]
        ]
        size, page = int(query.get("per_page", 30)), int(query.get("page", 1))
        return list(reversed(chosen))[(page - 1) * size : page * size]  # newest first

    def _open_pull(self, full: str, pulls: list[dict[str, Any]], body: dict[str, Any]):
        owner = full.split("/")[0]
        head, base = body["head"], body["base"]
        ref = head.split(":", 1)[1] if ":" in head else head
        heads = self.branches(full)
        invalid = [f for f, branch in (("head", ref), ("base", base)) if branch not in heads]
        if invalid:
            errors = [{"resource": "PullRequest", "field": f, "code": "invalid"} for f in invalid]
            return 422, {}, {"message": "Validation Failed", "errors": errors}
        if any(
            p["state"] == "open" and (p["head"]["ref"], p["base"]["ref"]) == (ref, base)
            for p in pulls
        ):
            return (
                422,
                {},
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"A pull request already exists for {owner}:{ref}.",
                        }
                    ],
                },
            )
        number = len(pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": body.get("title", ""),
            "body": body.get("body", ""),
            "html_url": f"{self.url}/{full}/pull/{number}",
            "url": f"{self.url}/repos/{full}/pulls/{number}",
            "head": {
                "ref": ref,
                "label": f"{owner}:{ref}",
                "sha": heads[ref],
                "repo": {"full_name": full},
            },
            "base": {
                "ref": base,
                "label": f"{owner}:{base}",
                "sha": heads[base],
                "repo": {"full_name": full},
            },
            "merged": False,
            "mergeable": None,
        }
        pulls.append(pull)
        return 201, {}, pull

    def _activities(self, full: str, query: dict[str, str]) -> list:
        ref = query.get("ref")
        if ref and not ref.startswith("refs/"):
            ref = f"refs/heads/{ref}"
        chosen = [a for a in self.activity.get(full, []) if ref in (None, a["ref"])]
        if query.get("direction", "desc") == "desc":
            chosen = list(reversed(chosen))
        return chosen[: int(query.get("per_page", 30))]

    def branches(self, full: str) -> dict[str, str]:
        """The branches of the repository's bare copy: name -> commit."""
        return {
            ref.removeprefix("refs/heads/"): sha
            for ref, sha in _refs(self._bare(full)).items()
            if ref.startswith("refs/heads/")
        }

    def record_push(self, full: str, before: dict[str, str], after: dict[str, str]) -> None:
        """Write down, as GitHub's activity, each ref a push changed (called by the git side)."""
        zero = "0" * 40
        with self.lock:
            for ref in sorted(set(before) | set(after)):
                old, new = before.get(ref, zero), after.get(ref, zero)
                if old == new:
                    continue
                kind = "branch_creation" if old == zero else "push"
                kind = "branch_deletion" if new == zero else kind
                items = self.activity.setdefault(full, [])
                items.append(
                    {
                        "id": len(items) + 1,
                        "node_id": f"A_{len(items) + 1}",
                        "before": old,
                        "after": new,
                        "ref": ref,
                        "timestamp": self.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "activity_type": kind,
                        "actor": {"login": self.user},
                    }
                )

    def pushed_commits(self, owner: str, name: str) -> list[str]:
        """Commit SHAs on main in the repository's bare copy (empty if nothing was pushed)."""
        bare = self.git_root / owner / f"{name}.git"
        done = subprocess.run(
            ["git", "-C", str(bare), "rev-list", "main"], capture_output=True, text=True
        )
        return done.stdout.split() if done.returncode == 0 else []


def _refs(bare: Path) -> dict[str, str]:
    """Every ref of the bare repository and its commit."""
    done = subprocess.run(
        ["git", "-C", str(bare), "for-each-ref", "--format=%(refname) %(objectname)"],
        capture_output=True,
        text=True,
    )
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


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

    do_GET = do_POST = do_PUT = do_PATCH = _serve

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
        pushing = path.endswith("/git-receive-pack")
        repository = path.lstrip("/").partition(".git/")[0]
        if pushing:
            self.app.pushes.append(repository)
        bare = self.app.root / f"{repository}.git"
        before = _refs(bare) if pushing else {}
        done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        if pushing and self.app.on_push is not None:
            self.app.on_push(repository, before, _refs(bare))
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

    do_GET = do_POST = do_PUT = do_PATCH = _serve


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
    # "owner/name" of every push received (its receive-pack request), in order.
    pushes: list[str] = field(default_factory=list)
    # Called after each push with "owner/name" and the refs before and after it.
    on_push: Any = None
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
    git.on_push = api.record_push
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
