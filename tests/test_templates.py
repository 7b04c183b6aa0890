"""The bundled templates: shared parts linked, metadata complete, plain cookiecutter agrees."""

import importlib.util
import json

import pytest
from conftest import AUTHOR, REPO_ROOT, plain_cookiecutter, tree

from scaffolder.catalog import list_templates

TEMPLATES = [t.name for t in list_templates()]
REQUIRED_VARIABLES = {
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "github_username",
    "license",
    "random_seed",
}


def load_link_tool():
    spec = importlib.util.spec_from_file_location(
        "link_shared", REPO_ROOT / "tools" / "link_shared.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_shared_file_is_linked_into_every_template():
    tool = load_link_tool()
    assert tool.problems() == []
    assert len(tool.template_dirs()) == len(TEMPLATES)
    assert len(tool.shared_files()) >= 15


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_metadata(name):
    context = json.loads((REPO_ROOT / "templates" / name / "cookiecutter.json").read_text())
    assert set(context) >= REQUIRED_VARIABLES
    assert context["license"] == ["MIT", "Apache-2.0", "BSD-3-Clause", "none"]
    meta = context["_mlscaffold"]
    for field in ("version", "summary", "dataset", "model", "training_time", "setup_command"):
        assert meta[field], field
    assert set(context["__prompts__"]) == {k for k in context if not k.startswith("_")}


@pytest.mark.parametrize("name", TEMPLATES)
def test_plain_cookiecutter_renders_the_same_project(invoke, tmp_path, name):
    ours = tmp_path / "ours"
    result = invoke("new", name, "-o", str(ours), "--no-input", "--no-git", *AUTHOR)
    assert result.exit_code == 0, result.output
    theirs = tmp_path / "theirs"
    done = plain_cookiecutter(
        name,
        theirs,
        "author_name=Ada Lovelace",
        "author_email=ada@example.com",
        "github_username=ada",
    )
    assert done.returncode == 0, done.stderr
    (project,) = list(ours.iterdir())
    expected = tree(project)
    del expected[".mlscaffold.json"]  # mlscaffold's record of the answers
    assert tree(theirs / project.name) == expected


@pytest.mark.parametrize("name", TEMPLATES)
def test_workflow_keeps_github_expressions(invoke, tmp_path, name):
    invoke("new", name, "-o", str(tmp_path), "--no-input", "--no-git")
    (project,) = list(tmp_path.iterdir())
    workflow = (project / ".github" / "workflows" / "ci.yml").read_text()
    assert "${{ matrix.python-version }}" in workflow
    assert "persist-credentials: false" in workflow


def test_cookiecutter_sees_every_template_file_as_text():
    """Cookiecutter copies files it takes for binary without rendering them (a Makefile once)."""
    from binaryornot.check import is_binary

    files = [p for p in (REPO_ROOT / "templates").rglob("*") if p.is_file()]
    binary = [p for p in files if "__pycache__" not in p.parts and is_binary(str(p))]
    assert binary == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_jinja_is_left_unrendered(invoke, tmp_path, name):
    invoke("new", name, "-o", str(tmp_path), "--no-input", "--no-git")
    (project,) = list(tmp_path.iterdir())
    for path, data in tree(project).items():
        text = data.decode("utf-8")
        for marker in ("{{ cookiecutter", "{{cookiecutter", "{%", "{#"):
            assert marker not in text, f"{path} still holds {marker!r}"
