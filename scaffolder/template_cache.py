"""A cache of compiled Jinja templates in the user's cache folder, for bundled templates only.

Compiling the files of a template costs about 100 ms in every process; loading
their compiled code costs a few. Jinja's own ``FileSystemBytecodeCache`` is not
used: it unpickles what it reads and trusts any file it finds. Here:

- the folder (``$XDG_CACHE_HOME/mlscaffold/jinja``, or the platform's cache
  folder) is created ``0700``, and a file is loaded only if it is a regular file
  owned by the user and writable by no one else, checked on the open descriptor
  so that nothing can be swapped in between; a file holds a header (format,
  Python's and Jinja's bytecode version, the template source's SHA-256, the
  payload's SHA-256) and ``marshal`` data, nothing that is unpickled;
- a file is written whole under a temporary name and renamed into place, so a
  run that reads while another writes sees the old file, the new one or none;
- the key covers everything that shapes the compiled code (Jinja's files, the
  environment's class and settings, the extensions' files), so an upgrade or an
  edited template never loads code compiled for something else;
- whatever goes wrong (no folder, a read-only one, another user's, a corrupt or
  foreign file, a full disk) means the template is compiled as if there were no
  cache. The code is the same either way, so the output never depends on it.

The caller decides what is cached: only trusted, bundled templates (``render``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path
from types import CodeType
from typing import Any

# This module is imported only where a template environment is built (``render``).
from jinja2.bccache import Bucket, BytecodeCache, bc_magic

from scaffolder.user_dirs import cache_root

FORMAT = b"mlscaffold-jinja-cache 1\n"
# A cache file larger than this is not one of ours (a template compiles to tens of kB).
MAX_FILE_BYTES = 8 * 1024 * 1024


def cache_folder() -> Path | None:
    """Return the folder for mlscaffold's compiled templates (it may not exist yet).

    ``jinja`` in mlscaffold's cache folder (``user_dirs.cache_root``); None when
    there is no such place (no home folder, or a relative one).
    """
    root = cache_root()
    return root / "jinja" if root else None


def _private_folder(folder: Path) -> bool:
    """Create *folder* (``0700``) if need be; whether it is a folder only the user can write to."""
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        return _owned_and_private(os.lstat(folder), stat.S_ISDIR)
    except OSError:  # read-only, a file in the way, no permission: then no cache
        return False


def _owned_and_private(info: os.stat_result, kind: Any) -> bool:
    """Whether *info* is of *kind* (``stat.S_ISREG``…), the user's, and writable by no one else."""
    if not kind(info.st_mode):
        return False
    if not hasattr(os, "geteuid"):  # Windows: the folder is in the user's own profile
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def open_cache(fingerprint: str) -> TemplateCache | None:
    """Return the cache for environments described by *fingerprint*; None if there can be none."""
    folder = cache_folder()
    if folder is None or not _private_folder(folder):
        return None
    return TemplateCache(folder, fingerprint)


def file_identity(path: str | None) -> str:
    """Describe the file at *path* in a line that changes when the file does."""
    if not path:
        return "-"
    try:
        info = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


class TemplateCache(BytecodeCache):
    """Jinja's bytecode cache, kept in *folder*, for environments alike in *fingerprint*."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Return the file name for template *name* at *filename* in an environment like this."""
        text = "\0".join((self.fingerprint, name, filename or ""))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get_source_checksum(self, source: str) -> str:
        """Return the checksum of a template's source that a cached file must match (SHA-256)."""
        return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.jbc"

    @staticmethod
    def _header(bucket: Bucket) -> bytes:
        return FORMAT + bc_magic + bucket.checksum.encode("ascii") + b"\n"

    def load_bytecode(self, bucket: Bucket) -> None:
        """Put the cached code for *bucket* into it, if a sound file of the user's holds it."""
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        # O_NONBLOCK: a FIFO put where a cache file should be must not hang the run.
        flags |= getattr(os, "O_NONBLOCK", 0)
        try:
            descriptor = os.open(self._path(bucket), flags)
        except OSError:  # not cached yet (or not readable): compile
            return
        try:
            with os.fdopen(descriptor, "rb") as handle:
                if not _owned_and_private(os.fstat(handle.fileno()), stat.S_ISREG):
                    return
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            return
        header = self._header(bucket)
        digest_end = len(header) + 65
        if len(data) > MAX_FILE_BYTES or not data.startswith(header):
            return  # another format, Python or source: compile (and replace it)
        digest, payload = data[len(header) : digest_end], data[digest_end:]
        if digest != hashlib.sha256(payload).hexdigest().encode() + b"\n":
            return  # damaged: compile
        try:
            code = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(code, CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write *bucket*'s code to its file, whole or not at all; a failure only means no cache."""
        if bucket.code is None:
            return
        payload = marshal.dumps(bucket.code)
        digest = hashlib.sha256(payload).hexdigest().encode() + b"\n"
        data = self._header(bucket) + digest + payload
        try:
            # mkstemp: a new file of mode 0600 that no one else can have opened.
            descriptor, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, self._path(bucket))
        except BaseException as exc:  # a full disk, or Ctrl-C: leave no half-written file
            with suppress(OSError):
                os.unlink(temporary)
            if not isinstance(exc, OSError):
                raise
