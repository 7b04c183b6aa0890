"""`mlscaffold publish` against a local GitHub API and a local git server, token never leaked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import AUTHOR, git, history
from terminal import converse

from scaffolder.cli import cli

TOKEN = "ghp_R7uW2eQ9xK4mZ1vB8nC3jL6tY0pH5sD2fG9a"  # random-looking, as real ones are
# The local stand-in is not github.com: its token comes from GH_ENTERPRISE_TOKEN, as gh has it.
TOKEN_VARIABLE = "GH_ENTERPRISE_TOKEN"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")


@pytest.fixture(autouse=True)
def no_tokens_around(monkeypatch, guard):
    """No token from the machine running the tests; the test token must leak nowhere."""
    for name in (*TOKEN_VARIABLES, "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    guard.secrets.append(TOKEN)


def run(runner, *args, token: str | None = TOKEN, env=None):
    environment = {TOKEN_VARIABLE: token} if token else {}
    return runner.invoke(cli, list(args), env={**environment, **(env or {})})


def test_publish_creates_the_repository_and_pushes(runner, servers, project):
    api, git_server = servers
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 0, result.output
    assert f"Created and pushed: {api.url}/ada/fraud-detection" in result.output

    (create,) = api.requests_to("POST", "/user/repos")
    assert create.body["name"] == "fraud-detection"
    assert create.body["private"] is False and create.body["is_template"] is False
    assert create.body["auto_init"] is False
    assert create.body["description"].startswith("Catching fraudulent card transactions")
    assert create.headers["authorization"] == f"Bearer {TOKEN}"

    assert api.pushed_commits("ada", "fraud-detection") == history(project)
    origin = git(project, "remote", "get-url", "origin")
    assert origin == f"{api.git_url}/ada/fraud-detection.git"  # plain, no credentials
    assert git(project, "rev-parse", "--abbrev-ref", "main@{upstream}") == "origin/main"
    assert git(project, "status", "--porcelain") == ""


def test_org_private_template_repository(runner, servers, project):
    api, _ = servers
    result = run(
        runner,
        "publish",
        str(project),
        "--api-url",
        api.url,
        "--org",
        "bootcamp",
        "--private",
        "--template-repo",
        "--name",
        "fraud-starter",
        "--homepage",
        "https://example.org/fraud",
    )
    assert result.exit_code == 0, result.output
    (create,) = api.requests_to("POST", "/orgs/bootcamp/repos")
    assert create.body["private"] is True and create.body["is_template"] is True
    assert create.body["name"] == "fraud-starter"
    assert create.body["homepage"] == "https://example.org/fraud"
    assert not api.requests_to("GET", "/user")  # the org is the owner: no need to ask
    assert api.pushed_commits("bootcamp", "fraud-starter")


def fake_gh(folder: Path, host: str) -> Path:
    """A stand-in for the gh CLI (not installed here): it logs its arguments to gh-args.txt
    and prints $STAND_IN_GH_TOKEN only for `gh auth token --hostname HOST`, as gh would."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{folder}/gh-args.txt"\n'
        f'[ "$*" = "auth token --hostname {host}" ] && echo "$STAND_IN_GH_TOKEN" && exit 0\n'
        "exit 1\n"
    )
    gh.chmod(0o755)
    return bin_dir


def test_token_from_the_enterprise_variables_and_from_the_gh_cli(
    runner, servers, project, tmp_path
):
    api, _ = servers
    result = run(
        runner,
        "publish",
        str(project),
        "--api-url",
        api.url,
        "--name",
        "one",
        token=None,
        env={"GITHUB_ENTERPRISE_TOKEN": TOKEN},
    )
    assert result.exit_code == 0, result.output
    bin_dir = fake_gh(tmp_path / "gh", "127.0.0.1")
    project2 = project.parent / "second"
    subprocess.run(["cp", "-r", str(project), str(project2)], check=True)
    subprocess.run(["git", "-C", str(project2), "remote", "remove", "origin"], check=True)
    path = f"{bin_dir}:{subprocess.os.environ['PATH']}"
    env = {"PATH": path, "STAND_IN_GH_TOKEN": TOKEN}
    result = run(runner, "publish", str(project2), "--api-url", api.url, token=None, env=env)
    assert result.exit_code == 0, result.output
    assert api.pushed_commits("ada", "second")
    # gh was asked for the token of the API's host, not for its default (github.com) one.
    assert (tmp_path / "gh" / "gh-args.txt").read_text() == "auth token --hostname 127.0.0.1\n"


def test_no_token(runner, servers, project):
    api, _ = servers
    result = run(
        runner,
        "publish",
        str(project),
        "--api-url",
        api.url,
        token=None,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.exit_code == 1
    assert "Error: no GitHub token found: set GH_ENTERPRISE_TOKEN to a token of 127.0.0.1" in (
        result.output
    )
    assert not api.seen
    assert git(project, "remote") == ""


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (
            401,
            "Bad credentials",
            "GitHub refused the token from GH_ENTERPRISE_TOKEN (401 Bad credentials)",
        ),
        (403, "Resource not accessible by personal access token", "needs the 'repo' scope"),
    ],
)
def test_bad_or_under_scoped_token(runner, servers, project, status, message, expected):
    api, _ = servers
    api.fail("POST", "/user/repos", status, {"message": message})
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert git(project, "remote") == ""  # the local repository is untouched


def test_wrong_token_is_rejected_by_the_api(runner, servers, project):
    api, _ = servers
    result = run(
        runner,
        "publish",
        str(project),
        "--api-url",
        api.url,
        token="ghp_WrongTokenOfTheRightShape0000000000",
    )
    assert result.exit_code == 1
    assert "401 Bad credentials" in result.output and "ghp_Wrong" not in result.output


def test_name_taken_offers_existing_then_pushes_into_the_empty_repository(runner, servers, project):
    api, _ = servers
    api.add_repo("ada", "fraud-detection", empty=True)
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert "ada/fraud-detection already exists on GitHub" in result.output
    assert "--existing" in result.output
    assert git(project, "remote") == ""

    result = run(runner, "publish", str(project), "--api-url", api.url, "--existing")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("Pushed:")
    assert api.pushed_commits("ada", "fraud-detection") == history(project)
    assert not api.requests_to("POST", "/user/repos")  # looked first, so never tried to create


def test_existing_repository_with_commits_is_never_overwritten(runner, servers, project):
    api, _ = servers
    api.add_repo("ada", "fraud-detection", empty=False)
    before = api.pushed_commits("ada", "fraud-detection")
    result = run(runner, "publish", str(project), "--api-url", api.url, "--existing")
    assert result.exit_code == 1
    assert "already has commits; mlscaffold never overwrites them" in result.output
    assert api.pushed_commits("ada", "fraud-detection") == before
    assert git(project, "remote") == ""


def test_name_taken_when_creating(runner, servers, project):
    """The 422 itself (a repository created between mlscaffold's look and its request)."""
    api, _ = servers
    api.fail("GET", "/repos/ada/fraud-detection", 404, {"message": "Not Found"})
    api.add_repo("ada", "fraud-detection", empty=True)
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert "already exists" in result.output and "--existing" in result.output
    assert len(api.requests_to("POST", "/user/repos")) == 1


def test_rate_limit_with_retry_after_is_waited_out(runner, servers, project, fake_clock):
    api, _ = servers
    api.clock = fake_clock
    api.fail("POST", "/user/repos", 429, {"message": "secondary rate limit"}, {"Retry-After": "1"})
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 0, result.output
    assert "GitHub rate limit reached: waiting 1 s before retrying (1/3)" in result.output
    assert fake_clock.slept == [1.0]
    refused, retried = api.requests_to("POST", "/user/repos")
    assert retried.at - refused.at >= 1.0
    assert len(api.requests_to("POST", "/user/repos")) == 2


def test_rate_limit_reset_time_is_honoured(runner, servers, project, fake_clock):
    api, _ = servers
    reset = str(int(time.time()) + 1)
    api.fail(
        "GET",
        "/user",
        403,
        {"message": "API rate limit exceeded"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 0, result.output
    assert "waiting" in result.output and "before retrying" in result.output
    (waited,) = fake_clock.slept  # until the reset (a second from now, and one to spare)
    assert 1.0 <= waited <= 3.0


def test_rate_limit_that_does_not_lift_gives_up(runner, servers, project, fake_clock):
    api, _ = servers
    api.fail("POST", "/user/repos", 429, {"message": "slow down"}, {"Retry-After": "1"}, times=10)
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert "rate limit stopped POST /user/repos" in result.output
    assert len(api.requests_to("POST", "/user/repos")) == 4  # the first try and 3 retries
    assert fake_clock.slept == [1.0, 1.0, 1.0]
    assert git(project, "remote") == ""


def test_rate_limit_far_away_is_not_waited_for(runner, servers, project):
    api, _ = servers
    reset = str(int(time.time()) + 3600)
    api.fail(
        "GET",
        "/user",
        403,
        {"message": "API rate limit exceeded"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert "lifts in about 60 min" in result.output


def test_network_unreachable(runner, project, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    result = run(runner, "publish", str(project), "--api-url", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "Error: cannot reach http://127.0.0.1:9" in result.output
    assert git(project, "remote") == ""


def test_push_rejected_then_a_rerun_finishes_without_a_second_repository(runner, servers, project):
    api, git_server = servers
    hooks = git_server.root / "ada" / "fraud-detection.git" / "hooks"

    # Refuse the first push with a real pre-receive hook in the new bare repository.
    original_create = api._create

    def create_with_hook(owner, name, body):
        repo = original_create(owner, name, body)
        hook = hooks / "pre-receive"
        hook.write_text("#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n")
        hook.chmod(0o755)
        return repo

    api._create = create_with_hook
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert "the push to" in result.output and "failed" in result.output
    assert "pre-receive hook declined" in result.output
    assert not api.pushed_commits("ada", "fraud-detection")

    (hooks / "pre-receive").unlink()
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("Pushed:")
    assert len(api.requests_to("POST", "/user/repos")) == 1  # one repository, not two
    assert api.pushed_commits("ada", "fraud-detection") == history(project)


def test_git_server_refusing_the_token_fails_fast(runner, servers, project):
    api, git_server = servers
    git_server.expected_auth = "basic something-else"
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert "failed" in result.output  # and it did not hang on a password prompt


def test_git_never_prompts_on_the_terminal_for_a_refused_token(servers, project, guard):
    """On a terminal, git asks for a user name when the server refuses the header it sent.

    mlscaffold turns git's prompts off: the push fails at once with one line, instead
    of waiting at "Username for ..." for an answer that a script never types.
    """
    api, git_server = servers
    git_server.expected_auth = "basic something-else"
    asked = ("Username for 'http", "\x04")  # answered with Ctrl-D, should git ever ask
    env = {TOKEN_VARIABLE: TOKEN, "GIT_ASKPASS": "", "SSH_ASKPASS": ""}  # only the terminal
    code, screen, left = converse(
        ["publish", str(project), "--api-url", api.url], [asked], project.parent, env=env
    )
    guard.record(screen)
    assert left == [asked], f"git prompted on the terminal:\n{screen}"
    assert code == 1, screen
    (error,) = [line for line in screen.splitlines() if line.startswith("Error:")]
    assert "the push to" in error and "failed" in error


def test_remote_pushes_without_the_api_and_without_the_token(runner, servers, project, tmp_path):
    api, git_server = servers
    bare = tmp_path / "elsewhere.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    result = run(runner, "publish", str(project), "--remote", str(bare))
    assert result.exit_code == 0, result.output
    assert not api.seen
    assert git(project, "remote", "get-url", "origin") == str(bare)
    assert git(bare, "rev-parse", "main") == git(project, "rev-parse", "HEAD")

    # A GitHub token is never sent to another server, even over HTTP.
    other = project.parent / "other"
    subprocess.run(["cp", "-r", str(project), str(other)], check=True)
    subprocess.run(["git", "-C", str(other), "remote", "remove", "origin"], check=True)
    api.add_repo("someone", "other", empty=True)
    result = run(runner, "publish", str(other), "--remote", f"{api.git_url}/someone/other.git")
    assert result.exit_code == 1
    assert git_server.seen_auth and all(a is None for a in git_server.seen_auth)


def test_dry_run_prints_the_calls_without_the_token(runner, servers, project):
    api, _ = servers
    result = run(runner, "publish", str(project), "--api-url", api.url, "--dry-run", "--private")
    assert result.exit_code == 0, result.output
    assert f"POST {api.url}/user/repos" in result.output
    assert '"private": true' in result.output and '"auto_init": false' in result.output
    assert "Authorization: Bearer <token from GH_ENTERPRISE_TOKEN>" in result.output
    assert "git push --set-upstream origin main" in result.output
    assert [(s.method, s.path) for s in api.seen] == [
        ("GET", "/user"),
        ("GET", "/repos/ada/fraud-detection"),
    ]
    assert git(project, "remote") == ""


def test_dry_run_looks_the_repository_up_and_refuses_as_the_real_run_does(runner, servers, project):
    """The dry run is the real run with writes left out: it meets the same refusals."""
    api, _ = servers
    api.add_repo("ada", "fraud-detection", empty=True)
    real = run(runner, "publish", str(project), "--api-url", api.url, "--dry-run")
    assert real.exit_code == 1, real.output
    assert "ada/fraud-detection already exists on GitHub" in real.output
    assert "POST" not in real.output
    assert api.requests_to("GET", "/repos/ada/fraud-detection") and not api.writes()
    assert git(project, "remote") == ""


def test_dry_run_names_the_enterprise_servers_address(runner, servers, project):
    """For an API other than api.github.com, the repository lives on that server."""
    api, _ = servers
    result = run(runner, "publish", str(project), "--api-url", api.url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"git remote add origin {api.url}/ada/fraud-detection.git" in result.output
    assert "https://github.com/ada/fraud-detection.git" not in result.output
    assert not api.writes()


def test_bad_repository_name_and_not_a_repository(runner, servers, project, tmp_path):
    api, _ = servers
    result = run(runner, "publish", str(project), "--api-url", api.url, "--name", "bad name!")
    assert result.exit_code == 2 and "cannot be a GitHub repository name" in result.output
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run(runner, "publish", str(plain), "--api-url", api.url)
    assert result.exit_code == 1 and "is not a git repository" in result.output
    assert not api.seen


def test_new_with_publish(runner, servers, tmp_path):
    api, _ = servers
    # GITHUB_API_URL, as GitHub Actions sets it, points --api-url (and new --publish) elsewhere.
    result = run(
        runner,
        "new",
        "medical-diagnosis",
        "-o",
        str(tmp_path / "w"),
        "--no-input",
        *AUTHOR,
        "--publish",
        env={"GITHUB_API_URL": api.url},
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "w" / "breast-cancer-diagnosis"
    assert f"published at {api.url}/ada/breast-cancer-diagnosis" in result.output
    assert api.pushed_commits("ada", "breast-cancer-diagnosis") == history(project)


def test_new_with_publish_failing_keeps_the_project(runner, servers, tmp_path):
    api, _ = servers
    api.fail("POST", "/user/repos", 401, {"message": "Bad credentials"})
    result = run(
        runner,
        "new",
        "fraud-detection",
        "-o",
        str(tmp_path / "w"),
        "--no-input",
        *AUTHOR,
        "--publish",
        env={"GITHUB_API_URL": api.url},
    )
    assert result.exit_code == 1
    assert "the project is ready at" in result.output and "mlscaffold publish" in result.output
    assert (tmp_path / "w" / "fraud-detection" / ".git").is_dir()


# -- GitHub's behaviour, as its REST description and rate-limit pages give it ----------------


def test_the_first_push_is_retried_while_github_says_not_found(
    runner, servers, project, fake_clock
):
    """A repository created a moment ago can answer 404 to git until GitHub catches up."""
    api, git_server = servers
    git_server.hide("ada", "fraud-detection", times=3)
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 0, result.output
    for delay in (1, 2, 4):
        assert (
            f"GitHub has not made ada/fraud-detection ready yet; retrying the push in {delay} s"
        ) in result.output
    assert fake_clock.slept == [1.0, 2.0, 4.0]
    assert api.pushed_commits("ada", "fraud-detection") == history(project)
    assert f"Created and pushed: {api.url}/ada/fraud-detection" in result.output


def test_a_repository_that_never_gets_ready_is_one_clear_error(
    runner, servers, project, fake_clock
):
    api, git_server = servers
    git_server.hide("ada", "fraud-detection", times=100)
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert "the server says there is no such repository" in error
    assert "15 s after GitHub created ada/fraud-detection" in error
    assert "run the same command again in a minute" in error
    assert fake_clock.slept == [1.0, 2.0, 4.0, 8.0]

    git_server.not_found.clear()  # GitHub caught up: the same command finishes the job
    again = run(runner, "publish", str(project), "--api-url", api.url)
    assert again.exit_code == 0, again.output
    assert len(api.requests_to("POST", "/user/repos")) == 1
    assert api.pushed_commits("ada", "fraud-detection") == history(project)


def test_a_secondary_limit_without_a_time_backs_off_exponentially(
    runner, servers, project, fake_clock
):
    api, _ = servers
    limited = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    api.fail("POST", "/user/repos", 403, limited, times=2)
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 0, result.output
    assert "waiting 60 s before retrying (1/3)" in result.output
    assert "waiting 2 min before retrying (2/3)" in result.output
    assert fake_clock.slept == [60.0, 120.0]  # at least a minute, then exponentially longer
    assert len(api.requests_to("POST", "/user/repos")) == 3


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        # GitHub's "Validation Error": only `code` is required; `message` may be missing.
        ([{"resource": "Repository", "field": "name", "code": "invalid"}], "name: invalid"),
        ([{"resource": "Repository", "code": "unprocessable"}], "Repository: unprocessable"),
    ],
)
def test_a_422_says_githubs_reason_even_without_a_message(
    runner, servers, project, errors, expected
):
    api, _ = servers
    api.fail("POST", "/user/repos", 422, {"message": "Validation Failed", "errors": errors})
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert f"(422 Validation Failed: {expected})" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_name_taken_said_only_by_its_code_is_recognised(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/repos/ada/fraud-detection", 404, {"message": "Not Found"})
    api.add_repo("ada", "fraud-detection", empty=True)
    taken = [{"resource": "Repository", "field": "name", "code": "already_exists"}]
    api.fail(
        "POST", "/user/repos", 422, {"message": "Repository creation failed.", "errors": taken}
    )
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert "ada/fraud-detection already exists on GitHub" in result.output
    assert "--existing" in result.output


@pytest.mark.parametrize("lost", ["502", "dropped connection"])
def test_a_create_whose_answer_was_lost_is_finished_by_the_same_command(
    runner, servers, project, lost
):
    """GitHub created the repository, but its answer never arrived: a rerun adopts it."""
    api, _ = servers
    status, body = (502, {"message": "Bad Gateway"}) if lost == "502" else (0, {})
    api.fail("POST", "/user/repos", status, body, serve=True)
    first = run(runner, "publish", str(project), "--api-url", api.url)
    assert first.exit_code == 1
    assert len(first.output.strip().splitlines()) == 1
    assert "run the same command again" in first.output
    assert "ada/fraud-detection" in api.repos and not api.pushed_commits("ada", "fraud-detection")
    record = project / ".git" / "mlscaffold-publish.json"
    assert record.is_file()
    assert git(project, "status", "--porcelain") == ""  # nothing in the working tree

    again = run(runner, "publish", str(project), "--api-url", api.url)
    assert again.exit_code == 0, again.output
    assert "ada/fraud-detection was created by an earlier run that got no answer" in again.output
    assert f"Pushed: {api.url}/ada/fraud-detection" in again.output
    assert len(api.requests_to("POST", "/user/repos")) == 1  # no second create
    assert api.pushed_commits("ada", "fraud-detection") == history(project)
    assert not record.exists()  # done: origin points at the repository now


def new_publish(runner, out: Path, *options: str, **kwargs):
    """`mlscaffold new fraud-detection -o OUT --no-input (Ada) --publish OPTIONS`."""
    args = ["new", "fraud-detection", "-o", str(out), "--no-input", *AUTHOR, "--publish"]
    return run(runner, *args, *options, **kwargs)


def test_new_publish_takes_publishs_options(runner, servers, tmp_path):
    api, _ = servers
    out = tmp_path / "w"
    result = new_publish(
        runner, out, "--org", "bootcamp", "--private", "--template-repo", "--api-url", api.url
    )
    assert result.exit_code == 0, result.output
    assert f"published at {api.url}/bootcamp/fraud-detection" in result.output
    (create,) = api.requests_to("POST", "/orgs/bootcamp/repos")
    assert create.body["private"] is True and create.body["is_template"] is True
    assert not api.requests_to("GET", "/user")
    project = out / "fraud-detection"
    assert api.pushed_commits("bootcamp", "fraud-detection") == history(project)


@pytest.mark.parametrize(
    "options",
    [["--org", "bootcamp"], ["--private"], ["--public"], ["--template-repo"], ["--api-url", "x"]],
)
def test_new_publishing_options_without_publish_are_a_usage_error(runner, tmp_path, options):
    out = tmp_path / "w"
    result = run(runner, "new", "fraud-detection", "-o", str(out), "--no-input", *options)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert lines == [f"Error: {options[0]} is for --publish"]
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "token", "message"),
    [
        (["--org", "My Bootcamp"], TOKEN, "'My Bootcamp' cannot be a GitHub organisation name"),
        (["--api-url", "ftp://example.com"], TOKEN, "--api-url 'ftp://example.com' is not a URL"),
        (["--api-url", "http://127.0.0.1:9"], None, "no GitHub token found"),
    ],
)
def test_new_publish_refuses_a_bad_target_before_writing_anything(
    runner, tmp_path, options, token, message
):
    out = tmp_path / "w"
    result = new_publish(runner, out, *options, token=token, env={"PATH": "/usr/bin:/bin"})
    assert result.exit_code in (1, 2)
    assert len(result.output.strip().splitlines()) == 1 and message in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--org", "My Bootcamp"], "'My Bootcamp' cannot be a GitHub organisation name"),
        (["--api-url", "ftp://example.com"], "--api-url 'ftp://example.com' is not a URL"),
    ],
)
def test_new_publish_dry_run_refuses_what_the_real_run_refuses(runner, tmp_path, options, message):
    out = tmp_path / "w"
    result = new_publish(runner, out, "--dry-run", *options)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}")
    assert not out.exists()


def test_new_publish_dry_run_says_it_would_publish(runner, tmp_path):
    out = tmp_path / "w"
    result = new_publish(runner, out, "--dry-run", "--api-url", "https://ghe.example/api/v3")
    assert result.exit_code == 0, result.output
    assert "Would then publish it through https://ghe.example/api/v3" in result.output
    assert result.output.strip().endswith("Nothing was written.")
    assert not out.exists()


def test_a_failed_look_inside_an_existing_repository_leaves_no_origin(runner, servers, project):
    """The emptiness check fails once: a rerun must look again, not take origin for its own."""
    api, git_server = servers
    api.add_repo("ada", "fraud-detection", empty=False)  # someone else's, with commits
    before = api.pushed_commits("ada", "fraud-detection")
    git_server.hide("ada", "fraud-detection", 1)
    first = run(runner, "publish", str(project), "--api-url", api.url, "--existing")
    assert first.exit_code == 1 and "cannot read" in first.output
    assert git(project, "remote") == ""
    again = run(runner, "publish", str(project), "--api-url", api.url, "--existing")
    assert again.exit_code == 1
    assert "already has commits; mlscaffold never overwrites them" in again.output
    assert api.pushed_commits("ada", "fraud-detection") == before


def test_a_malformed_retry_after_is_no_traceback(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/user", 403, {"message": "Forbidden"}, {"Retry-After": "\u00b2"})
    result = run(runner, "publish", str(project), "--api-url", api.url)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: the token from")


def test_retry_after_zero_still_waits_a_second():
    from scaffolder.github import rate_limit_wait

    assert rate_limit_wait(429, {"Retry-After": "0"}, {}) == 1.0
    assert rate_limit_wait(429, {"Retry-After": "\u00b2"}, {}) is not None  # read as unstated


def test_a_signal_while_looking_into_a_repository_stops_git(servers, project):
    """SIGTERM while git asks a stalled server what the repository holds: git stops too."""
    api, git_server = servers
    api.add_repo("ada", "fraud-detection", empty=True)
    git_server.hold = threading.Event()
    env = {**os.environ, TOKEN_VARIABLE: TOKEN}
    command = [sys.executable, "-m", "scaffolder", "publish", str(project), "--api-url", api.url]
    proc = subprocess.Popen(
        [*command, "--existing"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not git_server.seen_auth and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert git_server.seen_auth, "git never reached the server"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        git_server.hold.set()
    assert proc.returncode == 1 and b"Aborted!" in err
    assert git(project, "remote") == ""  # the look never finished: nothing was decided
    # The git holding the token in its environment is gone: the autouse check fails otherwise.
