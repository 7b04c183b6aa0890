"""The bundled templates: shared parts linked, metadata complete, plain cookiecutter agrees."""

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AUTHOR, REPO_ROOT, plain_cookiecutter, tree

from scaffolder import contract
from scaffolder.catalog import VALIDATION_HOOK, list_templates, load_module

TEMPLATES = [t.name for t in list_templates()]
REQUIRED_VARIABLES = set(contract.STANDARD_VARIABLES)


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
    # Every template offers the same licences, those `new --license` accepts.
    assert context[contract.LICENSE] == list(contract.licence_choices())
    assert set(contract.licence_choices()) == {"MIT", "Apache-2.0", "BSD-3-Clause", "none"}
    meta = context["_mlscaffold"]
    for field in ("version", "summary", "dataset", "model", "training_time", "setup_command"):
        assert meta[field], field
    assert set(context["__prompts__"]) == {k for k in context if not k.startswith("_")}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each template rendered once (seed 7), without git: {name: project folder}."""
    from click.testing import CliRunner

    from scaffolder.cli import cli

    out = tmp_path_factory.mktemp("rendered")
    projects = {}
    for name in TEMPLATES:
        args = ["new", name, "-o", str(out / name), "--no-input", "--no-git", *AUTHOR]
        result = CliRunner().invoke(cli, [*args, "--set", "random_seed=7"])
        assert result.exit_code == 0, result.output
        (projects[name],) = list((out / name).iterdir())
    return projects


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_validation_hook_agrees_with_the_contract(name):
    """Plain cookiecutter runs the hook without mlscaffold, so it keeps copies: the same ones."""
    path = REPO_ROOT / "templates" / name / VALIDATION_HOOK
    hook = load_module(path, "hook")
    assert hook._GITHUB_USER.pattern == contract.GITHUB_LOGIN.pattern
    # It checks every standard variable by its contract name (the licence is a choice).
    named = {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert set(contract.STANDARD_VARIABLES) - {contract.LICENSE} <= named


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
def test_workflow_keeps_github_expressions(rendered, name):
    workflow = (rendered[name] / ".github" / "workflows" / "ci.yml").read_text()
    assert "${{ matrix.python-version }}" in workflow
    assert "persist-credentials: false" in workflow


def test_cookiecutter_sees_every_template_file_as_text():
    """Cookiecutter copies files it takes for binary without rendering them (a Makefile once)."""
    from binaryornot.check import is_binary

    files = [p for p in (REPO_ROOT / "templates").rglob("*") if p.is_file()]
    binary = [p for p in files if "__pycache__" not in p.parts and is_binary(str(p))]
    assert binary == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_jinja_is_left_unrendered(rendered, name):
    for path, data in tree(rendered[name]).items():
        text = data.decode("utf-8")
        for marker in ("{{ cookiecutter", "{{cookiecutter", "{%", "{#"):
            assert marker not in text, f"{path} still holds {marker!r}"


def _defined_names(module: Path) -> list[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("__")
    ]


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_project_holds_only_code_it_uses(rendered, name):
    """Every function and class of the package is used by the package itself (not only tests)."""
    project = rendered[name]
    package = (
        project
        / "src"
        / json.loads((project / ".mlscaffold.json").read_text())["context"]["package_name"]
    )
    modules = sorted(package.glob("*.py"))
    sources = {path: path.read_text(encoding="utf-8") for path in modules}
    unused = []
    for module in modules:
        for defined in _defined_names(module):
            word = re.compile(rf"\b{re.escape(defined)}\b")
            uses = sum(len(word.findall(text)) for text in sources.values())
            if uses < 2:  # its own definition is the one mention
                unused.append(f"{module.name}: {defined}")
    assert unused == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_ruff_is_the_same_version_in_ci_and_pre_commit(rendered, name):
    project = rendered[name]
    pyproject = (project / "pyproject.toml").read_text()
    (pinned,) = re.findall(r'"ruff==([0-9.]+)"', pyproject)  # CI installs the dev extra
    hook = re.search(
        r"ruff-pre-commit\n\s+rev: v([0-9.]+)", (project / ".pre-commit-config.yaml").read_text()
    )
    assert hook and hook.group(1) == pinned


def _zizmor() -> str | None:
    found = Path(sys.executable).parent / "zizmor"
    return str(found) if found.exists() else shutil.which("zizmor")


@pytest.mark.skipif(_zizmor() is None, reason="zizmor (in the dev extra) is not installed")
@pytest.mark.parametrize("name", TEMPLATES)
def test_the_workflow_passes_zizmor(rendered, name):
    """No finding at all: actions pinned by commit, no credentials kept, Dependabot waits a week."""
    done = subprocess.run(
        [_zizmor(), "--offline", "--no-progress", "--format", "plain", str(rendered[name])],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_third_party_action_is_pinned_by_commit(rendered, name):
    workflow = (rendered[name] / ".github" / "workflows" / "ci.yml").read_text()
    uses = re.findall(r"uses: (\S+)(.*)", workflow)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), comment  # Dependabot reads it
    assert '"3.14"' in workflow


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_documented_install_is_what_ci_and_make_run(rendered, name):
    """A torch template installs the CPU build everywhere: README, CI, make (no CUDA gigabytes)."""
    from scaffolder.catalog import get_template

    project = rendered[name]
    setup = get_template(name).setup_command
    readme = (project / "README.md").read_text()
    assert setup in readme
    workflow = (project / ".github" / "workflows" / "ci.yml").read_text()
    makefile = (project / "Makefile").read_text()
    cpu_index = "--index-url https://download.pytorch.org/whl/cpu"
    uses_torch = "torch" in (project / "pyproject.toml").read_text()
    for text in (setup, workflow, makefile):
        assert (cpu_index in text) == uses_torch
