"""`mlscaffold new`: a complete project, committed, with its answers recorded."""

import ast
import json
import re
import shutil
import tomllib

import pytest
import yaml
from conftest import AUTHOR, git, tree

from scaffolder.catalog import get_template, read_template
from scaffolder.cli import cli


def test_new_creates_a_committed_project(invoke, tmp_path):
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    project = tmp_path / "fraud-detection"
    assert "Created" in result.output and f"cd {project}" in result.output
    assert "python -m fraud_detection train" in result.output

    for required in (
        "README.md",
        "MODEL_CARD.md",
        "LICENSE",
        "CITATION.cff",
        "pyproject.toml",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        "Makefile",
        "data/README.md",
        "reports/figures/.gitkeep",
        ".mlscaffold.json",
        "src/fraud_detection/__init__.py",
        "src/fraud_detection/__main__.py",
        "tests/test_train.py",
    ):
        assert (project / required).is_file(), required

    assert git(project, "branch", "--show-current") == "main"
    assert git(project, "rev-list", "--count", "HEAD") == "1"
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "log", "-1", "--format=%an <%ae>|%cn <%ce>") == (
        "Ada Lovelace <ada@example.com>|Ada Lovelace <ada@example.com>"
    )
    tracked = set(git(project, "ls-files").splitlines())
    assert tracked == set(tree(project))  # every generated file is in the commit


def test_answers_are_recorded(invoke, tmp_path):
    result = invoke(
        "new",
        "fraud-detection",
        "-o",
        str(tmp_path / "out"),
        "--no-input",
        *AUTHOR,
        "--set",
        "random_seed=7",
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "out" / "fraud-detection"
    record = json.loads((project / ".mlscaffold.json").read_text())
    template = get_template("fraud-detection")
    assert record["template"] == "fraud-detection"
    assert record["template_version"] == template.version
    # The digest names the template's files: a copy of them elsewhere has the same one.
    copy = tmp_path / "copy" / "fraud-detection"
    shutil.copytree(template.path, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", record["template_digest"])
    assert record["template_digest"] == read_template(copy).digest
    context = record["context"]
    assert context["random_seed"] == "7" and context["author_name"] == "Ada Lovelace"
    assert context["package_name"] == "fraud_detection"
    assert not {"_output_dir", "_repo_dir", "_template", "_checkout"} & set(context)
    assert "SEED = 7" in (project / "src/fraud_detection/__init__.py").read_text()


def test_the_digest_changes_with_any_file_of_the_template_and_only_then(tmp_path):
    template = get_template("fraud-detection")
    copy = tmp_path / "fraud-detection"
    shutil.copytree(template.path, copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest = read_template(copy).digest
    (copy / "hooks" / "__pycache__").mkdir()
    (copy / "hooks" / "__pycache__" / "x.pyc").write_bytes(b"bytecode")  # pip's, not the template's
    assert read_template(copy).digest == digest
    readme = next(copy.rglob("README.md"))
    readme.write_text(readme.read_text() + " ")
    changed = read_template(copy).digest
    assert changed != digest
    readme.rename(readme.with_name("READ_ME.md"))  # the same bytes under another name
    assert read_template(copy).digest not in (digest, changed)
    assert get_template("recommender").digest != template.digest


def test_name_gives_the_directory_and_package(invoke, tmp_path):
    result = invoke(
        "new",
        "fraud-detection",
        "Card Fraud Radar",
        "-o",
        str(tmp_path / "deep" / "er"),
        "--no-input",
        *AUTHOR,
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "deep" / "er" / "card-fraud-radar"
    assert (project / "src" / "card_fraud_radar" / "train.py").is_file()
    assert "# Card Fraud Radar" in (project / "README.md").read_text()


def test_author_comes_from_git_config(invoke, tmp_path, git_identity):
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input")
    assert result.exit_code == 0
    project = tmp_path / "fraud-detection"
    assert git(project, "log", "-1", "--format=%an <%ae>") == "Grace Hopper <grace@example.com>"
    assert "Grace Hopper" in (project / "LICENSE").read_text()
    assert "Note: no author" not in result.output


def test_no_git_identity_falls_back_to_the_template_author(invoke, tmp_path):
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input")
    assert result.exit_code == 0
    project = tmp_path / "fraud-detection"
    assert git(project, "log", "-1", "--format=%an <%ae>") == "Your Name <you@example.com>"
    assert "Note: no author given" in result.output


def test_options_beat_git_config(invoke, tmp_path, git_identity):
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    project = tmp_path / "fraud-detection"
    assert git(project, "log", "-1", "--format=%an") == "Ada Lovelace"


@pytest.mark.parametrize(
    ("choice", "first_line", "spdx"),
    [
        ("MIT", "MIT License", "MIT"),
        ("Apache-2.0", "Apache License", "Apache-2.0"),
        ("BSD-3-Clause", "BSD 3-Clause License", "BSD-3-Clause"),
        ("none", "Copyright (c)", "LicenseRef-Proprietary"),
    ],
)
def test_licence_choice(invoke, tmp_path, choice, first_line, spdx):
    result = invoke(
        "new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR, "--license", choice
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "fraud-detection"
    assert (project / "LICENSE").read_text().lstrip().startswith(first_line)
    assert "Ada Lovelace" in (project / "LICENSE").read_text() or choice == "Apache-2.0"
    assert tomllib.loads((project / "pyproject.toml").read_text())["project"]["license"] == spdx
    citation = yaml.safe_load((project / "CITATION.cff").read_text())
    assert citation.get("license") == (None if choice == "none" else choice)


USER_CONFIG = (
    "default_context:\n"
    "  author_name: Katherine Johnson\n"
    "  author_email: kj@example.com\n"
    "  github_username: kjohnson\n"
    "  license: BSD-3-Clause\n"
    "  random_seed: '11'\n"
)


def test_the_users_cookiecutter_config_gives_the_defaults(
    invoke, runner, tmp_path, isolated_home, git_identity
):
    """~/.cookiecutterrc, where cookiecutter looks without COOKIECUTTER_CONFIG: its
    default_context beats git's identity and the template's defaults, and loses to options."""
    (isolated_home / ".cookiecutterrc").write_text(USER_CONFIG)
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "a"), "--no-input")
    assert result.exit_code == 0, result.output
    project = tmp_path / "a" / "fraud-detection"
    assert git(project, "log", "-1", "--format=%an <%ae>") == "Katherine Johnson <kj@example.com>"
    assert (project / "LICENSE").read_text().lstrip().startswith("BSD 3-Clause License")
    assert "SEED = 11" in (project / "src" / "fraud_detection" / "__init__.py").read_text()
    assert "github.com/kjohnson/fraud-detection" in (project / "README.md").read_text()

    result = invoke(
        "new", "fraud-detection", "-o", str(tmp_path / "b"), "--no-input", "--license", "MIT"
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "b" / "fraud-detection"
    assert (project / "LICENSE").read_text().lstrip().startswith("MIT License")
    assert "Katherine Johnson" in (project / "LICENSE").read_text()

    # A class gets the same defaults, under what each student's row says.
    roster = tmp_path / "roster.csv"
    roster.write_text("github,name\nada,Ada Lovelace\n")
    args = ["classroom", "fraud-detection", "--roster", str(roster), "-o", str(tmp_path / "c")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    (student,) = [p for p in (tmp_path / "c").iterdir() if p.is_dir()]
    assert (student / "LICENSE").read_text().lstrip().startswith("BSD 3-Clause License")
    assert git(student, "log", "-1", "--format=%an") == "Ada Lovelace"


def test_no_git(invoke, tmp_path):
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", "--no-git")
    assert result.exit_code == 0
    assert not (tmp_path / "fraud-detection" / ".git").exists()
    assert (tmp_path / "fraud-detection" / "README.md").is_file()


def test_dry_run_writes_nothing(invoke, tmp_path):
    target = tmp_path / "out"
    result = invoke("new", "fraud-detection", "-o", str(target), "--no-input", "--dry-run", *AUTHOR)
    assert result.exit_code == 0, result.output
    assert not target.exists()
    assert "Would create" in result.output and "Nothing was written." in result.output
    assert "  src/fraud_detection/train.py" in result.output
    assert "  .mlscaffold.json" in result.output
    assert "commit every file as Ada Lovelace <ada@example.com>" in result.output


def test_existing_empty_directory_is_used(invoke, tmp_path):
    (tmp_path / "fraud-detection").mkdir()
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fraud-detection" / ".git").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fraud-detection"]  # no staging left


# A backslash is refused in the project name (it is a path separator on Windows),
# so it is tried in the description and the author's name.
TRICKY = {
    "project_name": 'Fraude "Détection": l\'été',
    "description": "Quotes \" and ' and a colon: here, a backslash \\ and a tab\there; ünïcödé 😀",
    "author_name": "Zoë O'Brien-Çelik \\ Jr.",
}


def test_tricky_values_keep_every_file_valid(invoke, tmp_path):
    args = [f"--set={key}={value}" for key, value in TRICKY.items()]
    result = invoke(
        "new",
        "fraud-detection",
        "-o",
        str(tmp_path),
        "--no-input",
        "--email",
        "zoe@example.com",
        *args,
    )
    assert result.exit_code == 0, result.output
    (project,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert project.name == "fraude-detection-l-ete"

    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == TRICKY["description"]
    assert pyproject["project"]["authors"][0]["name"] == TRICKY["author_name"]
    citation = yaml.safe_load((project / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["title"] == TRICKY["project_name"]
    assert citation["abstract"] == TRICKY["description"]
    assert citation["authors"][0]["given-names"] == "Zoë O'Brien-Çelik \\"
    for workflow in (project / ".github").rglob("*.yml"):
        yaml.safe_load(workflow.read_text(encoding="utf-8"))
    record = json.loads((project / ".mlscaffold.json").read_text(encoding="utf-8"))
    assert record["context"]["description"] == TRICKY["description"]
    for source in project.rglob("*.py"):
        ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    assert f"# {TRICKY['project_name']}" in (project / "README.md").read_text(encoding="utf-8")


def test_bytecode_beside_template_files_is_not_copied(tmp_path):
    """pip compiles the installed templates' .py files; that bytecode must not reach a project."""
    import shutil

    from scaffolder.catalog import read_template
    from scaffolder.generate import ProjectRequest, create_project

    copy = tmp_path / "templates" / "fraud-detection"
    shutil.copytree(get_template("fraud-detection").path, copy)
    cache = copy / "{{cookiecutter.project_slug}}" / "src" / "{{cookiecutter.package_name}}"
    (cache / "__pycache__").mkdir()
    (cache / "__pycache__" / "data.cpython-311.pyc").write_bytes(b"\xa7\r\r\n\x00")
    project = create_project(
        ProjectRequest(template=read_template(copy), output_dir=tmp_path / "out")
    )
    assert not list(project.path.rglob("__pycache__"))
    assert "src/fraud_detection/data.py" in project.files


def test_each_template_renders_with_its_own_local_extensions(tmp_path):
    """Two templates, one after the other in the same folder (a cache, an updated checkout),
    whose local_extensions differ: each renders with its own, not the first one's."""
    import shutil

    from scaffolder.catalog import read_template
    from scaffolder.generate import ProjectRequest, create_project

    folder = tmp_path / "templates" / "mine"
    found = []
    for marker in ("first", "second"):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(get_template("fraud-detection").path, folder)  # links followed
        extensions = folder / "local_extensions.py"
        extensions.write_text(
            extensions.read_text()
            + "\n\n_init = TemplateFilters.__init__\n\n\n"
            + "def _with_marker(self, environment):\n"
            + "    _init(self, environment)\n"
            + f"    environment.filters['marker'] = lambda value: {marker!r}\n\n\n"
            + "TemplateFilters.__init__ = _with_marker\n"
        )
        (folder / "{{cookiecutter.project_slug}}" / "MARKER.txt").write_text(
            "{{ cookiecutter.project_name | marker }}\n"
        )
        request = ProjectRequest(
            template=read_template(folder), output_dir=tmp_path / marker, git=False
        )
        project = create_project(request)
        found.append((project.path / "MARKER.txt").read_text().strip())
    assert found == ["first", "second"]
