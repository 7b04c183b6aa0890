"""new --train end to end, for the fastest template: installed, tested and trained before the one
commit, which holds the results; `check` passes on it; with --publish, that commit is pushed.

Installs for real (uv, from the package registries this machine's pip is set up with),
so it is marked ``e2e``.
"""

from __future__ import annotations

import json

import pytest
from conftest import AUTHOR, git, history

from scaffolder.check import check_repository

pytestmark = pytest.mark.e2e

TOKEN = "ghp_T4rQ8wE2yU6iO0pA3sD7fG1hJ5kL9zX2cV8b"  # the fake GitHub's, for this module
TOKEN_VARIABLE = "GH_ENTERPRISE_TOKEN"  # the local stand-in is not github.com


def test_new_train_publish_commits_and_pushes_the_results(invoke, servers, tmp_path):
    api, _ = servers
    result = invoke(
        "new",
        "medical-diagnosis",
        "-o",
        str(tmp_path),
        "--no-input",
        *AUTHOR,
        "--train",
        "--publish",
        env={"GITHUB_API_URL": api.url, TOKEN_VARIABLE: TOKEN},
    )
    assert result.exit_code == 0, result.output[-3000:]
    project = tmp_path / "breast-cancer-diagnosis"
    for step in ("creating .venv", "installing the project", "running its tests", "training"):
        assert step in result.output
    assert " passed" in result.output  # the project's own tests ran, and said so
    # The first commit holds the results (publish may add one that points the links at the
    # repository); nothing is left uncommitted; .venv is not tracked.
    first = history(project)[-1]
    tracked = git(project, "ls-tree", "-r", "--name-only", first).splitlines()
    assert "reports/metrics.json" in tracked
    assert any(name.startswith("reports/figures/") and name.endswith(".png") for name in tracked)
    assert not any(name.startswith((".venv/", "models/")) for name in tracked)
    assert git(project, "status", "--porcelain") == ""
    metrics = json.loads(git(project, "show", f"{first}:reports/metrics.json"))
    readme = git(project, "show", f"{first}:README.md")
    assert "_No results yet._" not in readme
    headline = metrics["model"]["metrics"][metrics["primary_metric"]]
    assert f"{headline:.3f}" in readme
    assert "_Not trained yet._" not in git(project, "show", f"{first}:MODEL_CARD.md")
    assert (project / ".venv").is_dir()
    # Ready to show, and what was published is the trained commit (links pointed on top).
    assert [r.check for r in check_repository(project) if not r.passed] == []
    assert api.pushed_commits("ada", "breast-cancer-diagnosis") == history(project)
