"""Names a project cannot take: those of its own dependencies, dev tools and build backend.

A project named like one of its own dependencies cannot be installed (pip sees it
require itself), and its package would stand in for that library, or for the
user's linter, once installed in editable mode. The refused names come from the
template's own lists in ``cookiecutter.json``, which also make its pyproject.toml.
"""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from conftest import AUTHOR, REPO_ROOT, plain_cookiecutter

from scaffolder.catalog import get_template, list_templates, load_module

TEMPLATES = [t.name for t in list_templates()]
# Each list of cookiecutter.json, and what the message calls what it lists.
LISTS = {
    "_dependencies": "dependencies",
    "_dev_dependencies": "development tools",
    "_build_requires": "build requirements",
}


def context(template: str) -> dict:
    return json.loads((REPO_ROOT / "templates" / template / "cookiecutter.json").read_text())


def distribution(requirement: str) -> str:
    """The PEP 503 normalised distribution name of a requirement such as ``scikit-learn>=1.5``."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group()
    return re.sub(r"[-_.]+", "-", name).lower()


def listed(template: str) -> dict[str, str]:
    """Each distribution the template lists, with what the message calls it."""
    found: dict[str, str] = {}
    for key, what in LISTS.items():
        for requirement in context(template).get(key, []):
            found.setdefault(distribution(requirement), what)
    return found


# Several spellings of each template's own names: (name as typed, the distribution, what it is).
DEPENDENCY, TOOL, BUILD = LISTS.values()
COMMON = [
    ("numpy", "numpy", DEPENDENCY),
    ("Pandas", "pandas", DEPENDENCY),
    ("matplotlib", "matplotlib", DEPENDENCY),
    ("PyTest", "pytest", TOOL),
    ("ruff", "ruff", TOOL),
    ("Hatchling", "hatchling", BUILD),
]
OWN = {
    "fraud-detection": [
        ("Scikit_Learn", "scikit-learn", DEPENDENCY),
        ("scikit.learn", "scikit-learn", DEPENDENCY),
        ("scikit-learn", "scikit-learn", DEPENDENCY),
        ("joblib", "joblib", DEPENDENCY),
        ("POOCH", "pooch", DEPENDENCY),
        ("tqdm", "tqdm", DEPENDENCY),
    ],
    "image-recognition": [
        ("torch", "torch", DEPENDENCY),
        ("Torch", "torch", DEPENDENCY),
        ("Scikit_Learn", "scikit-learn", DEPENDENCY),
        ("pillow", "pillow", DEPENDENCY),
        ("tqdm", "tqdm", DEPENDENCY),
    ],
    "medical-diagnosis": [
        ("Scikit_Learn", "scikit-learn", DEPENDENCY),
        ("scikit.learn", "scikit-learn", DEPENDENCY),
        ("joblib", "joblib", DEPENDENCY),
    ],
    "recommender": [
        ("pooch", "pooch", DEPENDENCY),
        ("Tqdm", "tqdm", DEPENDENCY),
    ],
}
CASES = [
    pytest.param(template, *case, id=f"{template}-{case[0]}")
    for template in TEMPLATES
    for case in COMMON + OWN[template]
]


def expected(name: str, dist: str, what: str) -> str:
    return (
        f"Error: the project name {name!r} is the name of one of its own {what} ({dist}); "
        "choose another"
    )


def test_the_cases_are_the_templates_own_names():
    """Every case above is a name its template lists, so the table cannot drift from them."""
    assert set(OWN) == set(TEMPLATES)
    for template in TEMPLATES:
        for _, dist, what in COMMON + OWN[template]:
            assert listed(template).get(dist) == what, (template, dist)


@pytest.mark.parametrize(("template", "name", "dist", "what"), CASES)
def test_mlscaffold_refuses_a_name_it_depends_on(invoke, tmp_path, template, name, dist, what):
    out = tmp_path / "out"
    result = invoke("new", template, name, "--no-input", "-o", str(out), *AUTHOR)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [expected(name, dist, what)]
    assert not out.exists()


PLAIN_CASES = [
    pytest.param(template, *case, id=f"{template}-{case[0]}")
    for template, *case in [
        ("fraud-detection", "Scikit_Learn", "scikit-learn", DEPENDENCY),
        ("fraud-detection", "PyTest", "pytest", TOOL),
        ("image-recognition", "torch", "torch", DEPENDENCY),
        ("image-recognition", "ruff", "ruff", TOOL),
        ("medical-diagnosis", "scikit.learn", "scikit-learn", DEPENDENCY),
        ("medical-diagnosis", "Hatchling", "hatchling", BUILD),
        ("recommender", "numpy", "numpy", DEPENDENCY),
        ("recommender", "pooch", "pooch", DEPENDENCY),
    ]
]


@pytest.mark.parametrize(("template", "name", "dist", "what"), PLAIN_CASES)
def test_plain_cookiecutter_refuses_a_name_it_depends_on(
    tmp_path, guard, template, name, dist, what
):
    out = tmp_path / "out"
    done = plain_cookiecutter(template, out, f"project_name={name}", guard=guard)
    assert done.returncode != 0
    assert expected(name, dist, what) in done.stderr.splitlines()
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("template", "name", "message"),
    [
        # Import names that differ from the distribution's.
        ("fraud-detection", "sklearn", "is the import name of one of its own dependencies"),
        ("image-recognition", "PIL", "is the import name of one of its own dependencies"),
        # What a dependency installs that the project's own code relies on.
        ("fraud-detection", "scipy", "is the name of a library its dependency scikit-learn"),
        ("image-recognition", "joblib", "is the name of a library its dependency scikit-learn"),
        ("recommender", "Pillow", "is the name of a library its dependency matplotlib"),
        # What every virtual environment holds.
        ("medical-diagnosis", "pip", "is the name of the installer in its virtual environment"),
        ("recommender", "Setuptools", "is the name of the installer in its virtual"),
        ("fraud-detection", "wheel", "is the name of the installer in its virtual environment"),
    ],
)
def test_import_names_and_what_dependencies_install(invoke, tmp_path, template, name, message):
    out = tmp_path / "out"
    result = invoke("new", template, name, "--no-input", "-o", str(out), *AUTHOR)
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: the project name {name!r} ") and message in line, line
    assert line.endswith("; choose another")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--set", "project_slug=numpy"],
            "Error: project_slug 'numpy' is the name of one of its own dependencies (numpy); "
            "choose another",
        ),
        (
            ["--set", "package_name=ruff"],
            "Error: package_name 'ruff' is the name of one of its own development tools (ruff); "
            "choose another",
        ),
    ],
)
def test_a_slug_or_package_set_directly_is_checked_too(invoke, tmp_path, args, line):
    out = tmp_path / "out"
    result = invoke("new", "fraud-detection", "My Project", "--no-input", "-o", str(out), *args)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [line]
    assert not out.exists()


@pytest.mark.parametrize(
    ("template", "name"),
    [
        *[(template, "numpy-tricks") for template in TEMPLATES],
        ("fraud-detection", "scikit-learn-notes"),
        ("fraud-detection", "torch"),  # only image-recognition depends on torch
        ("recommender", "scikit-learn"),  # the recommender does not use scikit-learn
    ],
)
def test_a_name_that_merely_contains_one_is_accepted(invoke, tmp_path, template, name):
    result = invoke("new", template, name, "--no-input", "--no-git", "-o", str(tmp_path), *AUTHOR)
    assert result.exit_code == 0, result.output
    assert (tmp_path / name / "pyproject.toml").is_file()


def test_plain_cookiecutter_accepts_a_name_that_merely_contains_one(tmp_path):
    done = plain_cookiecutter(
        "recommender",
        tmp_path,
        "project_name=numpy-tricks",
        "author_name=Ada Lovelace",
        "author_email=ada@example.com",
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "numpy-tricks" / "src" / "numpy_tricks").is_dir()


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_pyproject_lists_are_the_templates_own(invoke, tmp_path, template):
    """pyproject.toml and the name checks read the same lists of cookiecutter.json."""
    result = invoke("new", template, "--no-input", "--no-git", "-o", str(tmp_path), *AUTHOR)
    assert result.exit_code == 0, result.output
    (project,) = list(tmp_path.iterdir())
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    own = context(template)
    assert pyproject["project"]["dependencies"] == own["_dependencies"]
    assert pyproject["project"]["optional-dependencies"]["dev"] == own["_dev_dependencies"]
    assert pyproject["build-system"]["requires"] == own["_build_requires"]


def test_the_shared_files_tools_are_in_every_template():
    """The shared pyproject configures hatchling, ruff and pytest: every template lists them."""
    for template in TEMPLATES:
        names = listed(template)
        assert names.get("hatchling") == BUILD, template
        assert names.get("pytest") == names.get("ruff") == TOOL, template


def test_every_alias_is_of_something_a_template_depends_on():
    """The hook's small tables name only distributions the templates really use (no rot)."""
    hook = load_module(get_template(TEMPLATES[0]).path / "hooks" / "pre_gen_project.py", "hook")
    named = {dist for template in TEMPLATES for dist in listed(template)}
    assert hook.IMPORT_NAMES and hook.ALSO_INSTALLS
    for dist in hook.IMPORT_NAMES:
        assert dist in named or any(dist in also for also in hook.ALSO_INSTALLS.values()), dist
    for dist in hook.ALSO_INSTALLS:
        assert dist in named, dist
    for table in (hook.IMPORT_NAMES, hook.ALSO_INSTALLS):
        assert all(key == distribution(key) for key in table)  # keyed by normalised name
