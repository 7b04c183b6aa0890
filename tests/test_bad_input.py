"""Bad input: one clear line, a non-zero exit (2 for usage, 1 at run time), nothing lost."""

import os
import subprocess
import sys

import pytest
from conftest import AUTHOR, plain_cookiecutter, tree

from scaffolder.catalog import get_template, read_template
from scaffolder.errors import RenderError
from scaffolder.generate import ProjectRequest, create_project


def error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines, "no message"
    return lines[-1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "the project name is empty"),
        ("   ", "the project name is empty"),
        ("x" * 65, "65 characters long; the limit is 64"),
        ("class", "is a Python keyword"),
        ("match", "is a Python keyword"),
        ("3d-vision", "starts with a digit"),
        ("projects/fraud", "path separator"),
        ("projects\\fraud", "path separator"),
        ("..", "path separator or '..'"),
        ("!!!", "no letters or digits"),
        ("😀😀", "no letters or digits"),
        ("json", "would shadow the module"),
        ("numpy", "is the name of one of its own dependencies (numpy)"),
        ("bad\x07name", "a line break or a control character"),
    ],
)
def test_bad_project_names(invoke, tmp_path, name, message):
    result = invoke("new", "fraud-detection", name, "-o", str(tmp_path / "out"), "--no-input")
    assert result.exit_code == 2
    line = error_line(result)
    assert line.startswith("Error: ") and message in line
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_unknown_template_lists_the_known_ones(invoke, tmp_path):
    result = invoke("new", "fraud-detectoin", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "unknown template 'fraud-detectoin'; choose one of: fraud-detection" in result.output
    assert list(tmp_path.iterdir()) == []


def test_existing_non_empty_target_is_never_touched(invoke, tmp_path):
    target = tmp_path / "fraud-detection"
    (target / "notes").mkdir(parents=True)
    (target / "notes" / "keep.txt").write_text("precious")
    before = tree(tmp_path)
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input")
    assert result.exit_code == 2
    assert "already exists and is not empty" in error_line(result)
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fraud-detection"]


def test_target_that_is_a_file(invoke, tmp_path):
    (tmp_path / "fraud-detection").write_text("a file")
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input")
    assert result.exit_code == 2
    assert "is not a directory" in error_line(result)
    assert (tmp_path / "fraud-detection").read_text() == "a file"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "colour=blue"], "unknown variable 'colour' for template fraud-detection; known"),
        (["--set", "_mlscaffold=x"], "unknown variable '_mlscaffold'"),
        (["--set", "no-equals-sign"], "is not of the form KEY=VALUE"),
        (["--set", "license=GPL-3.0"], "'GPL-3.0' is not a choice for license"),
        (["--license", "GPL"], "'GPL' is not one of"),
        (["--email", "not-an-email"], "is not an email address"),
        (["--github-user", "bad user!"], "is not a valid GitHub user name"),
        (["--set", "random_seed=-1"], "random_seed '-1' must be a whole number"),
        (["--set", "project_slug=Bad_Slug"], "project_slug 'Bad_Slug' must be lowercase"),
    ],
)
def test_bad_options(invoke, tmp_path, args, message):
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "out"), "--no-input", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "out").exists()


def run_cli(args, env, cwd):
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_git_missing_keeps_the_project(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}  # no git anywhere on PATH
    result = run_cli(["new", "fraud-detection", "--no-input", *AUTHOR], env, tmp_path)
    assert result.returncode == 1
    assert "Error: git is not installed or not on PATH; the project was written to" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    project = tmp_path / "fraud-detection"
    assert (project / "README.md").is_file() and not (project / ".git").exists()


def test_git_failing_keeps_the_project(tmp_path):
    broken = tmp_path / "broken.gitconfig"
    broken.write_text("[user\n\tname = = =\n")  # git refuses to read this
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(broken)}
    result = run_cli(["new", "fraud-detection", "--no-input", *AUTHOR], env, tmp_path)
    assert result.returncode == 1
    assert "Error: git failed:" in result.stderr and "without a git repository" in result.stderr
    project = tmp_path / "fraud-detection"
    assert (project / "pyproject.toml").is_file() and not (project / ".git").exists()


@pytest.fixture
def broken_template(tmp_path):
    """A copy of the fraud template with one file that includes a partial that does not exist."""
    import shutil

    source = get_template("fraud-detection").path
    copy = tmp_path / "templates" / "broken"
    shutil.copytree(source, copy)  # follows the shared links: a self-contained copy
    (copy / "{{cookiecutter.project_slug}}" / "zzz_last.md").write_text('{% include "nope.md" %}\n')
    return read_template(copy)


def test_failure_mid_render_leaves_nothing(tmp_path, broken_template):
    out = tmp_path / "out"
    out.mkdir()
    request = ProjectRequest(template=broken_template, output_dir=out, answers={})
    with pytest.raises(RenderError, match="nope.md"):
        create_project(request)
    assert list(out.iterdir()) == []  # neither the project nor the staging folder


def test_failure_mid_render_removes_an_output_dir_it_created(tmp_path, broken_template):
    out = tmp_path / "new" / "out"
    with pytest.raises(RenderError):
        create_project(ProjectRequest(template=broken_template, output_dir=out))
    assert not out.exists()


def test_interrupt_mid_render_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C after a few files have been written: no partial project survives."""
    from scaffolder import render

    real = render._write_file
    written = []

    def interrupted(*args, **kwargs):
        if len(written) == 5:
            raise KeyboardInterrupt
        real(*args, **kwargs)
        written.append(args[1])

    monkeypatch.setattr(render, "_write_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        create_project(
            ProjectRequest(template=get_template("fraud-detection"), output_dir=tmp_path)
        )
    assert len(written) == 5
    assert list(tmp_path.iterdir()) == []


def test_plain_cookiecutter_refuses_the_same_bad_name(tmp_path, guard):
    result = plain_cookiecutter("fraud-detection", tmp_path, "project_name=class", guard=guard)
    assert result.returncode != 0
    assert "Error: the package name 'class' is a Python keyword" in result.stderr
    assert list(tmp_path.iterdir()) == []
