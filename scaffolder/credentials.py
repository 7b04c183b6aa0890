"""GitHub tokens: where they come from, which host they belong to, and keeping them out of text.

A token is looked up for the host of the API it will be sent to, as the ``gh``
command does: for github.com ``GITHUB_TOKEN``, then ``GH_TOKEN``, then ``gh auth
token --hostname github.com``; for any other host (GitHub Enterprise Server, or a
local stand-in) ``GH_ENTERPRISE_TOKEN``, then ``GITHUB_ENTERPRISE_TOKEN``, then
``gh auth token --hostname HOST``. So a github.com token is never sent to an
enterprise server, nor the other way round.

A token is held in memory only. It is never written to a file, a log line, an
error message or a repr: ``redact`` takes it (and the forms git sends it in)
out of any text that could reach the user, such as a server's echo of a request.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import unicodedata
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from scaffolder.errors import InvalidInput

GITHUB_HOST = "github.com"
TOKEN_HELP = (
    "set GITHUB_TOKEN (or GH_TOKEN) to a token with the 'repo' scope, or log in with "
    "`gh auth login`; see the README's section on publishing"
)
ENTERPRISE_TOKEN_HELP = (
    "set GH_ENTERPRISE_TOKEN to a token of {host} with the 'repo' scope, or log in with "
    "`gh auth login --hostname {host}`"
)
# What a token may hold: printable ASCII without spaces (GitHub's are [A-Za-z0-9_]).
_TOKEN = re.compile(r"[\x21-\x7e]+")
# GitHub's tokens are 40 characters or more; a shorter value is a mistake, and one
# too short could not be taken out of messages without garbling them.
MIN_TOKEN_LENGTH = 20
# Any run of this many characters of a secret counts as the secret in a message:
# a server may echo a piece of it, or change its case.
_FRAGMENT = 8
# The user:password@ part of a URL.
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")
REDACTED = "***"


@dataclass(frozen=True)
class Token:
    """A GitHub token and where it came from; its value never appears in a repr or a message."""

    value: str = field(repr=False)
    source: str

    def forms(self) -> list[str]:
        """Return the token as written, and as git sends it (base64 of ``x-access-token:TOKEN``)."""
        sent = base64.b64encode(f"x-access-token:{self.value}".encode()).decode()
        return [self.value, sent, urllib.parse.quote(self.value, safe="")]


# The environment variables a token is read from, in order, as gh reads them.
GITHUB_TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
ENTERPRISE_TOKEN_VARIABLES = ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
TOKEN_VARIABLES = GITHUB_TOKEN_VARIABLES + ENTERPRISE_TOKEN_VARIABLES


def host_of(api_url: str) -> str:
    """Return the host whose token *api_url* needs (``api.github.com`` is github.com's API)."""
    try:
        host = (urllib.parse.urlsplit(api_url).hostname or "").lower()
    except ValueError:  # a malformed address such as "http://[::1"
        return ""
    if host == f"api.{GITHUB_HOST}":
        return GITHUB_HOST
    if host.startswith("api.") and host.endswith(".ghe.com"):  # GitHub Enterprise Cloud
        return host.removeprefix("api.")
    return host


def token_help(api_url: str) -> str:
    """Return what to do when there is no token for *api_url*'s host."""
    host = host_of(api_url)
    return TOKEN_HELP if host == GITHUB_HOST else ENTERPRISE_TOKEN_HELP.format(host=host)


def find_token(api_url: str, environ: Mapping[str, str] = os.environ) -> Token | None:
    """Return the token for *api_url*'s host from the environment or ``gh``, or None.

    Raises ``InvalidInput`` (without showing the token) if the one found holds a
    line break, a space or a character that is not ASCII, as a token read with
    ``$(cat file)`` from a file of two lines would.
    """
    host = host_of(api_url)
    names = GITHUB_TOKEN_VARIABLES if host == GITHUB_HOST else ENTERPRISE_TOKEN_VARIABLES
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return _checked(value, name)
    gh = shutil.which("gh", path=environ.get("PATH"))
    if not gh:
        return None
    try:
        done = subprocess.run(
            [gh, "auth", "token", "--hostname", host],
            capture_output=True,
            text=True,
            timeout=15,
            env=dict(environ),
            errors="replace",
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout.strip()
    if done.returncode != 0 or not value:
        return None
    return _checked(value, f"`gh auth token --hostname {host}`")


def _checked(value: str, source: str) -> Token:
    if _TOKEN.fullmatch(value) and len(value) < MIN_TOKEN_LENGTH:
        raise InvalidInput(
            f"the token from {source} is {len(value)} characters long, too short to be a "
            f"GitHub token (they have {MIN_TOKEN_LENGTH} or more); set it to the whole token"
        )
    if not _TOKEN.fullmatch(value):
        if any(ch in value for ch in "\r\n"):
            what = "a line break"
        elif not value.isascii():
            what = "a character that is not ASCII"
        else:
            what = "a space or a control character"
        raise InvalidInput(
            f"the token from {source} holds {what}, so it cannot be a GitHub token; "
            "set it to the token alone (one line, no spaces)"
        )
    return Token(value, source)


def redact(text: str, tokens: Iterable[Token | None] = ()) -> str:
    """Return *text* without any form of the *tokens* and without credentials in URLs.

    Any run of 8 or more characters of a token's forms, in any case, is replaced:
    a server that echoes part of a token, or lowercases it, does not show it.
    """
    for token in tokens:
        if token is not None:
            text = redact_secrets(text, token.forms())
    return redact_url(text)


def redact_secrets(text: str, secrets: Iterable[str]) -> str:
    """Return *text* with every run of 8 or more characters of any of *secrets* as ``***``.

    The match is made on a skeleton of *text*: each character NFKC-normalised and
    lowercased, and everything that is not a character of the secret dropped. So
    a secret echoed in another case, in full-width letters, or with spaces,
    dashes or invisible marks between its characters is found too, and the
    whole stretch it covers is replaced.
    """
    covered = [False] * len(text)
    for secret in secrets:
        lowered = secret.lower()
        if len(lowered) < _FRAGMENT:
            continue
        alphabet = set(lowered)
        skeleton: list[str] = []
        origin: list[int] = []  # where in *text* each skeleton character came from
        for index, ch in enumerate(text):
            for folded in unicodedata.normalize("NFKC", ch).lower():
                if folded in alphabet:
                    skeleton.append(folded)
                    origin.append(index)
        joined = "".join(skeleton)
        pieces = {lowered[i : i + _FRAGMENT] for i in range(len(lowered) - _FRAGMENT + 1)}
        for start in range(len(joined) - _FRAGMENT + 1):
            if joined[start : start + _FRAGMENT] in pieces:
                first, last = origin[start], origin[start + _FRAGMENT - 1]
                covered[first : last + 1] = [True] * (last + 1 - first)
    if not any(covered):
        return text
    out: list[str] = []
    for index, ch in enumerate(text):
        if not covered[index]:
            out.append(ch)
        elif index == 0 or not covered[index - 1]:
            out.append(REDACTED)
    return "".join(out)


def redact_url(text: str) -> str:
    """Return *text* with the ``user:password@`` of every URL in it replaced by ``***@``."""
    return _URL_CREDENTIALS.sub(lambda match: f"{match.group(1)}{REDACTED}@", text)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Split ``https://user:secret@host/x`` into the URL without them and (user, secret).

    For http(s) the credentials come back to be sent for one push. An ``ssh://``
    URL keeps its user (ssh needs it) and loses any password (ssh never reads
    one from a URL). Other URLs and paths come back whole. Raises ``InvalidInput``
    for a URL that cannot be parsed.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise InvalidInput(f"the remote {redact_url(url)[:80]!r} is not a URL: {exc}") from None
    scheme = parts.scheme.lower()
    if "@" not in parts.netloc or scheme not in ("http", "https", "ssh"):
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")  # split first: a quoted ':' is the user's
    user, password = urllib.parse.unquote(user), urllib.parse.unquote(password)
    if scheme == "ssh":
        kept = f"{userinfo.partition(':')[0]}@{hostport}"
        return urllib.parse.urlunsplit(parts._replace(netloc=kept)), None
    bare = urllib.parse.urlunsplit(parts._replace(netloc=hostport))
    return bare, (user, password)
