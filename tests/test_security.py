"""Hostile input: what people type is data, templates are sandboxed, the token stays home.

Everything goes through the command line, against real local servers: a GitHub
stand-in, a second server that must never see the token, a server that trickles
its answer, a git server that never answers. The autouse guard (conftest) checks
after each test that no output held a traceback and that no registered token is
in any output or any file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import AUTHOR, git, plain_cookiecutter, tree
from servers import recording_server, silent_server, trickling_server

from scaffolder.catalog import get_template, read_template
from scaffolder.cli import cli
from scaffolder.credentials import find_token
from scaffolder.errors import RenderError
from scaffolder.generate import ProjectRequest, create_project
from scaffolder.github import GitHub, rate_limit_wait

TOKEN = "ghp_Zq8Lm2Xv9Rt4Yp7Wn3Kb6Hd1Gf5Cs0Ja2Qe"  # random-looking, as real ones are
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
SEVEN = "{{ 7*7 }}"


def marker_payload(marker: Path) -> str:
    """A value that, rendered as a template, would run a shell command creating *marker*."""
    return f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, guard):
    for name in (*TOKEN_VARIABLES, "GITHUB_API_URL", "MLSCAFFOLD_HTTP_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    guard.secrets.append(TOKEN)


def one_error_line(result, code: int) -> str:
    """The command failed with *code* and said so in exactly one `Error:` line; return it."""
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def classroom(runner, roster: Path, out: Path, *extra: str, env=None):
    """Run `mlscaffold classroom fraud-detection --roster ROSTER -o OUT ...`."""
    args = ["classroom", "fraud-detection", "--roster", str(roster), "-o", str(out), *extra]
    return runner.invoke(cli, args, env=env)


def test_the_leak_check_finds_every_form_of_a_token(tmp_path):
    """The check every publishing and classroom test makes (tests/leaks.py)."""
    import base64
    import urllib.parse

    from leaks import find_leaks

    SECRET = "ghp_Lk2Vb7Nq4Xw9Zr1Tc6Ym3Hs8Pd0Fg5Ja7Ue2"  # not one the guard looks for

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    leaked = [
        f"token {SECRET}",
        f"echoed: {SECRET.lower()[5:20]}",
        f"Authorization: basic {b64('x-access-token:' + SECRET)}",
        *(f"Authorization: basic {b64(user + ':' + SECRET)}" for user in ("a", "ab", "abc")),
        f"Authorization: basic {b64(SECRET + ':x-oauth-basic')}",
        f"https://example.com/?t={urllib.parse.quote(SECRET + '/+=', safe='')}",
    ]
    for text in leaked:
        assert find_leaks([SECRET], [text]), text
    (tmp_path / "config").write_text(f"[http]\n\textraheader = basic {b64('me:' + SECRET)}\n")
    assert find_leaks([SECRET], folders=[tmp_path])
    assert find_leaks([SECRET], ["nothing secret here", b64("x-access-token:other")]) == []


# -- answers are data --------------------------------------------------------------


def test_values_given_on_the_command_line_are_never_rendered(invoke, tmp_path):
    marker = tmp_path / "PWNED"
    description = f"{SEVEN} {{% include 'x' %}} {marker_payload(marker)}"
    result = invoke(
        "new",
        "fraud-detection",
        f"Radar {SEVEN}",
        "-o",
        str(tmp_path / "out"),
        "--no-input",
        "--author",
        f"Ada {SEVEN}",
        "--email",
        "ada@example.com",
        "--set",
        f"description={description}",
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "out" / "radar-7-7"  # derived values still follow the name
    assert (project / "src" / "radar_7_7" / "__init__.py").is_file()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == description
    assert pyproject["project"]["authors"][0]["name"] == f"Ada {SEVEN}"
    citation = yaml.safe_load((project / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["title"] == f"Radar {SEVEN}" and citation["abstract"] == description
    assert "Copyright (c) " in (project / "LICENSE").read_text()
    assert f"Ada {SEVEN}" in (project / "LICENSE").read_text()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"# Radar {SEVEN}" in readme and description in readme
    record = json.loads((project / ".mlscaffold.json").read_text(encoding="utf-8"))
    assert record["context"]["description"] == description
    assert git(project, "log", "-1", "--format=%an") == f"Ada {SEVEN}"
    assert not marker.exists()


def test_the_users_cookiecutter_config_is_data_too(invoke, tmp_path, monkeypatch):
    marker = tmp_path / "PWNED"
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(
        "default_context:\n"
        f"  description: {json.dumps(marker_payload(marker))}\n"
        f"  author_name: {json.dumps('Grace ' + SEVEN)}\n"
        "  author_email: grace@example.com\n"
    )
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    result = invoke("new", "medical-diagnosis", "-o", str(tmp_path / "out"), "--no-input")
    assert result.exit_code == 0, result.output
    (project,) = (tmp_path / "out").iterdir()
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["project"]["authors"][0]["name"] == f"Grace {SEVEN}"
    assert tomllib.loads(text)["project"]["description"] == marker_payload(marker)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("default_context:\n  - a\n  - b\n", "default_context must be a mapping"),
        ("default_context: [unclosed\n", "cannot read the cookiecutter config"),
    ],
)
def test_a_broken_cookiecutter_config_is_one_line(invoke, tmp_path, monkeypatch, content, message):
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(content)
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "out"), "--no-input")
    assert message in one_error_line(result, 2)
    assert not (tmp_path / "out").exists()


def test_a_cookiecutter_config_that_is_a_folder_or_has_no_defaults(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(tmp_path))
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "a"), "--no-input")
    assert "is a folder, not a file" in one_error_line(result, 2)
    config = tmp_path / "empty.yaml"
    config.write_text(
        "default_context:\n"
    )  # every entry commented out: none, as cookiecutter has it
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "b"), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output


def test_an_output_folder_named_like_a_template_is_just_a_name(invoke, tmp_path):
    out = tmp_path / SEVEN
    result = invoke("new", "fraud-detection", "-o", str(out), "--no-input", "--no-git", *AUTHOR)
    assert result.exit_code == 0, result.output
    assert (out / "fraud-detection" / "src" / "fraud_detection" / "train.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [SEVEN]  # nothing written to "49"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--author", "Ada <ada@example.com>", "the author name holds '<' or '>'"),
        ("--author", "Ada\nLovelace", "the author name holds a line break or a control"),
        ("--author", "Ada\x1b[31mLovelace", "the author name holds a line break or a control"),
        ("--author", "Ada\x00", "the author name holds a line break or a control"),
        ("--email", "<ada@example.com>", "the author email holds '<' or '>'"),
        ("--email", "ada@example.com\n", "the author email holds a line break"),
        ("NAME", "Fraud <b>", "the project name holds '<' or '>'"),
        ("NAME", "Fraud\nRadar", "the project name holds a line break"),
        ("NAME", "Fraud\u2028Radar", "the project name holds a line break"),
        ("--set", "description=" + "x" * 200_000, "the limit is 10000"),
        ("--author", "A" * 5000, "the author name is 5000 characters long"),
    ],
)
def test_hostile_characters_are_refused_up_front(invoke, tmp_path, option, value, message):
    args = [value] if option == "NAME" else [option, value]
    result = invoke("new", "fraud-detection", *args, "-o", str(tmp_path / "out"), "--no-input")
    line = one_error_line(result, 2)
    assert message in line
    assert "\x1b" not in line and "\x00" not in line and len(line) < 300  # escaped, short
    assert not (tmp_path / "out").exists()


def test_a_roster_cell_is_data_and_a_bad_one_fails_alone(runner, tmp_path):
    marker = tmp_path / "PWNED"
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "github,name,email\n"
        f'ada-l,"{marker_payload(marker)}",ada@example.com\n'
        f"kj,Katherine {SEVEN},kj@example.com\n"
        "mal,Mal <script>,mal@example.com\n"
        "gh,Grace\tHopper,gh@example.com\n"
        "bel,Bel\x07Bell,bel@example.com\n",
        encoding="utf-8",
    )
    out = tmp_path / "class"
    result = classroom(runner, roster, out, "--prefix", "c")
    assert result.exit_code == 1, result.output
    assert "3 of 5 students generated." in result.output
    assert "line 4 (mal): the author name holds '<' or '>'" in result.output
    assert "line 6 (bel): the author name holds a line break or a control character" in (
        result.output
    )
    # Whitespace inside a name, a tab included, is one space.
    assert git(out / "c-gh", "log", "-1", "--format=%an") == "Grace Hopper"
    assert not marker.exists()
    first = tomllib.loads((out / "c-ada-l" / "pyproject.toml").read_text(encoding="utf-8"))
    assert first["project"]["authors"][0]["name"] == marker_payload(marker)
    assert git(out / "c-kj", "log", "-1", "--format=%an") == f"Katherine {SEVEN}"
    assert not (out / "c-mal").exists() and not (out / "c-bel").exists()


def test_a_roster_field_over_the_csv_limit_is_one_line(runner, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("github,name\nada," + "x" * 200_000 + "\n")
    out = tmp_path / "class"
    result = classroom(runner, roster, out)
    line = one_error_line(result, 2)
    assert "line 2" in line and "too long" in line
    assert not out.exists() or not any(out.iterdir())


# -- the sandbox: a template file cannot reach Python either ---------------------------


@pytest.fixture
def template_copy(tmp_path):
    """A self-contained copy of the fraud template, to add hostile files to."""

    def make(file_text: str):
        copy = tmp_path / "templates" / "hostile"
        shutil.copytree(get_template("fraud-detection").path, copy)
        (copy / "{{cookiecutter.project_slug}}" / "zzz.md").write_text(file_text)
        return read_template(copy)

    return make


def test_a_template_file_cannot_reach_python_internals(tmp_path, template_copy):
    marker = tmp_path / "PWNED"
    template = template_copy(marker_payload(marker) + "\n")
    out = tmp_path / "out"
    with pytest.raises(RenderError) as caught:
        create_project(ProjectRequest(template=template, output_dir=out, answers={}))
    message = str(caught.value)
    assert "\n" not in message and "zzz.md" in message and "SecurityError" in message
    assert not marker.exists()
    assert not out.exists()  # nothing left behind


def test_a_template_syntax_error_is_one_line_naming_the_file_and_line(tmp_path, template_copy):
    template = template_copy("fine\n{% if %}\n")
    with pytest.raises(RenderError) as caught:
        create_project(ProjectRequest(template=template, output_dir=tmp_path / "out"))
    message = str(caught.value)
    assert "\n" not in message and "zzz.md" in message and "(line 2)" in message


# -- the token stays home ----------------------------------------------------------


def publish(runner, project, *args, env=None, token: str | None = TOKEN):
    environment = {"GH_ENTERPRISE_TOKEN": token} if token else {}
    return runner.invoke(cli, ["publish", str(project), *args], env={**environment, **(env or {})})


def test_an_api_redirect_to_another_host_never_gets_the_token(runner, servers, project):
    api, _ = servers
    with recording_server() as (elsewhere, elsewhere_url):
        api.fail("GET", "/user", 302, {}, {"Location": f"{elsewhere_url}/user"}, times=5)
        result = publish(runner, project, "--api-url", api.url)
        line = one_error_line(result, 1)
        assert "redirected to another host" in line and "not sent there" in line
        assert elsewhere.seen == []  # not even asked, let alone with the token
    assert git(project, "remote") == ""


def test_a_redirect_within_the_api_is_followed(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/user", 301, {}, {"Location": f"{api.url}/user"})
    result = publish(runner, project, "--api-url", api.url)
    assert result.exit_code == 0, result.output
    assert len(api.requests_to("GET", "/user")) == 2


def test_a_git_redirect_to_another_host_never_gets_the_token(runner, servers, project):
    api, git_server = servers
    with recording_server() as (elsewhere, elsewhere_url):
        git_server.redirect_to = elsewhere_url
        result = publish(runner, project, "--api-url", api.url)
        line = one_error_line_after_links(result, api.url)  # the links now name the fake server
        assert "the push to" in line and "redirect" in line
        assert elsewhere.authorizations() == []
    assert not api.pushed_commits("ada", "fraud-detection")


def test_the_push_header_goes_to_the_repositorys_host_only(runner, servers, project, isolated_home):
    """The token's header is scoped to the repository's host: when the user's git config
    sends the push elsewhere (``pushInsteadOf``), the other server gets no token."""
    api, git_server = servers
    with recording_server() as (elsewhere, elsewhere_url):
        (isolated_home / ".gitconfig").write_text(
            f'[url "{elsewhere_url}/"]\n\tpushInsteadOf = {api.git_url}/\n'
        )
        result = publish(runner, project, "--api-url", api.url)
        assert "the push to" in one_error_line_after_links(result, api.url)
        assert [seen.path for seen in elsewhere.seen], "git never went to the other server"
        assert elsewhere.authorizations() == []
    assert git_server.seen_auth == []  # the push went only where git's config sent it
    assert not api.pushed_commits("ada", "fraud-detection")


def one_error_line_after_links(result, api_url: str) -> str:
    """A publish that pointed the links at the new repository on *api_url*, then failed in
    one line: return that line."""
    pointed, line = result.output.splitlines()
    assert pointed.startswith("Pointed the CI badge and links at"), result.output
    assert api_url in pointed, result.output
    assert result.exit_code == 1 and line.startswith("Error: "), result.output
    return line


@pytest.mark.parametrize(
    ("value", "what"),
    [
        (TOKEN + "\n" + TOKEN, "a line break"),
        (TOKEN + "é", "a character that is not ASCII"),
        (TOKEN[:10] + " " + TOKEN[10:], "a space or a control character"),
    ],
)
def test_a_malformed_token_is_refused_without_showing_it(runner, servers, project, value, what):
    api, _ = servers
    result = publish(runner, project, "--api-url", api.url, token=value)
    line = one_error_line(result, 2)
    assert f"the token from GH_ENTERPRISE_TOKEN holds {what}" in line
    assert TOKEN[:10] not in result.output
    assert not api.seen


def test_a_server_echoing_the_token_has_it_redacted(runner, servers, project):
    api, _ = servers
    api.fail("POST", "/user/repos", 400, {"message": f"bad request: Authorization: Bearer {TOKEN}"})
    result = publish(runner, project, "--api-url", api.url)
    line = one_error_line(result, 1)
    assert "Bearer ***" in line  # guard: the token itself is in no output


def test_credentials_in_a_remote_url_are_used_once_and_shown_nowhere(runner, tmp_path, project):
    from servers import GitHTTP, _GitHandler, _serving, basic_auth  # noqa: F401

    secret = "glpat-RemotePasswordNeverShown42"
    git_http = GitHTTP(tmp_path / "remote-root", "basic " + _b64(f"oauth2:{secret}"))
    (git_http.root / "me").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "--bare", str(git_http.root / "me" / "x.git")], check=True)
    with _serving(_GitHandler, git_http) as url:
        remote = url.replace("http://", f"http://oauth2:{secret}@") + "/me/x.git"
        result = runner.invoke(cli, ["publish", str(project), "--remote", remote])
    assert result.exit_code == 0, result.output
    assert secret not in result.output and f"Pushed: {url}/me/x.git" in result.output
    assert git(project, "remote", "get-url", "origin") == f"{url}/me/x.git"  # stored without it
    assert secret not in (project / ".git" / "config").read_text()
    assert git(git_http.root / "me" / "x.git", "rev-parse", "main") == git(
        project, "rev-parse", "HEAD"
    )


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def test_a_github_com_token_is_not_sent_to_another_host(runner, servers, project):
    api, _ = servers
    result = publish(runner, project, "--api-url", api.url, token=None, env={"GITHUB_TOKEN": TOKEN})
    line = one_error_line(result, 1)
    assert "no GitHub token found: set GH_ENTERPRISE_TOKEN to a token of 127.0.0.1" in line
    assert not api.seen


def test_gh_is_asked_for_the_token_of_the_api_host(tmp_path):
    log = tmp_path / "gh-args.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\necho "$STAND_IN"\n')
    (bin_dir / "gh").chmod(0o755)
    environ = {"PATH": str(bin_dir), "STAND_IN": TOKEN}
    assert find_token("https://api.github.com", environ).source.endswith("github.com`")
    assert find_token("https://ghe.example.com/api/v3", environ) is not None
    assert log.read_text().splitlines() == [
        "auth token --hostname github.com",
        "auth token --hostname ghe.example.com",
    ]
    # The environment's tokens, by host: github.com's never go to an enterprise server.
    dotcom, enterprise = "ghp_" + "a" * 36, "ghp_" + "b" * 36
    assert find_token("https://api.github.com", {"GITHUB_TOKEN": dotcom}).value == dotcom
    assert find_token("https://ghe.example.com/api/v3", {"GITHUB_TOKEN": dotcom}) is None
    found = find_token("https://ghe.example.com/api/v3", {"GH_ENTERPRISE_TOKEN": enterprise})
    assert found.value == enterprise


# -- answers a server or a user should not have sent -----------------------------------


@pytest.mark.parametrize(
    ("path", "status", "body", "headers", "message"),
    [
        (
            "/user",
            200,
            b"<html><body>Log in to the Wi-Fi</body></html>",
            {"Content-Type": "text/html"},
            "with an HTML page, not GitHub's JSON",
        ),
        (
            "/user",
            200,
            b"not json at all",
            {"Content-Type": "text/plain"},
            "with something that is not JSON",
        ),
        ("/user", 200, [], {}, "with an empty list, not GitHub's JSON"),
        ("/user", 200, {}, {}, "has no 'login'"),
        (
            "/user",
            502,
            b"<html>Bad gateway</html>",
            {"Content-Type": "text/html"},
            "(502 and an HTML page)",
        ),
        ("/user/repos", 201, {"name": "x"}, {}, "has no 'clone_url'"),
        (
            "/user/repos",
            201,
            {"clone_url": "ext::sh -c evil", "html_url": "https://x"},
            {},
            "gives a clone_url with spaces, control characters",
        ),
    ],
)
def test_answers_that_are_not_githubs_are_one_line(
    runner, servers, project, path, status, body, headers, message
):
    api, _ = servers
    method = "POST" if path == "/user/repos" else "GET"
    api.fail(method, path, status, body, headers)
    result = publish(runner, project, "--api-url", api.url)
    assert message in one_error_line(result, 1)
    assert git(project, "remote") == ""


def test_an_answer_too_large_is_refused(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/user", 200, b"[" + b"1," * (6 * 1024 * 1024) + b"1]")  # 12 MB
    result = publish(runner, project, "--api-url", api.url)
    assert "larger than 10 MB" in one_error_line(result, 1)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--api-url", "api.github.com"], {}, "is not a URL; give it with its scheme"),
        (["--api-url", "https://api.github.com:99999"], {}, "has a port that is not a number"),
        (["--api-url", "https://api.github.com:abc"], {}, "has a port that is not a number"),
        (["--api-url", "http://ghe.example.com/api/v3"], {}, "your token would travel unencrypted"),
        (
            ["--api-url", "https://me:pw@ghe.example.com/api/v3"],
            {},
            "holds a user name or password",
        ),
        ([], {"GITHUB_API_URL": ""}, "GITHUB_API_URL is empty"),
        ([], {"GITHUB_API_URL": "  "}, "GITHUB_API_URL is empty"),
        (["--org", "My Bootcamp"], {}, "'My Bootcamp' cannot be a GitHub organisation name"),
        (["--org", "-bootcamp"], {}, "cannot be a GitHub organisation name"),
        (["--name", "a/b"], {}, "cannot be a GitHub repository name"),
        (["--name", "x" * 101], {}, "cannot be a GitHub repository name"),
    ],
)
def test_bad_names_and_urls_are_refused_before_any_request(runner, project, args, env, message):
    result = publish(runner, project, *args, env=env)
    assert message in one_error_line(result, 2)
    assert git(project, "remote") == ""


def test_new_publish_checks_where_to_publish_before_writing_anything(runner, tmp_path):
    for env, message in (
        ({"GITHUB_API_URL": "", "GH_ENTERPRISE_TOKEN": TOKEN}, "GITHUB_API_URL is empty"),
        ({"GITHUB_API_URL": "http://127.0.0.1:9"}, "no GitHub token found"),
    ):
        result = runner.invoke(
            cli,
            ["new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR, "--publish"],
            env={**env, "PATH": "/usr/bin:/bin"},
        )
        assert message in one_error_line(result, result.exit_code)
        assert result.exit_code in (1, 2)
        assert list(tmp_path.iterdir()) == []


def test_classroom_refuses_a_bad_org_before_generating(runner, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("github\nada\n")
    out = tmp_path / "class"
    result = classroom(
        runner,
        roster,
        out,
        "--publish",
        "--org",
        "My Bootcamp",
        env={"GH_ENTERPRISE_TOKEN": TOKEN, "GITHUB_API_URL": "http://127.0.0.1:9"},
    )
    assert "cannot be a GitHub organisation name" in one_error_line(result, 2)
    assert not out.exists() or not list(out.glob("*-ada"))


def test_a_rate_limit_reset_that_is_not_a_number_is_waited_as_unknown():
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "soon"}
    assert rate_limit_wait(403, headers, {"message": "API rate limit exceeded"}) == 60.0
    assert rate_limit_wait(403, {"Retry-After": "later"}, {"message": "nope"}) is None
    assert rate_limit_wait(429, {"X-RateLimit-Reset": "nan"}, {}) == 60.0


def test_a_rate_limit_with_a_bad_reset_header_through_the_cli(runner, servers, project, fake_clock):
    api, _ = servers
    api.fail(
        "GET",
        "/user",
        403,
        {"message": "API rate limit exceeded"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "tomorrow", "Retry-After": "1"},
    )
    result = publish(runner, project, "--api-url", api.url)
    assert result.exit_code == 0, result.output
    assert "waiting 1 s before retrying" in result.output
    assert fake_clock.slept == [1.0]  # the Retry-After, the reset read as unstated


# -- servers that never finish -------------------------------------------------------


def test_a_trickling_api_server_ends_at_the_deadline(runner, project):
    with trickling_server(interval=0.1) as url:
        result = publish(runner, project, "--api-url", url, env={"MLSCAFFOLD_HTTP_TIMEOUT": "1"})
    line = one_error_line(result, 1)
    assert "no complete answer within 1 s" in line and "run the same command again" in line


def test_a_bad_http_timeout_setting_is_one_line(runner, servers, project):
    api, _ = servers
    result = publish(runner, project, "--api-url", api.url, env={"MLSCAFFOLD_HTTP_TIMEOUT": "x"})
    assert "MLSCAFFOLD_HTTP_TIMEOUT must be a number of seconds" in one_error_line(result, 2)


def test_a_git_server_that_never_answers_ends_with_low_speed_limits(runner, project):
    with silent_server() as silent:
        # The user's own low-speed settings win over mlscaffold's (60 s), so the test is short.
        result = runner.invoke(
            cli,
            ["publish", str(project), "--remote", f"{silent}/me/x.git"],
            env={"GIT_HTTP_LOW_SPEED_TIME": "1"},
        )
    line = one_error_line(result, 1)
    assert "the server stopped answering" in line and "1 s" in line


def test_pushes_get_low_speed_limits_and_no_redirects_by_default(monkeypatch):
    from scaffolder import gitops

    monkeypatch.delenv("GIT_HTTP_LOW_SPEED_LIMIT", raising=False)
    monkeypatch.delenv("GIT_HTTP_LOW_SPEED_TIME", raising=False)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "not a number")
    env = gitops._env("https://github.com/a/b.git", gitops.BasicAuth("x-access-token", "t"))
    assert env["GIT_HTTP_LOW_SPEED_LIMIT"] == "1000" and env["GIT_HTTP_LOW_SPEED_TIME"] == "60"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    settings = {env[f"GIT_CONFIG_KEY_{i}"]: env[f"GIT_CONFIG_VALUE_{i}"] for i in range(2)}
    assert settings["http.followRedirects"] == "false"
    assert list(settings)[0] == "http.https://github.com/.extraheader"


def test_the_github_client_deadline_bounds_a_trickle():
    from scaffolder.credentials import Token
    from scaffolder.errors import ScaffoldError

    with trickling_server(interval=0.1) as url:
        client = GitHub(Token(TOKEN, "test"), url, deadline=1)
        with pytest.raises(ScaffoldError, match="no complete answer within 1 s"):
            client.login()


def test_plain_cookiecutter_users_get_the_same_character_checks(tmp_path, guard):
    out = tmp_path / "out"
    done = plain_cookiecutter("fraud-detection", out, "author_name=Ada <a@b.cc>", guard=guard)
    assert done.returncode != 0
    assert "Error: the author name holds '<' or '>'" in done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_tree_is_unchanged_by_a_refused_run(invoke, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    before = tree(tmp_path)
    result = invoke("new", "fraud-detection", "x<y", "-o", str(tmp_path), "--no-input")
    assert result.exit_code == 2
    assert tree(tmp_path) == before


# -- found by a hostile review ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("clone_url", "{elsewhere}/ada/p.git", "gives a clone_url that is not on"),
        ("clone_url", "http://x-access-token:{token}@127.0.0.1:1/ada/p.git", "not on"),
        ("clone_url", "{api}/ada/p.git#{token}", "holding the token"),
        ("html_url", "{api}/ada/p#token={token}", "holding the token"),
        ("html_url", "https://evil.example/ada/p", "gives a html_url that is not on"),
    ],
)
def test_repository_urls_must_be_on_the_apis_own_origin(
    runner, servers, project, field, value, message
):
    api, _ = servers
    with recording_server() as (elsewhere, elsewhere_url):
        answer = {"name": "p", "clone_url": f"{api.url}/ada/p.git", "html_url": f"{api.url}/a/p"}
        answer[field] = value.format(elsewhere=elsewhere_url, token=TOKEN, api=api.url)
        api.fail("POST", "/user/repos", 201, answer)
        result = publish(runner, project, "--api-url", api.url)
        assert message in one_error_line(result, 1)
        assert elsewhere.seen == []
    assert git(project, "remote") == ""
    assert TOKEN not in (project / ".git" / "config").read_text()


@pytest.mark.parametrize(
    "echo",
    [
        "bad: bearer {lower}",  # lowercased
        "bad: {head}",  # the first half of it
        "bad: Bearer {token}x",
    ],
)
def test_pieces_and_changed_case_of_the_token_are_redacted(runner, servers, project, echo):
    api, _ = servers
    text = echo.format(lower=TOKEN.lower(), head=TOKEN[:20], token=TOKEN)
    api.fail("GET", "/user", 400, {"message": text})
    result = publish(runner, project, "--api-url", api.url)
    assert "***" in one_error_line(result, 1)  # and the guard finds no piece of it


def test_a_login_that_is_not_a_name_is_never_shown(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/user", 200, {"login": "github_pat_11" + TOKEN})
    result = publish(runner, project, "--api-url", api.url)
    assert "gives a login that is not a GitHub account name" in one_error_line(result, 1)


def test_a_short_token_is_refused(runner, servers, project):
    api, _ = servers
    result = publish(runner, project, "--api-url", api.url, token="t" * 7)
    assert "too short to be a GitHub token" in one_error_line(result, 2)
    assert not api.seen


def test_escape_sequences_from_a_server_are_shown_escaped(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/user", 500, {"message": "boom \x1b]0;PWNED\x07\x1b[2J\u202eevil\nline"})
    result = publish(runner, project, "--api-url", api.url)
    line = one_error_line(result, 1)
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "\\x1b]0;PWNED" in line and "\\u202e" in line


def test_deeply_nested_json_is_one_line(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/user", 200, b"[" * 200_000 + b"]" * 200_000)
    result = publish(runner, project, "--api-url", api.url)
    assert "something that is not JSON" in one_error_line(result, 1)


def test_an_absurd_wait_is_said_plainly(runner, servers, project):
    api, _ = servers
    api.fail("GET", "/user", 429, {"message": "slow down"}, {"Retry-After": "9" * 400})
    result = publish(runner, project, "--api-url", api.url)
    assert "lifts in more than a day" in one_error_line(result, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--api-url", "http://[::1"], "is not a URL"),
        (["--api-url", "http://[zz::1]:1/"], "is not a URL"),
        (["--api-url", "http://127.0.0.1:1/a\nb"], "holds a line break or a control character"),
        (["--name="], "--name is empty"),
        (["--remote", "http://[::1/x.git"], "is not a URL"),
    ],
)
def test_more_bad_urls_and_names_are_one_line(runner, project, args, message):
    result = publish(runner, project, *args)
    assert message in one_error_line(result, 2)


def test_remote_credentials_are_split_before_decoding():
    from scaffolder.credentials import split_credentials

    assert split_credentials("https://us%3Aer:sec%40ret@host/x.git") == (
        "https://host/x.git",
        ("us:er", "sec@ret"),
    )
    assert split_credentials("ssh://git:secret@host/x.git") == ("ssh://git@host/x.git", None)
    assert split_credentials("git@github.com:me/x.git") == ("git@github.com:me/x.git", None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "description=a\udcffb"], "holds bytes that are not UTF-8 text"),
        (["--author", "Ada \udcff"], "holds bytes that are not UTF-8 text"),
        (["--set", "random_seed=07"], "without leading zeros"),
        (["--set", "random_seed=" + "9" * 5000], "must be a whole number"),
        (["--author", "Eve\u202eevE"], "invisible formatting character"),
        (["--author", "Zero\u200bWidth"], "invisible formatting character"),
        (["NAME", "Fraud\ufeffRadar"], "invisible formatting character"),
    ],
)
def test_more_hostile_values_are_refused(invoke, tmp_path, args, message):
    if args[0] == "NAME":
        args = args[1:]
    result = invoke("new", "fraud-detection", *args, "-o", str(tmp_path / "o"), "--no-input")
    assert message in one_error_line(result, 2)
    assert not (tmp_path / "o").exists()


def test_names_with_zero_width_joiners_are_accepted(invoke, tmp_path):
    result = invoke(
        "new",
        "fraud-detection",
        "-o",
        str(tmp_path),
        "--no-input",
        "--no-git",
        "--author",
        "Mohammad\u200cReza Karimi",
        "--email",
        "mr@example.com",
    )
    assert result.exit_code == 0, result.output


def test_non_characters_in_a_description_keep_citation_valid(invoke, tmp_path):
    description = "a\ufffeb\uffffc"
    result = invoke(
        "new",
        "fraud-detection",
        "-o",
        str(tmp_path),
        "--no-input",
        "--no-git",
        *AUTHOR,
        "--set",
        f"description={description}",
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "fraud-detection" / "CITATION.cff").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["abstract"] == description


def test_lone_surrogates_in_the_cookiecutter_config_are_one_line(invoke, tmp_path, monkeypatch):
    config = tmp_path / "c.yaml"
    config.write_text('default_context: {description: "a\\udcffb"}\n')
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "o"), "--no-input")
    assert "from your cookiecutter config" in one_error_line(result, 2)


@pytest.mark.parametrize("setting", ["cookiecutters_dir: [1]", "replay_dir: {a: 1}"])
def test_config_settings_of_the_wrong_type_are_one_line(invoke, tmp_path, monkeypatch, setting):
    config = tmp_path / "c.yaml"
    config.write_text(setting + "\n")
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "o"), "--no-input")
    assert "cannot read the cookiecutter config" in one_error_line(result, 2)


def test_an_output_path_too_long_is_one_line(invoke, tmp_path):
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / ("a" * 300)), "--no-input")
    assert "File name too long" in one_error_line(result, 2)


def test_a_bad_seed_in_a_roster_fails_that_row_only(runner, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("github,random_seed\nada,1\nbob," + "9" * 5000 + "\ncy,07\ndee,3\n")
    out = tmp_path / "class"
    result = classroom(runner, roster, out, "--prefix", "c")
    assert result.exit_code == 1
    assert "2 of 4 students generated." in result.output
    assert (out / "c-ada").is_dir() and (out / "c-dee").is_dir()


def test_roster_cells_in_the_summary_are_one_printable_line_each(runner, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text(
        'github,name\n"\x1b]0;PWNED\x07x",A\n,"Evil\nsecond line <b>"\n', encoding="utf-8"
    )
    result = classroom(runner, roster, tmp_path / "c")
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    failures = [line for line in result.output.splitlines() if line.startswith("  line ")]
    assert len(failures) == 2 and "second line" in failures[1]


def test_classroom_refuses_a_bad_set_value_before_any_student(runner, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("github\nada\nbob\n")
    out = tmp_path / "c"
    result = classroom(runner, roster, out, "--set", "description=a\udcff")
    assert "holds bytes that are not UTF-8 text" in one_error_line(result, 2)
    assert not out.exists()


# -- found by a second hostile review ----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("html_url", "{api}/ada/x\x1b]0;PWNED\x07\x1b[2J"),
        ("html_url", "{api}/ada/x\nFAKE second line"),
        ("clone_url", '{api}/ada/x.git\n[url "http://127.0.0.1:1/"]\n\tinsteadOf = {api}/'),
        ("clone_url", " {api}/ada/x.git"),
        ("clone_url", "{api}/ada/x.git\t"),
    ],
)
def test_repository_urls_with_control_characters_are_refused(
    runner, servers, project, field, value
):
    api, _ = servers
    answer = {"name": "x", "clone_url": f"{api.url}/ada/x.git", "html_url": f"{api.url}/ada/x"}
    answer[field] = value.format(api=api.url)
    api.fail("POST", "/user/repos", 201, answer)
    result = publish(runner, project, "--api-url", api.url)
    assert "with spaces, control characters" in one_error_line(result, 1)
    assert "\x1b" not in result.output
    assert git(project, "remote") == ""


@pytest.mark.parametrize(
    "shape",
    ["spaced", "dashed", "variation selectors", "full width", "split across errors"],
)
def test_a_token_echoed_in_disguise_is_redacted(runner, servers, project, shape):
    api, _ = servers
    pieces = [TOKEN[i : i + 7] for i in range(0, len(TOKEN), 7)]
    body = {
        "spaced": {"message": " ".join(pieces)},
        "dashed": {"message": "-".join(TOKEN)},
        "variation selectors": {"message": "\ufe00".join(TOKEN)},
        "full width": {"message": "".join(chr(ord(c) + 0xFEE0) for c in TOKEN)},
        "split across errors": {"message": TOKEN[:20], "errors": [{"message": TOKEN[20:]}]},
    }[shape]
    api.fail("GET", "/user", 401, body)
    result = publish(runner, project, "--api-url", api.url)
    line = one_error_line(result, 1)
    assert "***" in line
    skeleton = "".join(ch for ch in line.lower() if ch.isalnum())
    assert not any(piece.lower() in skeleton for piece in pieces[1:-1])


def test_records_and_reports_that_are_not_ours_are_one_line_or_ignored(runner, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("github\nada\nbob\n")
    out = tmp_path / "class"
    (out / "p-ada").mkdir(parents=True)
    (out / "p-ada" / ".mlscaffold.json").write_text('{"classroom": [], "template": "x"}')
    (out / "classroom-report.json").write_text('{"students": [1, "x", null]}')
    result = classroom(runner, roster, out, "--prefix", "p")
    assert result.exit_code == 1
    assert "exists and is not this student's" in result.output  # ada's folder is someone else's
    assert (out / "p-bob" / ".git").is_dir()
    (out / "p-bob" / ".mlscaffold.json").write_text("[" * 100_000 + "]" * 100_000)
    result = classroom(runner, roster, out, "--prefix", "p")
    assert result.exit_code == 1 and "1 of 2" not in result.output  # and no traceback


def test_publish_dry_run_survives_a_deeply_nested_record_and_pyproject(runner, servers, project):
    api, _ = servers
    (project / ".mlscaffold.json").write_text("[" * 100_000 + "]" * 100_000)
    (project / "pyproject.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = runner.invoke(
        cli,
        ["publish", str(project), "--dry-run", "--api-url", api.url],
        env={"GH_ENTERPRISE_TOKEN": TOKEN},
    )
    assert result.exit_code == 0, result.output
    assert f"POST {api.url}/user/repos" in result.output


def test_a_classroom_folder_whose_name_is_not_utf8(runner, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("github\nada\n")
    out = Path(str(tmp_path / "class") + "\udcff")  # the bytes b"class\xff"
    result = classroom(runner, roster, out)
    assert result.exit_code == 0, result.output
    assert (out / "classroom-report.csv").is_file()


@pytest.mark.parametrize("remote", ["ext::sh -c touch% /tmp/x", "fd::17"])
def test_remotes_that_run_commands_are_refused(runner, project, remote):
    result = runner.invoke(cli, ["publish", str(project), "--remote", remote])
    assert "ext:: or fd:: transport" in one_error_line(result, 2)
    assert git(project, "remote") == ""


def test_a_description_with_control_characters_is_refused(invoke, tmp_path):
    result = invoke(
        "new",
        "fraud-detection",
        "-o",
        str(tmp_path / "o"),
        "--no-input",
        *AUTHOR,
        "--set",
        "description=nice\x1b[2J",
    )
    assert "the description holds a control character" in one_error_line(result, 2)
    result = invoke(
        "new",
        "fraud-detection",
        "-o",
        str(tmp_path / "p"),
        "--no-input",
        "--no-git",
        *AUTHOR,
        "--set",
        "description=two\tlines\nare fine",
    )
    assert result.exit_code == 0, result.output
