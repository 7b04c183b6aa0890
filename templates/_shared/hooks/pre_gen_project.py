"""Check a template's answers before cookiecutter writes a single file.

This file is the one home of the naming rules of the bundled templates. Plain
`cookiecutter` runs it as a pre-generation hook (rendered, as __main__);
mlscaffold imports it unrendered and calls `problems_by_variable()` in-process,
so both paths refuse exactly the same answers and mlscaffold does not pay for a
hook process. Each problem names the variable it is about, so an interactive
run can ask for that one answer again.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Mapping

MAX_NAME_LENGTH = 64
MAX_PERSON_LENGTH = 200  # an author's name or email address
MAX_DESCRIPTION_LENGTH = 1000

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]{2,}")  # the pattern CITATION.cff accepts
_GITHUB_USER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
# A project cannot be named like what it installs: pip would see it require
# itself, and its package would stand in for that library or tool (src/ is on
# sys.path once the project is installed in editable mode). The names are read
# from the template's own lists, those its pyproject.toml is made from.
_OWN_LISTS = (
    ("_dependencies", "one of its own dependencies"),
    ("_dev_dependencies", "one of its own development tools"),
    ("_build_requires", "one of its own build requirements"),
)
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")  # PEP 508
# Import names that differ from the distribution's (the top-level modules of its
# wheel), keyed by normalised distribution name. Only for what the templates
# list: a test checks every key against their lists.
IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "matplotlib": ("mpl_toolkits", "pylab"),
    "pillow": ("PIL",),
    "pytest": ("_pytest", "py"),
    "scikit-learn": ("sklearn",),
    "torch": ("functorch", "torchgen"),
}
# Libraries that a listed dependency requires and that a data-science user
# imports, and so may name a project after: such a project cannot be installed
# beside them either. The dependencies' other requirements (packaging, requests,
# pytz, threadpoolctl, ...) are not names a portfolio project takes, and are
# left out. Keyed by normalised distribution name, checked as IMPORT_NAMES is.
ALSO_INSTALLS: dict[str, tuple[str, ...]] = {
    "matplotlib": ("pillow",),
    "scikit-learn": ("joblib", "scipy"),
}
# What every virtual environment the README sets up holds: a project named
# "pip" would stand in for the installer inside its own .venv.
INSTALLERS = ("pip", "setuptools", "wheel")
# Line breaks and control characters (ESC, NUL, ...): a name holding one breaks
# git's author line, a file header or the terminal that prints it.
_CONTROL = frozenset({"Cc", "Zl", "Zp"})
# Invisible formatting characters (a right-to-left override makes "Eve" show as
# something else) and what is not a character at all. Zero-width (non-)joiners
# are kept: several scripts write names with them.
_INVISIBLE = frozenset({"Cf", "Cs", "Co", "Cn"})
_JOINERS = frozenset({"\u200c", "\u200d"})


def shown(value: object, limit: int = 40) -> str:
    """*value* as a short quoted literal for a message: escaped, and cut if it is long."""
    text = str(value)
    return (
        repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"
    )


def _unsafe_characters(text: str) -> str | None:
    """Why *text* cannot be a name, an author or an email: a line break, '<' or '>' (or None)."""
    if any(unicodedata.category(ch) in _CONTROL for ch in text):
        return "holds a line break or a control character"
    if any(
        unicodedata.category(ch) in _INVISIBLE and ch not in _JOINERS or ch in "\ufffe\uffff"
        for ch in text
    ):
        return "holds an invisible formatting character (such as a right-to-left override)"
    if "<" in text or ">" in text:
        return "holds '<' or '>'"
    return None


def normalised(name: str) -> str:
    """*name* as PEP 503 compares distribution names: ``Scikit_Learn`` is ``scikit-learn``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _taken_names(answers: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """The distribution and import names the project installs, each with why it is taken.

    Both are keyed by normalised name; the import names include the distributions'.
    """
    distributions: dict[str, str] = {}
    imports: dict[str, str] = {}

    def take(name: str, what: str) -> None:
        key = normalised(name)
        distributions.setdefault(key, f"the name of {what} ({name})")
        imports.setdefault(key, f"the name of {what} ({name})")
        for module in IMPORT_NAMES.get(key, ()):
            imports.setdefault(normalised(module), f"the import name of {what} ({name})")

    listed: list[str] = []
    for variable, what in _OWN_LISTS:
        requirements = answers.get(variable, [])
        for requirement in requirements if isinstance(requirements, list) else []:
            match = _REQUIREMENT_NAME.match(str(requirement).strip())
            if match:
                take(match.group(), what)
                listed.append(match.group())
    for name in listed:  # after every listed name, so that those keep their own reason
        for library in ALSO_INSTALLS.get(normalised(name), ()):
            take(library, f"a library its dependency {name} installs")
    for tool in INSTALLERS:
        take(tool, "the installer in its virtual environment")
    return distributions, imports


def _loose(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def problems_by_variable(answers: Mapping[str, object]) -> list[tuple[str, str]]:
    """Return (variable, sentence) for each answer that would make a broken project."""
    found: list[tuple[str, str]] = []
    name = str(answers.get("project_name", ""))
    slug = str(answers.get("project_slug", ""))
    package = str(answers.get("package_name", ""))

    if not name.strip():
        return [("project_name", "the project name is empty")]
    if len(name) > MAX_NAME_LENGTH:
        found.append(
            (
                "project_name",
                f"the project name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}",
            )
        )
    elif "/" in name or "\\" in name or ".." in name:
        found.append(
            (
                "project_name",
                f"the project name {shown(name)} holds a path separator or '..'; "
                "give a name, not a path",
            )
        )
    elif _unsafe_characters(name):
        found.append(("project_name", f"the project name {_unsafe_characters(name)}"))
    if found:
        return found

    if not slug:
        return [
            (
                "project_name",
                f"the project name {shown(name)} has no letters or digits to make a directory "
                "name from",
            )
        ]
    taken_distributions, taken_imports = _taken_names(answers)

    def taken(variable: str, value: str, why: str) -> tuple[str, str]:
        # Named after the project name when the value is that name, in any spelling.
        subject = (
            f"the project name {shown(name)}"
            if _loose(value) == _loose(name)
            else f"{variable} {shown(value)}"
        )
        return (variable, f"{subject} is {why}; choose another")

    slug_taken = False
    if not _SLUG.fullmatch(slug) or len(slug) > MAX_NAME_LENGTH:
        found.append(
            (
                "project_slug",
                f"project_slug {shown(slug)} must be lowercase letters, digits and single "
                f"hyphens (at most {MAX_NAME_LENGTH} characters)",
            )
        )
    elif normalised(slug) in taken_distributions:
        found.append(taken("project_slug", slug, taken_distributions[normalised(slug)]))
        slug_taken = True
    if package[:1].isdigit():
        found.append(
            (
                "package_name",
                f"the package name {shown(package)} starts with a digit, which Python cannot "
                "import; start the project name with a letter",
            )
        )
    elif not package.isidentifier() or not package.isascii():
        found.append(
            ("package_name", f"package_name {shown(package)} is not a valid Python identifier")
        )
    elif keyword.iskeyword(package) or keyword.issoftkeyword(package):
        found.append(
            (
                "package_name",
                f"the package name {shown(package)} is a Python keyword; choose another "
                "project name",
            )
        )
    elif package in sys.stdlib_module_names:
        found.append(
            (
                "package_name",
                f"the package name {shown(package)} would shadow the module of the same name; "
                "choose another project name",
            )
        )
    elif not slug_taken and normalised(package) in taken_imports:
        found.append(taken("package_name", package, taken_imports[normalised(package)]))

    # The remaining answers are checked only where a template asks for them.
    for variable, what in (
        ("author_name", "the author name"),
        ("author_email", "the author email"),
    ):
        if variable not in answers:
            continue
        value = str(answers[variable])
        if not value.strip():
            found.append((variable, f"{what} is empty"))
        elif len(value) > MAX_PERSON_LENGTH:
            found.append(
                (
                    variable,
                    f"{what} is {len(value)} characters long; the limit is {MAX_PERSON_LENGTH}",
                )
            )
        elif _unsafe_characters(value):
            found.append((variable, f"{what} {_unsafe_characters(value)}"))
        elif variable == "author_email" and not _EMAIL.fullmatch(value):
            found.append((variable, f"author_email {shown(value)} is not an email address"))
    if "github_username" in answers and not _GITHUB_USER.fullmatch(str(answers["github_username"])):
        found.append(
            (
                "github_username",
                f"github_username {shown(answers['github_username'])} is not a valid GitHub "
                "user name",
            )
        )
    description = str(answers.get("description", ""))
    if len(description) > MAX_DESCRIPTION_LENGTH:
        found.append(
            (
                "description",
                f"the description is {len(description)} characters long; "
                f"the limit is {MAX_DESCRIPTION_LENGTH}",
            )
        )
    elif any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in description):
        found.append(("description", "the description holds a control character (ESC, NUL, ...)"))
    if "random_seed" in answers:
        seed = str(answers["random_seed"])
        # At most 10 digits, without a leading zero (Python reads 07 as a syntax error).
        plain = seed.isascii() and seed.isdigit() and len(seed) <= 10 and seed == str(int(seed))
        if not (plain and int(seed) < 2**32):
            found.append(
                (
                    "random_seed",
                    f"random_seed {shown(seed)} must be a whole number from 0 to 4294967295, "
                    "without leading zeros",
                )
            )
    return found


def problems(answers: Mapping[str, object]) -> list[str]:
    """Return one sentence per answer that would make a broken project (empty if all is well)."""
    return [sentence for _, sentence in problems_by_variable(answers)]


if __name__ == "__main__":
    # Rendered by cookiecutter: the raw string below becomes the answers as JSON.
    # (Jinja's tojson escapes quotes, so the literal cannot be closed early.)
    _answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    _found = problems(_answers)
    for _problem in _found:
        print(f"Error: {_problem}", file=sys.stderr)
    sys.exit(1 if _found else 0)
