"""Jinja filters shared by the bundled templates, loaded by cookiecutter via `_extensions`."""

from __future__ import annotations

import json
import unicodedata

from jinja2 import Environment
from jinja2.ext import Extension


def quoted(value: object) -> str:
    """Return *value* as a double-quoted literal that is valid JSON, TOML, YAML and Python.

    Accents and other letters stay as they are (the files are UTF-8); quotes,
    backslashes, every control character and the two non-characters YAML refuses
    (U+FFFE, U+FFFF) are escaped the way all four languages read them.
    """
    text = json.dumps(str(value), ensure_ascii=False)
    return "".join(
        f"\\u{ord(ch):04x}"
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in "\ufffe\uffff"
        else ch
        for ch in text
    )


def given_names(full_name: object) -> str:
    """Return every word of a person's name but the last (CITATION.cff's given-names)."""
    words = str(full_name).split()
    return " ".join(words[:-1])


def family_names(full_name: object) -> str:
    """Return the last word of a person's name (CITATION.cff's family-names)."""
    words = str(full_name).split()
    return words[-1] if words else ""


class TemplateFilters(Extension):
    """Register the filters above on cookiecutter's Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["quoted"] = quoted
        environment.filters["given_names"] = given_names
        environment.filters["family_names"] = family_names
