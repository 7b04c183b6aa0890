"""One HTTP request with the guarantees the GitHub client relies on.

- **A total deadline.** A socket timeout bounds each read, so a server that
  trickles a byte every few seconds would keep a request alive forever. A
  watchdog shuts the connection's socket when the deadline passes, whatever
  phase the request is in.
- **A cap on what is read.** An answer larger than the cap is refused, not held
  in memory.
- **No redirect to another origin.** urllib would repeat every header, the
  ``Authorization`` one included, to wherever a server redirects; a redirect to
  another scheme, host or port is refused instead, so a token only ever goes to
  the origin it was meant for.

Proxies from the environment (``HTTPS_PROXY``, ``NO_PROXY``) work as in urllib.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

from scaffolder.errors import InvalidInput

DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_READ_TIMEOUT = 30.0  # for each read and the connect, within the deadline


def configured_deadline(environ: Mapping[str, str] | None = None) -> float:
    """Seconds each request may take: ``MLSCAFFOLD_HTTP_TIMEOUT``, else 60."""
    text = (os.environ if environ is None else environ).get("MLSCAFFOLD_HTTP_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_DEADLINE
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise InvalidInput(
            f"MLSCAFFOLD_HTTP_TIMEOUT must be a number of seconds from 1 to 3600, not {text[:20]!r}"
        )
    return seconds


class TransportError(Exception):
    """The request did not get an answer: unreachable, too slow, too large, or redirected away."""


@dataclass(frozen=True)
class Response:
    """A server's answer (any status)."""

    status: int
    headers: Message
    body: bytes


def origin(url: str) -> tuple[str, str, int | None]:
    """Return the (scheme, host, port) a URL belongs to; a default port counts as given."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None = None,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """Send one request and return the answer, within *deadline* seconds and *max_bytes*.

    Raises ``TransportError`` (its message never holds a header) if the server
    cannot be reached, does not answer in time, answers too much, or redirects to
    another origin.
    """
    watchdog = _Watchdog(deadline)
    opener = urllib.request.build_opener(
        _SameOriginRedirects(),
        _DeadlineHTTPHandler(watchdog),
        _DeadlineHTTPSHandler(watchdog),
    )
    outgoing = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    watchdog.start()
    try:
        try:
            answer = opener.open(outgoing, timeout=min(_READ_TIMEOUT, deadline))
        except urllib.error.HTTPError as error:
            answer = error  # an answer like any other: the caller reads its status
        with answer:
            data = answer.read(max_bytes + 1)
            status, answer_headers = answer.status, answer.headers
    except _Redirected as exc:
        raise TransportError(str(exc)) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        if watchdog.fired:
            raise TransportError(f"no complete answer within {deadline:.0f} s") from None
        reason = getattr(exc, "reason", None) or exc
        raise TransportError(" ".join(str(reason).split()) or type(exc).__name__) from None
    finally:
        watchdog.stop()
    if watchdog.fired:
        raise TransportError(f"no complete answer within {deadline:.0f} s")
    if len(data) > max_bytes:
        raise TransportError(f"the answer is larger than {max_bytes // (1024 * 1024)} MB")
    return Response(status or 0, answer_headers, data)


class _Redirected(Exception):
    pass


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the origin of the request (which may carry a token)."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        if origin(newurl) != origin(req.full_url):
            where = urllib.parse.urlsplit(newurl)
            raise _Redirected(
                f"the server redirected to another host ({where.scheme}://{where.netloc}); "
                "mlscaffold does not follow it, so your token is not sent there"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Watchdog:
    """Shut the sockets of one request down when its deadline passes."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            self._shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        # shutdown() wakes a read blocked in another thread; close() alone may not.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _watched(base: type[http.client.HTTPConnection], watchdog: _Watchdog) -> Any:
    # A class made from a variable base (HTTP or HTTPS) is beyond what mypy can check.
    class Connection(base):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            create: Any = self._create_connection  # type: ignore[has-type]  # untyped in typeshed

            # The plain socket is watched from the moment it exists, so a slow TLS
            # handshake or proxy tunnel is cut off too; the TLS socket that replaces
            # it is watched once connect() returns.
            def create_watched(*args: Any, **kwargs: Any) -> socket.socket:
                sock: socket.socket = create(*args, **kwargs)
                watchdog.watch(sock)
                return sock

            self._create_connection = create_watched

        def connect(self) -> None:
            if watchdog.fired:
                raise TimeoutError("deadline passed")
            super().connect()
            watchdog.watch(self.sock)

    return Connection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._connection = _watched(http.client.HTTPConnection, watchdog)

    def http_open(self, req: Any) -> Any:
        return self.do_open(self._connection, req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._connection = _watched(http.client.HTTPSConnection, watchdog)

    def https_open(self, req: Any) -> Any:
        # urllib keeps the TLS context it was given (none here: the default one).
        return self.do_open(self._connection, req, context=getattr(self, "_context", None))
