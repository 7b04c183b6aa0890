"""Where a template comes from: a bundled name, a folder, or a git repository; and opening it.

``SOURCE`` is one of:

- a name from ``mlscaffold list`` (bundled, or ``MLSCAFFOLD_TEMPLATES``'s): trusted;
- a folder holding a ``cookiecutter.json``, rendered as it is on disk;
- ``gh:OWNER/REPO``, ``gl:OWNER/REPO`` or a git URL (``https://``, ``ssh://``,
  ``git@host:path``, ``file://``), fetched at ``--ref`` (or ``SOURCE@REF``: a
  branch, a tag or a commit; the default branch otherwise).

``--directory SUB`` picks the template in a subfolder of the folder or repository.
A fetched repository is kept in the user's cache, one bare repository per
canonical URL, replaced only by a complete new fetch (a failed fetch keeps the
copy there); a commit already in the cache is used without the network. The
template is then checked out at the commit into a folder of its own, so that
neither the cache nor the user's folder is ever rendered from while it changes.

A folder or a repository is not trusted (``trust``) unless ``--trust`` is given
or the user's config names it: then it may have no hooks, no Jinja extensions
and no link out of itself, and nothing of it is imported or run; it renders in
Jinja's sandbox as every template does.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from scaffolder import trust as trust_
from scaffolder.catalog import Template, read_template, template_folders
from scaffolder.errors import InvalidInput, ScaffoldError, UnknownTemplate, shown
from scaffolder.user_dirs import cache_root

Notify = Callable[[str], None]

GIT = "git"
PATH = "path"
_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_ABBREVIATED_SHA = re.compile(r"[0-9a-f]{4,64}")


@dataclass(frozen=True)
class SourceRequest:
    """Which template to open: *source* as typed, and the options that go with it."""

    source: str
    ref: str | None = None
    directory: str | None = None
    trust: bool = False
    # A dry run: no hook runs (not even a trusted template's pre_prompt, which runs as the
    # template is opened), so an untrusted template's hooks are no reason to refuse it.
    preview: bool = False


def is_named(source: str) -> bool:
    """Whether *source* is the name of a template of ``mlscaffold list``."""
    return "/" not in source and source in template_folders()


@contextmanager
def open_template(request: SourceRequest, say: Notify = lambda message: None) -> Iterator[Template]:
    """Open the template *request* names, for as long as the ``with`` block runs.

    Raises ``UnknownTemplate`` or ``InvalidInput`` (exit 2) for a source that is
    none of the forms, ``NeedsTrust`` (exit 4) for an untrusted template with
    code of its own, and ``ScaffoldError`` when a fetch fails.
    """
    if is_named(request.source):
        if request.ref is not None or request.directory is not None:
            raise InvalidInput(
                f"--ref and --directory are for a template in a folder or a git repository; "
                f"{request.source} is one of mlscaffold's templates"
            )
        yield read_template(template_folders()[request.source])
        return
    work = Path(tempfile.mkdtemp(prefix="mlscaffold-template-"))
    try:
        yield open_into(request, work, say)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def open_into(request: SourceRequest, work: Path, say: Notify = lambda message: None) -> Template:
    """Open the folder or repository template of *request*, checked out under *work* if fetched.

    *work* is an empty folder of the caller's, removed by the caller.
    """
    secret = _password_in(request.source)
    try:
        return _open_into(request, work, say)
    except ScaffoldError as exc:
        if secret and secret in str(exc):  # a message may quote SOURCE, password and all
            raise type(exc)(str(exc).replace(secret, "***")) from None
        raise


def _password_in(source: str) -> str | None:
    """Return what stands where a password would in *source* (``user:PASSWORD@``), if anything.

    Read loosely (a password with spaces or a ``/`` in it makes no valid URL, and
    is still a password): between the first ``:`` of the part after ``://`` and
    its last ``@``, when the ``:`` comes first. (``git@host:path`` holds none: ssh
    reads no password from a URL.)
    """
    rest = source.partition("://")[2]
    colon, at = rest.find(":"), rest.rfind("@")
    if colon < 0 or at < colon or "@" in rest[:colon]:
        return None
    return rest[colon + 1 : at] or None


def _open_into(request: SourceRequest, work: Path, say: Notify) -> Template:
    if not request.source.strip():
        raise InvalidInput("SOURCE is empty; give a template's name, a folder or a git URL")
    directory = _directory(request.directory)
    text, ref = _split_ref(request.source, request.ref)
    shorthand, colon, rest = text.partition(":")
    if colon and shorthand.lower() in trust_.SHORTHANDS and rest.strip("/").count("/") != 1:
        raise InvalidInput(f"{shorthand}:OWNER/REPO needs an owner and a repository, not {text!r}")
    if not trust_.looks_like_url(text):
        if not Path(text).expanduser().is_dir():
            raise _unknown(text)
        if ref is None:
            return _open_folder(text, directory, request, work, say)
    location = trust_.canonical(text)
    trusted = request.trust or trust_.is_trusted(location, trust_.trusted_sources())
    fetched = fetch(location, ref, work, say)
    tree = work / "tree"
    fetched.check_out(tree, work / "index")
    _say_what_is_not_fetched(tree, say)
    origin = {
        "kind": GIT,
        "url": location.url,
        "commit": fetched.commit,
        "ref": ref,
        "ref_kind": fetched.ref_kind,
        "directory": directory,
    }
    name = PurePosixPath(directory).name if directory else location.name
    opened = _open(tree, directory, name, origin, trusted, location.url, request.preview)
    return opened if request.preview else _after_pre_prompt(opened, work, say)


def _open_folder(
    text: str, directory: str | None, request: SourceRequest, work: Path, say: Notify
) -> Template:
    folder = Path(text).expanduser()
    location = trust_.canonical(str(folder.resolve()))
    trusted = request.trust or trust_.is_trusted(location, trust_.trusted_sources())
    root = Path(os.path.realpath(folder))
    origin = {"kind": PATH, "path": str(root), "directory": directory}
    name = PurePosixPath(directory).name if directory else root.name
    # Rendered from a copy without .git, as a fetched template is: what is checked is what is
    # rendered, even if the folder changes meanwhile, and a repository's config is never read.
    copy = work / "tree"
    _copy_folder(root, copy)
    opened = _open(copy, directory, name, origin, trusted, str(root), request.preview)
    return opened if request.preview else _after_pre_prompt(opened, work, say)


def _copy_folder(root: Path, copy: Path) -> None:
    """Copy the template folder *root* to *copy*: links as links, without its own ``.git``.

    A link to something inside *root* is pointed at the same file of the copy,
    any other at what it leads to from *root* (a link out still: refused, unless
    the template is trusted, when it works as it did in place).
    """

    def top_git(folder: str, names: list[str]) -> list[str]:
        return [".git"] if Path(folder) == root else []

    try:
        shutil.copytree(root, copy, symlinks=True, ignore=top_git)
        for here, dirs, files in os.walk(copy):
            for name in [*dirs, *files]:
                link = Path(here, name)
                if not link.is_symlink():
                    continue
                real = Path(os.path.realpath(root / link.relative_to(copy)))
                link.unlink()
                if trust_.within(real, root):
                    link.symlink_to(os.path.relpath(copy / real.relative_to(root), link.parent))
                else:
                    link.symlink_to(real)
    except shutil.Error as exc:  # one per file it could not copy: the first says enough
        raise ScaffoldError(
            f"cannot read the template folder {root}: {exc.args[0][0][2]}"
        ) from None
    except OSError as exc:
        raise ScaffoldError(
            f"cannot read the template folder {root}: {exc.strerror or exc}"
        ) from None


def _say_what_is_not_fetched(tree: Path, say: Notify) -> None:
    """Say so when the repository has submodules or Git LFS files: neither is fetched."""
    if (tree / ".gitmodules").is_file():
        say("Note: the template's repository has submodules, which are not fetched (empty folders)")
    with suppress(OSError, UnicodeDecodeError):
        if "filter=lfs" in (tree / ".gitattributes").read_text(encoding="utf-8"):
            say("Note: the template's repository keeps files in Git LFS; they stay pointer files")


def _unknown(text: str) -> UnknownTemplate:
    names = ", ".join(template_folders())
    if Path(text).expanduser().exists():
        return UnknownTemplate(
            f"{shown(text, 80)} is not a folder; give a folder with a cookiecutter.json, "
            f"gh:OWNER/REPO, a git URL, or one of: {names}"
        )
    return UnknownTemplate(
        f"unknown template {shown(text, 80)}; choose one of: {names}; or give a folder "
        "with a cookiecutter.json, gh:OWNER/REPO or a git URL"
    )


def _open(
    root: Path,
    directory: str | None,
    name: str,
    origin: Mapping[str, Any],
    trusted: bool,
    display: str,
    preview: bool = False,
) -> Template:
    """Read the template at *root*/*directory*; refuse it if it needs trust it has not got."""
    folder = root / directory if directory else root
    if directory is not None and (
        not folder.is_dir() or not Path(os.path.realpath(folder)).is_relative_to(root.resolve())
    ):
        raise InvalidInput(f"{display} has no folder {directory!r} (--directory)")
    if not (folder / "cookiecutter.json").is_file() or (folder / "cookiecutter.json").is_symlink():
        where = f" in {directory!r}" if directory else ""
        raise InvalidInput(
            f"{display} holds no cookiecutter.json{where}, so it is not a cookiecutter template"
            + ("" if directory else " (is it in a subfolder? give it with --directory)")
        )

    def refuse(raw_context: Mapping[str, Any]) -> None:
        reasons = trust_.needing_trust(folder, raw_context, root)
        if preview:  # nothing will run: only what rendering itself needs counts
            reasons = [reason for reason in reasons if not reason.endswith("(a hook)")]
        trust_.refuse_untrusted(display, reasons)

    if not trusted:
        refuse({})  # links first: reading cookiecutter.json must not follow one out
    template = read_template(folder, name=name, trusted=trusted, origin=origin, link_root=root)
    if not trusted:
        refuse(template.raw_context)
    return template


def _after_pre_prompt(template: Template, work: Path, say: Notify) -> Template:
    """Run a trusted template's ``pre_prompt`` hook as cookiecutter does: in a copy of it.

    The hook may change the copy's ``cookiecutter.json``; the copy is what is rendered.
    A template without the hook (or untrusted) is returned as it is.
    """
    from scaffolder.hooks import run_hook

    if not template.hook_files("pre_prompt"):
        return template
    assert template.link_root is not None
    copy = work / "pre-prompt"
    shutil.copytree(template.link_root, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    folder = copy / template.path.relative_to(template.link_root)
    moved = read_template(
        folder, name=template.name, trusted=True, origin=template.origin, link_root=copy
    )
    run_hook(moved, "pre_prompt", folder, None, say)
    return read_template(
        folder, name=template.name, trusted=True, origin=template.origin, link_root=copy
    )


def _directory(value: str | None) -> str | None:
    """Check ``--directory``: a relative path inside the source, written with ``/``."""
    if value is None:
        return None
    path = PurePosixPath(value.strip())
    if (
        not value.strip()
        or "\\" in value
        or path.is_absolute()
        or ".." in path.parts
        or any(not part.isprintable() for part in path.parts)
    ):
        raise InvalidInput(
            f"--directory {shown(value)} must be a folder inside the template's source, "
            "written like templates/course"
        )
    text = path.as_posix()
    return None if text == "." else text


def _split_ref(source: str, ref: str | None) -> tuple[str, str | None]:
    """Split ``SOURCE@REF``; refuse a REF that also differs from ``--ref``."""
    text, found = source.strip(), None
    if not Path(text).expanduser().exists():
        if "://" in text:
            scheme, _, rest = text.partition("://")
            authority, slash, path = rest.partition("/")
            if "@" in path:
                path, _, found = path.rpartition("@")
            text = f"{scheme}://{authority}{slash}{path}"
        elif "@" in text.partition(":")[2] or (":" not in text and "@" in text):
            head, colon, tail = text.partition(":") if ":" in text else ("", "", text)
            tail, _, found = tail.rpartition("@")
            text = f"{head}{colon}{tail}"
    if found is not None and ref is not None and found != ref:
        raise InvalidInput(f"the source says @{found} and --ref says {ref}; give one of them")
    chosen = ref if ref is not None else found
    if chosen is not None:
        chosen = chosen.strip()
        revision_syntax = any(
            mark in chosen for mark in ("^", "~", ":", "@{", "..", "\\", "*", "?", "[")
        )
        if (
            not chosen
            or chosen.startswith("-")
            or not chosen.isprintable()
            or " " in chosen
            or revision_syntax
        ):
            # A name or a commit: `main^` would be recorded as the branch to follow.
            raise InvalidInput(f"{shown(chosen)} is not a branch, a tag or a commit (--ref)")
    return text, chosen


@dataclass(frozen=True)
class Fetched:
    """A commit of a fetched repository, in the cache (or a scratch clone when there is none)."""

    repository: Path
    commit: str
    ref_kind: str  # "branch", "tag", "commit", or "default branch"

    def check_out(self, tree: Path, index: Path) -> None:
        """Write the commit's files into the new folder *tree* (an index file of its own)."""
        from scaffolder.gitops import complaint, run_git

        tree.mkdir()
        code, _, err = run_git(
            self.repository,
            "--work-tree",
            str(tree),
            "checkout",
            "--force",
            self.commit,
            "--",
            ".",
            env={"GIT_INDEX_FILE": str(index)},
        )
        if code:
            raise ScaffoldError(f"cannot check out the template's files: {complaint(err)}")


def fetch(location: trust_.Location, ref: str | None, work: Path, say: Notify) -> Fetched:
    """Fetch *location* into the cache (unless the commit *ref* is there already); resolve *ref*.

    A new fetch is a complete clone into a folder of its own, put in the cache's
    place only once it succeeded: a failed or interrupted fetch leaves the copy
    that was there. Raises ``ScaffoldError`` with git's reason, credentials
    removed, when the fetch fails, and ``InvalidInput`` for a *ref* the
    repository does not have. Without a cache folder (no home), the clone is
    made in *work*, the caller's folder for this run.
    """
    entry = _cache_entry(location)
    if entry is not None:
        _recover(entry)
        if ref is not None and _FULL_SHA.fullmatch(ref) and entry.is_dir():
            found = _resolve(entry, ref)
            if found is not None:
                say(f"Using {location.url} at {ref[:12]}, from the cache")
                return Fetched(entry, *found)
    parent = entry.parent if entry is not None else work
    try:
        parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        scratch = Path(tempfile.mkdtemp(prefix=".fetch-", dir=parent))
    except OSError as exc:
        raise ScaffoldError(f"cannot write to {parent}: {exc.strerror or exc}") from exc
    try:
        clone = _clone(location, scratch / "repository", entry, say)
        found = _resolve(clone, ref)
        if found is None:
            raise InvalidInput(
                f"{location.url} has no branch, tag or commit {ref!r} (--ref)"
                if ref is not None
                else f"{location.url} has no commits"
            )
        if entry is None:  # no cache folder: the clone serves this run, in its folder
            os.rename(clone, work / "repository")
            return Fetched(work / "repository", *found)
        _install(clone, entry)
        return Fetched(entry, *found)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _clone(location: trust_.Location, into: Path, entry: Path | None, say: Notify) -> Path:
    from scaffolder.gitops import BasicAuth, remote_environment, remote_failure, run_git

    auth = BasicAuth(*location.auth) if location.auth else None
    say(f"Fetching {location.url}")
    code, _, err = run_git(
        into.parent,
        # Only the transport the URL names: git's ext:: and fd:: run commands.
        "-c",
        "protocol.allow=never",
        "-c",
        f"protocol.{location.scheme}.allow=always",
        "clone",
        "--bare",
        "--quiet",
        "--template=",  # no hooks or excludes of the user's init.templateDir
        "--",
        location.url,
        str(into),
        env=remote_environment(location.url, auth),
    )
    if code:
        kept = (
            "; the copy fetched earlier is kept in the cache"
            if entry is not None and entry.is_dir()
            else ""
        )
        reason = remote_failure(err, code, location.url, auth)
        if "unable to connect" in err:  # git says why on the line after
            lines = [line.strip() for line in err.splitlines() if line.strip()]
            reason = " ".join(lines[-2:]).removeprefix("fatal: ")
        if "could not read Username" in err or "Authentication failed" in err:
            reason = (
                "the server asks for a user name and password, or refused the ones given; "
                "give them in the URL (https://USER:TOKEN@host/...) or to a git credential "
                "helper (git config --global credential.helper store), which update uses"
            )
        raise ScaffoldError(f"cannot fetch the template {location.url}: {reason}{kept}")
    return into


def _resolve(repository: Path, ref: str | None) -> tuple[str, str] | None:
    """Return (commit, kind) of *ref* in *repository*: a branch, else a tag, else a commit."""
    from scaffolder.gitops import run_git

    def commit_of(revision: str) -> str | None:
        code, out, _ = run_git(
            repository, "rev-parse", "--verify", "--quiet", "--end-of-options", revision
        )
        return out.strip() if code == 0 and out.strip() else None

    if ref is None:
        found = commit_of("HEAD^{commit}")
        return (found, "default branch") if found else None
    for prefix, kind in (("refs/heads/", "branch"), ("refs/tags/", "tag")):
        found = commit_of(f"{prefix}{ref}^{{commit}}")
        if found:
            return found, kind
    if _ABBREVIATED_SHA.fullmatch(ref.lower()):
        found = commit_of(f"{ref.lower()}^{{commit}}")
        if found:
            return found, "commit"
    return None


def _cache_entry(location: trust_.Location) -> Path | None:
    """Return the cache folder of *location*: its name, and a digest of its canonical URL."""
    root = cache_root()
    if root is None:
        return None
    digest = hashlib.sha256(location.url.encode()).hexdigest()[:20]
    readable = re.sub(r"[^A-Za-z0-9._-]", "_", location.name)[:40]
    return root / "templates" / f"{readable}-{digest}"


def _install(clone: Path, entry: Path) -> None:
    """Put the fresh *clone* in *entry*'s place; the old copy goes only once the new one is in."""
    old = entry.with_name(f"{entry.name}.old-{os.getpid()}")
    moved_old = False
    if entry.exists():
        with suppress(OSError):  # another run moved it a moment ago
            os.rename(entry, old)
            moved_old = True
    try:
        os.rename(clone, entry)
    except OSError:
        if moved_old and not entry.exists():
            with suppress(OSError):
                os.rename(old, entry)
                moved_old = False
        if not entry.is_dir():
            raise ScaffoldError(f"cannot write the template cache {entry}") from None
        # Another run put its own fresh copy there: it serves as well.
    if moved_old:
        shutil.rmtree(old, ignore_errors=True)


def _recover(entry: Path) -> None:
    """Put back a copy that a run killed between two renames of ``_install`` left aside."""
    if entry.exists():
        return
    for old in sorted(entry.parent.glob(f"{entry.name}.old-*")):
        with suppress(OSError):
            os.rename(old, entry)
            return
