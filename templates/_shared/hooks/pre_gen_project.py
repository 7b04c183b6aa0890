"""Check a template's answers before cookiecutter writes a single file.

This file is the one home of the naming rules of the bundled templates. Plain
`cookiecutter` runs it as a pre-generation hook (rendered, as __main__);
mlscaffold imports it unrendered and calls `problems()` in-process, so both
paths refuse exactly the same answers and mlscaffold does not pay for a hook
process.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Mapping

MAX_NAME_LENGTH = 64

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}")  # the pattern CITATION.cff accepts
_GITHUB_USER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
# A package named like one of these would shadow it for the whole environment
# (src/ is on sys.path once the project is installed in editable mode).
_TAKEN_IMPORT_NAMES = frozenset(
    {"matplotlib", "numpy", "pandas", "pooch", "pytest", "scipy", "sklearn", "torch", "tqdm"}
)


def problems(answers: Mapping[str, object]) -> list[str]:
    """Return one sentence per answer that would make a broken project (empty if all is well)."""
    found: list[str] = []
    name = str(answers.get("project_name", ""))
    slug = str(answers.get("project_slug", ""))
    package = str(answers.get("package_name", ""))

    if not name.strip():
        return ["the project name is empty"]
    if len(name) > MAX_NAME_LENGTH:
        found.append(f"the project name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}")
    if "/" in name or "\\" in name or ".." in name:
        found.append(f"the project name {name!r} holds a path separator or '..'; give a name, not a path")
    if any(not ch.isprintable() for ch in name):
        found.append("the project name holds control characters")
    if found:
        return found

    if not slug:
        return [f"the project name {name!r} has no letters or digits to make a directory name from"]
    if not _SLUG.fullmatch(slug) or len(slug) > MAX_NAME_LENGTH:
        found.append(
            f"project_slug {slug!r} must be lowercase letters, digits and single hyphens "
            f"(at most {MAX_NAME_LENGTH} characters)"
        )
    if package[:1].isdigit():
        found.append(
            f"the package name {package!r} starts with a digit, which Python cannot import; "
            "start the project name with a letter"
        )
    elif not package.isidentifier() or not package.isascii():
        found.append(f"package_name {package!r} is not a valid Python identifier")
    elif keyword.iskeyword(package) or keyword.issoftkeyword(package):
        found.append(f"the package name {package!r} is a Python keyword; choose another project name")
    elif package in sys.stdlib_module_names or package in _TAKEN_IMPORT_NAMES:
        found.append(
            f"the package name {package!r} would shadow the module of the same name; "
            "choose another project name"
        )

    # The remaining answers are checked only where a template asks for them.
    if "author_email" in answers and not _EMAIL.fullmatch(str(answers["author_email"])):
        found.append(f"author_email {answers['author_email']!r} is not an email address")
    if "github_username" in answers and not _GITHUB_USER.fullmatch(str(answers["github_username"])):
        found.append(
            f"github_username {answers['github_username']!r} is not a valid GitHub user name"
        )
    if "random_seed" in answers:
        seed = str(answers["random_seed"])
        if not (seed.isascii() and seed.isdigit() and int(seed) < 2**32):
            found.append(f"random_seed {seed!r} must be a whole number from 0 to 4294967295")
    return found


if __name__ == "__main__":
    # Rendered by cookiecutter: the raw string below becomes the answers as JSON.
    # (Jinja's tojson escapes quotes, so the literal cannot be closed early.)
    _answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    _found = problems(_answers)
    for _problem in _found:
        print(f"Error: {_problem}", file=sys.stderr)
    sys.exit(1 if _found else 0)
