"""mlscaffold check: each readiness check fails on its own, on a real repository, and says why."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import git

from scaffolder.check import check_repository

RESULTS = "| metric | model | baseline |\n| --- | --- | --- |\n| PR-AUC | **0.812** | 0.701 |\n"


def commit_all(repo: Path, message: str = "change") -> None:
    git(repo, "add", "--all", "--force")
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=Ada",
            "-c",
            "user.email=ada@example.com",
            "commit",
            "-qm",
            message,
        ],
        cwd=repo,
        check=True,
    )


@pytest.fixture
def ready(project: Path) -> Path:
    """The generated project, its README's results filled in and committed: every check passes."""
    readme = project / "README.md"
    text = readme.read_text()
    filled = re.sub(
        r"(<!-- results:start -->\n).*?(<!-- results:end -->)",
        rf"\g<1>{RESULTS}\g<2>",
        text,
        flags=re.S,
    )
    assert filled != text
    readme.write_text(filled)
    commit_all(project, "Results")
    return project


def failing(repo: Path) -> dict[str, str]:
    return {r.check: r.detail for r in check_repository(repo) if not r.passed}


def test_a_trained_clean_project_passes_every_check(ready, invoke):
    result = invoke("check", str(ready))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 10 and all(line.startswith("pass ") for line in lines)
    listed = json.loads(invoke("check", str(ready), "--json").output)
    assert [set(item) for item in listed] == [{"check", "passed", "detail"}] * 10
    assert all(item["passed"] for item in listed)


def test_a_fresh_project_fails_only_on_its_empty_results(project):
    assert list(failing(project)) == ["readme-results"]
    assert "No results yet" in failing(project)["readme-results"]


def test_an_uncommitted_change(ready, invoke):
    (ready / "notes.txt").write_text("draft\n")
    assert list(failing(ready)) == ["git"]
    result = invoke("check", str(ready))
    assert result.exit_code == 1
    assert "FAIL  git" in result.output and "notes.txt" in result.output


def test_a_repository_without_a_commit(tmp_path):
    git(tmp_path, "init", "-q")
    assert "no commit" in failing(tmp_path)["git"]


def test_a_folder_that_is_not_a_repository(tmp_path, invoke):
    result = invoke("check", str(tmp_path), "--json")
    assert result.exit_code == 1
    found = {item["check"]: item for item in json.loads(result.output)}
    assert found["git"] == {
        "check": "git",
        "passed": False,
        "detail": "not the top of a git repository",
    }


@pytest.mark.parametrize(
    ("file", "placeholder"),
    [
        ("LICENSE", "Your Name"),
        ("CITATION.cff", "you@example.com"),
        ("README.md", "your-github-username"),
    ],
)
def test_a_placeholder_left(ready, file, placeholder):
    with (ready / file).open("a") as handle:
        handle.write(f"\n# {placeholder}\n")
    commit_all(ready)
    assert failing(ready) == {"placeholders": f"{file} still names the placeholder {placeholder!r}"}


def test_no_licence(ready):
    git(ready, "rm", "-q", "LICENSE")
    commit_all(ready)
    assert list(failing(ready)) == ["license"]


def test_no_workflow(ready):
    git(ready, "rm", "-q", ".github/workflows/ci.yml")
    commit_all(ready)
    assert failing(ready) == {"ci": "no workflow in .github/workflows/"}


def test_a_workflow_that_is_not_yaml(ready):
    (ready / ".github/workflows/ci.yml").write_text("jobs: [unclosed\n")
    commit_all(ready)
    assert failing(ready)["ci"].startswith(".github/workflows/ci.yml is not valid YAML")
    assert list(failing(ready)) == ["ci"]


def test_a_workflow_without_a_job(ready):
    (ready / ".github/workflows/ci.yml").write_text("name: CI\non: push\njobs: {}\n")
    commit_all(ready)
    assert failing(ready) == {"ci": ".github/workflows/ci.yml has no job"}


def test_a_workflow_actionlint_refuses(ready, monkeypatch):
    tools = Path(__import__("sys").executable).parent
    if not (tools / "actionlint").exists():
        pytest.skip("actionlint (the dev extra) is not installed")
    monkeypatch.setenv("PATH", f"{tools}:{__import__('os').environ['PATH']}")
    workflow = ready / ".github/workflows/ci.yml"
    workflow.write_text(
        workflow.read_text().replace(
            "runs-on: ubuntu-latest", "runs-on: [ubuntu-latest, 7]\n    needs: nowhere"
        )
    )
    commit_all(ready)
    assert failing(ready)["ci"].startswith("actionlint: ")
    assert list(failing(ready)) == ["ci"]


def test_no_citation_file(ready):
    git(ready, "rm", "-q", "CITATION.cff")
    commit_all(ready)
    assert failing(ready) == {"citation": "no CITATION.cff is tracked"}


def test_a_citation_file_without_a_title(ready):
    citation = ready / "CITATION.cff"
    citation.write_text(
        "".join(
            line for line in citation.read_text().splitlines(True) if not line.startswith("title:")
        )
    )
    commit_all(ready)
    assert failing(ready) == {"citation": "CITATION.cff lacks title"}


def test_a_file_over_10_mb(ready):
    (ready / "reports" / "big.bin").write_bytes(b"\1" * (10 * 1024 * 1024 + 1))
    commit_all(ready)
    assert failing(ready) == {
        "large-files": "reports/big.bin is 10.0 MB: keep data and models out of git"
    }


@pytest.mark.parametrize(
    ("kind", "secret"),
    [
        ("GitHub token", "ghp_" + "A1b2C3d4E5" * 3 + "F6g7H8"),
        ("AWS access key", "AKIA" + "ABCDEFGHIJ234567"),
        ("Slack token", "xoxb-" + "1234567890-abcdefghij"),
        ("private key", "-----BEGIN OPENSSH PRIVATE KEY-----"),
    ],
)
def test_a_secret_committed(ready, invoke, kind, secret):
    (ready / "src" / "settings.py").write_text(f'"""Settings."""\n\nKEY = "{secret}"\n')
    commit_all(ready)
    found = failing(ready)
    assert list(found) == ["secrets"]
    assert found["secrets"].startswith(f"{kind} {secret[:4]}******** in src/settings.py:3")
    result = invoke("check", str(ready))
    assert result.exit_code == 1 and secret[:4] + "****" in result.output
    assert secret[4:12] not in result.output  # redacted: never shown whole


def test_raw_data_committed(ready):
    (ready / "data" / "raw" / "creditcard.csv").write_text("Time,Amount\n0,1.5\n")
    commit_all(ready)  # --force: past the project's .gitignore, as a careless `git add -f` does
    assert failing(ready) == {
        "raw-data": "data/raw/creditcard.csv is tracked: downloaded data stays out of git"
    }


def test_no_tests(ready):
    git(ready, "rm", "-q", "-r", "tests")
    commit_all(ready)
    assert failing(ready) == {"tests": "no test file (test_*.py or *_test.py) is tracked"}


def test_check_of_a_missing_folder_is_bad_usage(tmp_path, invoke):
    result = invoke("check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "does not exist" in result.output
