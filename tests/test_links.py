"""The CI badge and links name a real account: gh's or git's login at `new`, the repository at
`publish` (in a commit of its own), or a warning; against a local GitHub API and git server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, history

from scaffolder.cli import cli

TOKEN = "ghp_L1nk5aR3P0int3dAtTh3R3p0s1t0ryXy9"
TOKEN_VARIABLE = "GH_ENTERPRISE_TOKEN"  # the local stand-in is not github.com
PERSON = ["--author", "Ada Lovelace", "--email", "ada@example.com", "--no-input"]
LINKED = ("README.md", "MODEL_CARD.md", "CITATION.cff", "pyproject.toml")


@pytest.fixture(autouse=True)
def no_tokens_around(monkeypatch, guard):
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    guard.secrets.append(TOKEN)


def new(runner, out: Path, *extra: str):
    return runner.invoke(cli, ["new", "fraud-detection", "-o", str(out), *PERSON, *extra])


def publish(runner, project: Path, api, *extra: str):
    args = ["publish", str(project), "--api-url", api.url, *extra]
    return runner.invoke(cli, args, env={TOKEN_VARIABLE: TOKEN})


def test_the_login_comes_from_gh(runner, tmp_path, isolated_home):
    hosts = isolated_home / ".config" / "gh" / "hosts.yml"
    hosts.parent.mkdir(parents=True)
    hosts.write_text("github.com:\n    user: octo-cat\n    git_protocol: https\n")
    (isolated_home / ".gitconfig").write_text("[github]\n\tuser = someone-else\n")
    result = new(runner, tmp_path)
    assert result.exit_code == 0, result.output
    readme = (tmp_path / "fraud-detection" / "README.md").read_text()
    assert "https://github.com/octo-cat/fraud-detection/actions/workflows/ci.yml" in readme
    assert "your-github-username" not in result.output


def test_the_login_comes_from_git_config_when_gh_has_none(runner, tmp_path, isolated_home):
    hosts = isolated_home / ".config" / "gh" / "hosts.yml"
    hosts.parent.mkdir(parents=True)
    hosts.write_text("github.com: [not, a, mapping\n")  # broken: ignored, not a traceback
    (isolated_home / ".gitconfig").write_text("[github]\n\tuser = grace-h\n")
    result = new(runner, tmp_path)
    assert result.exit_code == 0, result.output
    citation = (tmp_path / "fraud-detection" / "CITATION.cff").read_text()
    assert 'repository-code: "https://github.com/grace-h/fraud-detection"' in citation


def test_a_login_that_cannot_be_one_is_ignored(runner, tmp_path, isolated_home):
    (isolated_home / ".gitconfig").write_text('[github]\n\tuser = "x\\" onerror=alert(1)"\n')
    result = new(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "onerror" not in (tmp_path / "fraud-detection" / "README.md").read_text()
    assert "Note: no GitHub user given" in result.output


def test_without_any_login_new_warns(runner, tmp_path):
    result = new(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Note: no GitHub user given (--github-user)" in result.output
    assert "your-github-username" in (tmp_path / "fraud-detection" / "README.md").read_text()


def test_publish_points_the_placeholder_links_at_the_repository(runner, servers, tmp_path):
    api, _ = servers
    assert new(runner, tmp_path / "w").exit_code == 0
    project = tmp_path / "w" / "fraud-detection"
    first = git(project, "rev-parse", "HEAD")

    result = publish(runner, project, api)
    assert result.exit_code == 0, result.output
    url = f"{api.url}/ada/fraud-detection"
    assert f"Pointed the CI badge and links at {url}" in result.output
    assert git(project, "rev-parse", "HEAD~1") == first  # one commit of its own, on top
    changed = git(project, "show", "--name-only", "--format=%s", "HEAD").splitlines()
    assert changed[0] == f"Point the CI badge and links at {url}"
    assert sorted(filter(None, changed[1:])) == sorted([*LINKED, ".mlscaffold.json"])
    assert git(project, "log", "-1", "--format=%an <%ae>") == "Ada Lovelace <ada@example.com>"
    assert git(project, "status", "--porcelain") == ""
    assert api.pushed_commits("ada", "fraud-detection") == history(project)
    for name in LINKED:
        text = (project / name).read_text()
        assert "your-github-username" not in text and url in text, name
    badge = f"[![CI]({url}/actions/workflows/ci.yml/badge.svg)]"
    assert badge in (project / "README.md").read_text()
    record = json.loads((project / ".mlscaffold.json").read_text())
    assert record["links"] == url


def test_publish_to_an_organisation_under_another_name(runner, servers, tmp_path):
    api, _ = servers
    assert new(runner, tmp_path / "w", "--github-user", "ada").exit_code == 0
    project = tmp_path / "w" / "fraud-detection"
    result = publish(runner, project, api, "--org", "bootcamp", "--name", "fraud-2026")
    assert result.exit_code == 0, result.output
    readme = (project / "README.md").read_text()
    assert f"{api.url}/bootcamp/fraud-2026/actions" in readme
    assert "github.com/ada/" not in readme


def test_uncommitted_changes_to_a_linked_file_stop_publish_before_anything(
    runner, servers, tmp_path
):
    api, _ = servers
    assert new(runner, tmp_path / "w").exit_code == 0
    project = tmp_path / "w" / "fraud-detection"
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nMy own words, not committed.\n")
    before = history(project)

    result = publish(runner, project, api)
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("Error: README.md has uncommitted changes; commit or stash them")
    assert not api.requests_to("POST", "/user/repos")  # nothing was created
    assert history(project) == before
    assert readme.read_text().endswith("My own words, not committed.\n")


def test_links_already_right_are_left_alone(runner, servers, tmp_path):
    api, _ = servers
    assert new(runner, tmp_path / "w").exit_code == 0
    project = tmp_path / "w" / "fraud-detection"
    assert publish(runner, project, api).exit_code == 0
    after_first = history(project)
    # As if deleted on GitHub: publish again to the same place.
    api.repos.clear()
    git(project, "remote", "remove", "origin")

    result = publish(runner, project, api)
    assert result.exit_code == 0, result.output
    assert "Pointed" not in result.output
    assert history(project) == after_first


def test_a_longer_name_with_the_same_start_is_not_rewritten(runner, servers, tmp_path):
    api, _ = servers
    assert new(runner, tmp_path / "w").exit_code == 0
    project = tmp_path / "w" / "fraud-detection"
    notes = project / "NOTES.md"
    notes.write_text("See https://github.com/your-github-username/fraud-detection-v2 too.\n")
    git(project, "add", "NOTES.md")
    git(project, "-c", "user.name=A", "-c", "user.email=a@b.cd", "commit", "-qm", "notes")

    assert publish(runner, project, api).exit_code == 0
    assert "your-github-username/fraud-detection-v2" in notes.read_text()


def test_dry_run_says_it_would_point_the_links(runner, tmp_path):
    assert new(runner, tmp_path / "w").exit_code == 0
    project = tmp_path / "w" / "fraud-detection"
    result = runner.invoke(cli, ["publish", str(project), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "git commit   (points the CI badge and links, now" in result.output
    assert "your-github-username/fraud-detection" in result.output
