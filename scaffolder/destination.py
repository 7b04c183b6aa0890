"""Where a repository is published: the GitHub API root, the owner, the visibility.

The options ``publish``, ``new --publish`` and ``classroom --publish`` share,
checked here once, and the one place the API root is chosen (``--api-url``,
else ``GITHUB_API_URL``, else ``DEFAULT_API_URL``). Kept apart from the HTTP
client, so that the CLI can show the default in its help, and ``new`` check
its options, without importing urllib.request.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scaffolder.errors import InvalidInput, shown
from scaffolder.names import check_owner

if TYPE_CHECKING:
    from scaffolder.credentials import Token

DEFAULT_API_URL = "https://api.github.com"
# Set in every GitHub Actions job; for GitHub Enterprise Server, https://HOST/api/v3.
API_URL_VARIABLE = "GITHUB_API_URL"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def resolve_api_url(given: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """Return the API root: *given* (``--api-url``), else ``GITHUB_API_URL``, else github.com's.

    The one place the API root is chosen; the CLI passes only what was typed,
    so that the variable is read here and an error names where the URL came
    from. A ``GITHUB_API_URL`` that is set but empty is refused rather than taken for
    github.com, which could publish an enterprise's code to the public site.
    """
    if given is not None:
        return check_api_url(given, "--api-url")
    if API_URL_VARIABLE in environ:
        return check_api_url(environ[API_URL_VARIABLE], API_URL_VARIABLE)
    return DEFAULT_API_URL


def check_api_url(url: str, source: str = "--api-url") -> str:
    """Return *url* (without a trailing slash) if it can be a GitHub API root; else refuse it.

    It must be an http(s) URL with a host, a valid port and no credentials;
    plain http only to this machine, since the token would travel unencrypted.
    """
    text = url.strip()
    if not text:
        raise InvalidInput(
            f"{source} is empty; leave it out for github.com, or give your server's API, "
            "e.g. https://github.example.com/api/v3"
        )
    quoted = shown(text, 80)
    if any(not ch.isprintable() for ch in text):
        raise InvalidInput(f"{source} {quoted} holds a line break or a control character")
    try:
        parts = urllib.parse.urlsplit(text)
        hostname = parts.hostname
    except ValueError as exc:  # e.g. "http://[::1" or "http://[zz::1]/"
        raise InvalidInput(f"{source} {quoted} is not a URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            f"{source} {quoted} is not a URL; give it with its scheme, e.g. https://api.github.com"
        )
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(
            f"{source} {quoted} has a port that is not a number from 1 to 65535"
        ) from None
    if not hostname or port == 0:
        raise InvalidInput(f"{source} {quoted} has no host (or port 0)")
    if "@" in parts.netloc:
        raise InvalidInput(
            f"{source} holds a user name or password; give the token through GITHUB_TOKEN or "
            "gh instead"
        )
    if parts.scheme.lower() == "http" and hostname.lower() not in _LOOPBACK:
        raise InvalidInput(
            f"{source} {quoted} is plain http: your token would travel unencrypted; use https://"
        )
    return text.rstrip("/")


@dataclass(frozen=True)
class Destination:
    """Where a repository is created on GitHub, and how: the options the commands share.

    ``publish``, ``new --publish`` and each student of ``classroom --publish``
    give these. None means not given: *private* then public, *api_url* then
    ``GITHUB_API_URL``, else github.com's API.
    """

    org: str | None = None
    private: bool | None = None
    template_repo: bool = False
    api_url: str | None = None

    def given(self) -> list[str]:
        """Return the options given, as they are spelled on the command line."""
        flags = [
            flag
            for flag, value in (
                ("--org", self.org is not None),
                ("--template-repo", self.template_repo),
                ("--api-url", self.api_url is not None),
            )
            if value
        ]
        if self.private is not None:
            flags.append("--private" if self.private else "--public")
        return flags

    def api(self) -> str:
        """Return the API root to publish to; refuse an unusable one, or a bad organisation name."""
        api = resolve_api_url(self.api_url)
        if self.org is not None:
            check_owner(self.org)
        return api

    def settle(
        self, token: Token | None = None, *, required: bool = True
    ) -> tuple[str, Token | None]:
        """Return the API root and the token for its host: the one place either is looked up.

        Without a token raises ``GitHubError`` saying how to get one, unless it is
        not *required* (a dry run, which then only shows what it would send).
        """
        # Imported here: `new` checks its options without paying for these.
        from scaffolder.credentials import find_token, token_help

        api = self.api()
        token = token or find_token(api)
        if token is None and required:
            from scaffolder.github import GitHubError

            raise GitHubError(f"no GitHub token found: {token_help(api)}")
        return api, token


def check_new_options(publish: bool, git: bool, destination: Destination) -> None:
    """Refuse the options of ``new`` that do not go together, before anything is written."""
    if publish and not git:
        raise InvalidInput("--publish needs git; leave out --no-git")
    given = destination.given()
    if given and not publish:
        raise InvalidInput(f"{given[0]} is for --publish")
