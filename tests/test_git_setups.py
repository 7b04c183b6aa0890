"""`new` in real-world git setups: inside another repository's hook, with the user's own config.

Every test runs real git with a global config of the kind people have; the first
commit must hold every generated file, the caller's repository must be untouched,
and whatever git does wrong, the rendered project is kept.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AUTHOR, REPO_ROOT, git, tree


def committed(project: Path) -> list[str]:
    return git(project, "ls-files").splitlines()


def printed_count(output: str) -> int:
    found = re.search(r"(\d+) files, first commit", output)
    assert found, output
    return int(found.group(1))


def assert_whole_first_commit(project: Path, output: str) -> None:
    """The printed count is the committed count, and every generated file is committed."""
    on_disk = sorted(tree(project))
    assert committed(project) == on_disk
    assert printed_count(output) == len(on_disk)
    assert git(project, "rev-list", "--count", "HEAD") == "1"
    assert git(project, "status", "--porcelain", "--ignored") == ""


def test_new_inside_another_repositorys_hook_leaves_that_repository_alone(tmp_path, git_identity):
    """A pre-commit hook runs `mlscaffold new`: git has set GIT_INDEX_FILE and GIT_DIR for it."""
    outer = tmp_path / "outer"
    git(tmp_path, "init", "-q", "-b", "main", str(outer))
    (outer / "notes.txt").write_text("staged work\n")
    git(outer, "add", "notes.txt")
    out = tmp_path / "made"
    hook = outer / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        f'export GIT_DIR="$(git rev-parse --absolute-git-dir)"\n'  # as many hooks do
        f"cd {tmp_path} && {sys.executable} -m scaffolder new fraud-detection -o {out} "
        f"--no-input {shlex.join(AUTHOR)} > {tmp_path / 'hook.out'} 2>&1\n"
    )
    hook.chmod(0o755)
    done = subprocess.run(
        ["git", "commit", "-qm", "outer work"],
        cwd=outer,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    output = (tmp_path / "hook.out").read_text()
    assert done.returncode == 0, done.stderr + output
    # The outer repository holds its own commit of its own file, and nothing else.
    assert git(outer, "ls-files") == "notes.txt"
    assert git(outer, "status", "--porcelain") == ""
    assert_whole_first_commit(out / "fraud-detection", output)


def test_repository_variables_of_the_caller_are_ignored(invoke, tmp_path, monkeypatch):
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", "-b", "main", str(other))
    (other / "a.txt").write_text("a\n")
    git(other, "add", "a.txt")
    index_before = (other / ".git" / "index").read_bytes()
    for name, value in {
        "GIT_DIR": other / ".git",
        "GIT_WORK_TREE": other,
        "GIT_INDEX_FILE": other / ".git" / "index",
        "GIT_OBJECT_DIRECTORY": other / ".git" / "objects",
        "GIT_NAMESPACE": "elsewhere",
    }.items():
        monkeypatch.setenv(name, str(value))
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "w"), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    assert (other / ".git" / "index").read_bytes() == index_before
    assert git(other, "diff", "--cached", "--name-only") == "a.txt"
    assert_whole_first_commit(tmp_path / "w" / "fraud-detection", result.output)


def test_a_library_caller_s_repository_variables_are_ignored_too(tmp_path, monkeypatch):
    """create_project called from Python (no CLI) inside another repository's hook."""
    from scaffolder.catalog import get_template
    from scaffolder.generate import ProjectRequest, create_project

    other = tmp_path / "other"
    git(tmp_path, "init", "-q", "-b", "main", str(other))
    (other / "a.txt").write_text("a\n")
    git(other, "add", "a.txt")
    index_before = (other / ".git" / "index").read_bytes()
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    answers = {"author_name": "Ada Lovelace", "author_email": "ada@example.com"}
    request = ProjectRequest(get_template("recommender"), tmp_path / "w", answers=answers)
    project = create_project(request)
    assert project.commit is not None
    assert (other / ".git" / "index").read_bytes() == index_before
    assert git(project.path, "rev-list", "--count", "HEAD") == "1"
    assert git(project.path, "ls-files") != ""


def test_index_version_4_and_many_files(invoke, tmp_path, isolated_home):
    (isolated_home / ".gitconfig").write_text(
        "[index]\n\tversion = 4\n[feature]\n\tmanyFiles = true\n"
    )
    result = invoke("new", "recommender", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    project = tmp_path / "movie-recommender"
    assert (project / ".git" / "index").read_bytes()[4:8] == (4).to_bytes(4, "big")
    assert_whole_first_commit(project, result.output)


def test_no_user_hook_runs_and_global_excludes_drop_nothing(invoke, tmp_path, isolated_home):
    """The user's hooks (core.hooksPath, init.templateDir) and global excludes of *.py."""
    hooks, template_dir = isolated_home / "hooks", isolated_home / "git-template"
    for folder in (hooks, template_dir / "hooks", template_dir / "info"):
        folder.mkdir(parents=True)
    ran = isolated_home / "ran"
    for place in (hooks, template_dir / "hooks"):
        for name in ("pre-commit", "commit-msg", "post-commit", "prepare-commit-msg"):
            script = place / name
            script.write_text(f"#!/bin/sh\necho {name} >> {ran}\nexit 1\n")
            script.chmod(0o755)
    (template_dir / "info" / "exclude").write_text("*.toml\n")
    (isolated_home / "ignore").write_text("*.py\n*.md\n")
    (isolated_home / ".gitconfig").write_text(
        f"[core]\n\thooksPath = {hooks}\n\texcludesFile = {isolated_home / 'ignore'}\n"
        f"[init]\n\ttemplateDir = {template_dir}\n"
    )
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    assert not ran.exists()
    project = tmp_path / "fraud-detection"
    assert {"pyproject.toml", "README.md", "src/fraud_detection/__init__.py"} <= set(
        committed(project)
    )
    assert sorted(tree(project)) == committed(project)
    assert printed_count(result.output) == len(committed(project))


def test_commit_is_signed_when_the_users_signing_works(invoke, tmp_path, isolated_home):
    key = isolated_home / "signing-key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    (isolated_home / ".gitconfig").write_text(
        f"[commit]\n\tgpgsign = true\n[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = {key}\n"
    )
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    project = tmp_path / "fraud-detection"
    assert "-----BEGIN SSH SIGNATURE-----" in git(project, "cat-file", "commit", "HEAD")
    assert_whole_first_commit(project, result.output)


@pytest.mark.parametrize(
    "config, reason",
    [
        ("[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = false\n", "gpg failed to sign the data"),
        ("[core\n\tbroken\n", "bad config line 1"),  # a config git cannot read
    ],
    ids=["signing-fails", "broken-config"],
)
def test_whatever_git_does_wrong_the_project_is_kept(
    invoke, tmp_path, isolated_home, config, reason
):
    (isolated_home / ".gitconfig").write_text(config)
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR)
    project = tmp_path / "fraud-detection"
    assert result.exit_code == 1, result.output
    message = result.output.strip().splitlines()[-1]
    assert message.startswith("Error: git failed: ")
    assert f"the project was written to {project} without a git repository" in message
    if reason:
        assert reason in message
    assert not (project / ".git").exists()
    assert {"pyproject.toml", "README.md", ".mlscaffold.json"} <= set(tree(project))
    assert not list(tmp_path.glob(".*staging"))


def test_the_git_module_leaves_the_environment_alone(tmp_path, monkeypatch):
    """Importing GitPython through gitops and running git change no variable of the process.

    (The caller's repository variables are dropped where a command starts; see the test
    above, which runs the command with them set.)
    """
    from scaffolder import gitops

    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere" / ".git"))
    monkeypatch.delenv("GIT_PYTHON_REFRESH", raising=False)
    before = dict(os.environ)
    gitops.configured_value("user.name")
    assert dict(os.environ) == before
