"""Template trust: where a template comes from, in one canonical form, and what in it needs trust.

A template from a folder or a git repository is a stranger's until the user
says otherwise, with ``--trust`` for one run or in their config file::

    # ~/.config/mlscaffold/config.toml
    [trust]
    sources = ["gh:my-bootcamp/", "https://git.example.edu/templates/", "~/templates/"]

An entry ending in ``/`` trusts everything below it, any other entry exactly
one source. Sources and entries are compared in one canonical form
(``canonical``): scheme and host in lower case, no credentials, no default port,
percent-encoding decoded once and ``.``/``..`` resolved, local paths with their
links resolved; and the canonical URL is also the one git fetches, so what is
checked is what is fetched (copier's trust checks were bypassed twice through
the difference). Trust is read only from the user's config file, never from a
repository or a template.
"""

from __future__ import annotations

import os
import posixpath
import re
import tomllib
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder.errors import InvalidInput, NeedsTrust
from scaffolder.user_dirs import config_file

# Shorthands cookiecutter knows, for the hosts people use.
SHORTHANDS = {"gh": "https://github.com/", "gl": "https://gitlab.com/"}
# The transports a template may be fetched over; git's own ext:: and fd:: run commands.
SCHEMES = ("https", "http", "ssh", "git", "file")
_DEFAULT_PORTS = {"https": 443, "http": 80, "ssh": 22, "git": 9418}
# user@host:path, git's scp-like form (a host with a dot, or a user, before the colon).
_SCP = re.compile(r"(?P<user>[^@/:\s]+@)?(?P<host>[^@/:\s\[\]]+):(?!//)(?P<path>.+)")
# The hooks cookiecutter runs (any extension; a backup file ending in ~ is not one).
HOOK_NAMES = ("pre_prompt", "pre_gen_project", "post_gen_project")
# The extensions cookiecutter loads into every environment, and Jinja's own (many templates
# use {% do %} and {% break %}): they import nothing of a template's, so need no trust.
BUILT_IN_EXTENSIONS = frozenset(
    {
        "cookiecutter.extensions.JsonifyExtension",
        "cookiecutter.extensions.RandomStringExtension",
        "cookiecutter.extensions.SlugifyExtension",
        "cookiecutter.extensions.TimeExtension",
        "cookiecutter.extensions.UUIDExtension",
        "jinja2.ext.do",
        "jinja2.ext.loopcontrols",
        "jinja2.ext.debug",
        "jinja2.ext.ExprStmtExtension",
        "jinja2.ext.LoopControlExtension",
        "jinja2.ext.DebugExtension",
    }
)


@dataclass(frozen=True)
class Location:
    """A template source in canonical form.

    *url* is what is recorded, shown, compared for trust, keyed in the cache and
    fetched; it never holds a password. *auth* is the ``user:password`` an
    http(s) URL carried, sent to git for the fetch only, through its environment.
    """

    url: str
    auth: tuple[str, str] | None = field(default=None, repr=False)

    @property
    def scheme(self) -> str:
        """The transport: https, http, ssh, git or file."""
        return self.url.partition("://")[0]

    @property
    def path(self) -> Path | None:
        """The local folder of a ``file://`` location, else None."""
        if self.scheme != "file":
            return None
        return Path(urllib.parse.unquote(urllib.parse.urlsplit(self.url).path))

    @property
    def name(self) -> str:
        """The repository's name: the URL's last segment, without ``.git``."""
        last = self.url.rstrip("/").rpartition("/")[2]
        return urllib.parse.unquote(last.removesuffix(".git")) or "template"


def looks_like_url(text: str) -> bool:
    """Whether *text* is written as a URL, a shorthand (``gh:``) or git's ``user@host:path``."""
    scheme, sep, _ = text.partition(":")
    if not sep:
        return False
    if scheme.lower() in SHORTHANDS or text.partition("://")[1]:
        return True
    return _SCP.fullmatch(text) is not None and ("@" in text.split(":", 1)[0] or "." in scheme)


def canonical(source: str, *, keep_slash: bool = False) -> Location:
    """Return *source* (a URL, ``gh:OWNER/REPO``, ``user@host:path`` or a local path) canonically.

    With *keep_slash*, a trailing ``/`` is kept (a trusted prefix). Raises
    ``InvalidInput`` for a source that cannot be read unambiguously: another
    scheme (``ext::``), whitespace, control characters or backslashes, a query or
    a fragment, a ``file://`` URL of another host.
    """
    text = source.strip()
    if not text or any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in text):
        raise InvalidInput(
            f"the template source {_shown(source)} holds spaces, control characters or "
            "backslashes; give a path, gh:OWNER/REPO or a git URL"
        )
    prefix, sep, rest = text.partition(":")
    if sep and prefix.lower() in SHORTHANDS:
        text = SHORTHANDS[prefix.lower()] + rest.lstrip("/")
    elif not looks_like_url(text):
        return _local(Path(text).expanduser(), keep_slash and text.endswith("/"))
    scp = _SCP.fullmatch(text) if "://" not in text else None
    if scp is not None:
        text = f"ssh://{scp['user'] or ''}{scp['host']}/{scp['path'].lstrip('/')}"
    if text.lower().startswith("git+"):
        text = text[4:]  # cookiecutter's git+https:// form
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"the template source {_shown(source)} is not a URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InvalidInput(
            f"the template source {_shown(source)} uses {scheme}://, which mlscaffold does not "
            f"fetch from; use one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise InvalidInput(
            f"the template source {_shown(source)} has a ?query or a #fragment; "
            "give the branch or tag with --ref"
        )
    host = (parts.hostname or "").lower()
    path = _clean_path(parts.path, source, keep_slash)
    if scheme == "file":
        if host not in ("", "localhost"):
            raise InvalidInput(f"the template source {_shown(source)} names a file on another host")
        return _local(Path(path), keep_slash and path.endswith("/"))
    if not re.fullmatch(r"[a-z0-9._-]+|[0-9a-f:.]+", host):
        # No %-encoded, empty or non-ASCII host: each client reads those its own way.
        raise InvalidInput(f"the template source {_shown(source)} names no plain host name")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    auth = None
    user = urllib.parse.unquote(parts.username or "")
    if scheme == "ssh" and user:
        netloc = (
            f"{urllib.parse.quote(user, safe='')}@{netloc}"  # ssh needs the user; never a password
        )
    elif scheme in ("http", "https") and (user or parts.password):
        auth = (user, urllib.parse.unquote(parts.password or ""))
    return Location(f"{scheme}://{netloc}{_quoted(path)}", auth)


def _local(path: Path, keep_slash: bool) -> Location:
    """Return a local folder as a ``file://`` location: absolute, every link resolved."""
    resolved = Path(os.path.realpath(path)).as_posix()
    if keep_slash and not resolved.endswith("/"):
        resolved += "/"
    return Location(f"file://{_quoted(resolved)}")


def _clean_path(raw: str, source: str, keep_slash: bool) -> str:
    """Decode the URL path once, refuse what cannot be data, and resolve ``.`` and ``..``."""
    try:
        decoded = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"the template source {_shown(source)} encodes bytes that are not UTF-8 in its path"
        ) from None
    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in decoded):
        raise InvalidInput(
            f"the template source {_shown(source)} encodes spaces, control characters or "
            "backslashes in its path"
        )
    trailing = decoded.endswith("/")
    path = posixpath.normpath("/" + decoded.lstrip("/"))
    path = "/" + path.lstrip("/")  # normpath keeps a leading // as it is
    if keep_slash and trailing and path != "/":
        path += "/"
    return path


def _quoted(path: str) -> str:
    # Encoded again (a literal % as %25): git gets exactly the path that was checked.
    return urllib.parse.quote(path, safe="/@:+~!$&'()*,;=-._")


def _shown(text: str) -> str:
    from scaffolder.credentials import redact_url
    from scaffolder.errors import shown

    return shown(redact_url(text), 80)


def is_trusted(location: Location, entries: Iterable[str]) -> bool:
    """Whether *location* is one of *entries* (exact), or lies below one ending in ``/``."""
    for entry in entries:
        wanted = canonical(entry, keep_slash=True).url
        if wanted.endswith("/") and location.url.startswith(wanted):
            return True
        if location.url == wanted:
            return True
    return False


def trusted_sources(path: Path | None = None) -> list[str]:
    """Return the ``[trust] sources`` of the user's config file ([] when there is none).

    Raises ``InvalidInput`` naming the file when it cannot be read or holds
    something other than a list of strings there, or an entry that is not a source.
    """
    path = path or config_file()
    if path is None or not path.exists():
        return []
    try:
        with open(path, "rb") as handle:
            config: Mapping[str, Any] = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        detail = getattr(exc, "strerror", None) or exc
        raise InvalidInput(f"cannot read the mlscaffold config {path}: {detail}") from None
    section = config.get("trust", {})
    found = section.get("sources", []) if isinstance(section, Mapping) else None
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        raise InvalidInput(
            f"the mlscaffold config {path}: [trust] sources must be a list of strings"
        )
    for entry in found:
        if not looks_like_url(entry.strip()) and not entry.strip().startswith(("/", "~")):
            # It would name another folder in every folder the command is run from.
            raise InvalidInput(
                f"the mlscaffold config {path}: {entry!r} in [trust] sources is a relative "
                "path; write it from / or ~"
            )
        try:
            canonical(entry, keep_slash=True)
        except InvalidInput as exc:
            raise InvalidInput(f"the mlscaffold config {path}: {exc}") from None
    return list(found)


def needing_trust(template_path: Path, raw_context: Mapping[str, Any], root: Path) -> list[str]:
    """Return what in the template at *template_path* runs code or reaches outside *root*.

    Its hooks, its Jinja ``_extensions`` other than cookiecutter's own, and
    symbolic links that point outside *root* (the folder or repository it came
    from): an untrusted template may have none of them.
    """
    found = []
    hooks = template_path / "hooks"
    if hooks.is_dir():  # a link to a folder too: cookiecutter follows it
        for entry in sorted(os.listdir(hooks)):
            if is_hook(entry):
                found.append(f"hooks/{entry} (a hook)")
    names = raw_context.get("_extensions", [])
    for name in names if isinstance(names, list) else [names]:
        if str(name) not in BUILT_IN_EXTENSIONS:
            found.append(f"_extensions {str(name)!r} (a Jinja extension, imported to render)")
    found.extend(f"{link} (a link out of the template)" for link in links_out(template_path, root))
    found.extend(
        f"{entry} (a git repository in the template: its settings would run commands in the "
        "project)"
        for entry in nested_git(template_path)
    )
    return found


def nested_git(folder: Path, limit: int = 3) -> list[str]:
    """Return up to *limit* ``.git`` entries under *folder*, but for *folder*'s own ``.git``."""
    found: list[str] = []
    for here, dirs, files in os.walk(folder):
        top = Path(here) == folder
        for name in [*dirs, *files]:
            if name == ".git" and not top:
                found.append((Path(here, name).relative_to(folder)).as_posix())
        dirs[:] = [d for d in dirs if d != ".git"]
        if len(found) >= limit:
            break
    return found[:limit]


def is_hook(file_name: str, hook: str | None = None) -> bool:
    """Whether *file_name* in ``hooks/`` is a hook (*hook*, or any), by cookiecutter's rule.

    Its name without the last extension is the hook's; a backup ending in ``~`` is not one.
    """
    stem = os.path.splitext(file_name)[0]
    return not file_name.endswith("~") and (stem == hook if hook else stem in HOOK_NAMES)


def within(path: Path | str, root: Path) -> bool:
    """Whether *path*, with every link resolved, lies in *root* and outside its ``.git``.

    A repository's ``.git`` is not part of its template: its config can hold the
    token the template was cloned with.
    """
    bound = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    return real.is_relative_to(bound) and ".git" not in real.relative_to(bound).parts


def links_out(folder: Path, root: Path, limit: int = 3) -> list[str]:
    """Return up to *limit* symbolic links under *folder* whose target is not inside *root*."""
    found: list[str] = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *files]:
            entry = Path(here, name)
            if entry.is_symlink() and not within(entry, root):
                found.append(f"{entry.relative_to(folder).as_posix()} -> {os.readlink(entry)}")
                if len(found) >= limit:
                    return found
    if folder.is_symlink() and not within(folder, root):
        found.append(f". -> {os.readlink(folder)}")
    return found


def refuse_untrusted(display: str, reasons: list[str]) -> None:
    """Raise ``NeedsTrust`` (exit 4) naming everything in the template that needs trust."""
    if not reasons:
        return
    where = config_file()
    config = f" (or add it to [trust] sources in {where})" if where else ""
    raise NeedsTrust(
        f"the template {display} needs trust: it has {'; '.join(reasons)}. Read what it would "
        f"run, then run again with --trust{config}; nothing was written"
    )
