"""Where mlscaffold keeps things of the user's: its cache folder and its config file.

Both follow each platform's convention (the XDG spec on Linux). Neither is ever
inside a repository: a template or a project cannot change what the user trusts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG_VARIABLE = "MLSCAFFOLD_CONFIG"


def _home() -> Path | None:
    """Return the user's home folder, or None when there is none or it is relative."""
    try:
        home: Path | None = Path.home()
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        home = None
    if home is not None and not home.is_absolute():
        return None  # HOME=. would put a folder wherever the command is run
    return home


def cache_root() -> Path | None:
    """Return mlscaffold's cache folder (it may not exist yet), or None if there is no place.

    ``$XDG_CACHE_HOME/mlscaffold`` if that is an absolute path (as the XDG spec
    has it), else ``~/.cache/mlscaffold``; ``~/Library/Caches/mlscaffold`` on
    macOS; ``%LOCALAPPDATA%\\mlscaffold\\Cache`` on Windows.
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA", "")
        return Path(base, "mlscaffold", "Cache") if base else None
    home = _home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "mlscaffold" if home else None
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(configured):
        return Path(configured, "mlscaffold")
    return home / ".cache" / "mlscaffold" if home else None


def config_file() -> Path | None:
    """Return the path of the user's config file (it need not exist), or None if there is none.

    ``MLSCAFFOLD_CONFIG`` if set; else ``$XDG_CONFIG_HOME/mlscaffold/config.toml``
    (``~/.config/...`` when that is unset or relative); ``%APPDATA%`` on Windows.
    """
    configured = os.environ.get(CONFIG_VARIABLE, "")
    if configured.strip():
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("APPDATA", "")
        return Path(base, "mlscaffold", "config.toml") if base else None
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg, "mlscaffold", "config.toml")
    home = _home()
    return home / ".config" / "mlscaffold" / "config.toml" if home else None
