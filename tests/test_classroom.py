"""`mlscaffold classroom`: rosters, bad rows, resuming after a kill, publishing for a class."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import alive, children, git, history, tree

from scaffolder.catalog import get_template
from scaffolder.cli import cli
from scaffolder.errors import InvalidInput
from scaffolder.roster import read_roster

TOKEN = "ghp_M3kT8qW1zR6yN4xV9cB2hJ7gF0dS5aL8pE1u"  # random-looking, as real ones are
VARIABLES = get_template("fraud-detection").variables


@pytest.fixture(autouse=True)
def no_token_leaks(guard):
    """The class's token may leak nowhere: no output, report, project or server file."""
    guard.secrets.append(TOKEN)


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# -- rosters ---------------------------------------------------------------------


def test_roster_tolerates_bom_spaces_case_and_blank_lines(tmp_path):
    roster = write(
        tmp_path / "r.csv",
        "\ufeff GitHub , NAME ,Email,Notes\n\n ada-l , Ada Lovelace , ada@example.com ,x\n"
        "\n\nghopper,Grace Hopper,,\n",
    )
    parsed = read_roster(roster, VARIABLES)
    assert [(s.github, s.name, s.email, s.line) for s in parsed.students] == [
        ("ada-l", "Ada Lovelace", "ada@example.com", 3),
        ("ghopper", "Grace Hopper", None, 6),
    ]
    assert parsed.ignored_columns == ["notes"] and parsed.problems == []


def test_roster_with_a_name_column_only_and_template_variables(tmp_path):
    roster = write(tmp_path / "r.csv", "name,random_seed,license\nZoë Ngozi,7,Apache-2.0\n")
    (student,) = read_roster(roster, VARIABLES).students
    assert student.key == "zoe-ngozi" and student.github is None
    assert student.variables == {"random_seed": "7", "license": "Apache-2.0"}


@pytest.mark.parametrize(
    "text", ["email,team\nada@example.com,1\n", "", "\n\n", "handle;name\nada;Ada\n"]
)
def test_roster_without_a_usable_column_is_refused(tmp_path, text):
    with pytest.raises(InvalidInput, match="needs a 'github' or a 'name' column|is empty"):
        read_roster(write(tmp_path / "r.csv", text), VARIABLES)


def test_bad_rows_are_reported_one_by_one(tmp_path):
    roster = write(
        tmp_path / "r.csv",
        "github,name\nada-l,Ada\nADA-L,Ada again\nbad handle!,X\n,!!!\n,\nghopper,\n",
    )
    parsed = read_roster(roster, VARIABLES)
    assert [s.key for s in parsed.students] == ["ada-l", "ghopper"]
    assert [(p.line, p.error) for p in parsed.problems] == [
        (3, "duplicate of the student on line 2"),
        (4, "'bad handle!' is not a valid GitHub handle"),
        (5, "the name '!!!' cannot make a repository name"),
    ]


# -- local runs ----------------------------------------------------------------------


ROSTER = "github,name,email\nada-l,Ada Lovelace,ada@example.com\nghopper,Grace Hopper,\nkj,,\n"


def classroom(runner, roster, out, *extra, env=None):
    args = [
        "classroom",
        "fraud-detection",
        "--roster",
        str(roster),
        "--prefix",
        "ml-fraud-2026",
        "-o",
        str(out),
        *extra,
    ]
    return runner.invoke(cli, args, env=env)


def classroom_command(template: str, roster: Path, out: Path, *extra: str) -> list[str]:
    """The command line of `mlscaffold classroom`, for a run in a process of its own."""
    command = [sys.executable, "-m", "scaffolder", "classroom", template, "--roster", str(roster)]
    return [*command, "-o", str(out), *extra]


def test_local_run_gives_each_student_their_own_repository(runner, tmp_path):
    out = tmp_path / "class"
    result = classroom(runner, write(tmp_path / "r.csv", ROSTER), out)
    assert result.exit_code == 0, result.output
    assert "3 of 3 students generated." in result.output
    names = ["ml-fraud-2026-ada-l", "ml-fraud-2026-ghopper", "ml-fraud-2026-kj"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == names

    seeds = set()
    for name, author in zip(
        names,
        [
            "Ada Lovelace <ada@example.com>",
            "Grace Hopper <ghopper@users.noreply.github.com>",
            "kj <kj@users.noreply.github.com>",
        ],
        strict=True,
    ):
        project = out / name
        assert git(project, "log", "--format=%an <%ae>") == author  # one commit, by the student
        record = json.loads((project / ".mlscaffold.json").read_text())
        assert record["classroom"]["student"] == name.removeprefix("ml-fraud-2026-")
        seeds.add(record["context"]["random_seed"])
        assert (
            f"SEED = {record['context']['random_seed']}"
            in (project / "src" / name.replace("-", "_") / "__init__.py").read_text()
        )
    assert len(seeds) == 3  # no two repositories alike
    assert tree(out / names[0]) != tree(out / names[1])

    report = json.loads((out / "classroom-report.json").read_text())
    assert report["summary"]["generated"] == 3
    csv_text = (out / "classroom-report.csv").read_text()
    assert csv_text.splitlines()[0] == "line,student,name,email,repository,status,path,url,error"


def test_bad_rows_fail_alone_and_a_rerun_skips_the_done(runner, tmp_path):
    roster = write(tmp_path / "r.csv", ROSTER + "ada-l,Duplicate Ada,\n,!!!\n")
    out = tmp_path / "class"
    first = classroom(runner, roster, out)
    assert first.exit_code == 1
    assert "3 of 5 students generated." in first.output
    assert "line 5 (ada-l): duplicate of the student on line 2" in first.output
    commits = {p.name: git(p, "rev-parse", "HEAD") for p in out.iterdir() if p.is_dir()}

    again = classroom(runner, roster, out)
    assert again.exit_code == 1 and "3 of 5 students generated." in again.output
    assert {p.name: git(p, "rev-parse", "HEAD") for p in out.iterdir() if p.is_dir()} == commits
    rows = json.loads((out / "classroom-report.json").read_text())["students"]
    assert [r["status"] for r in rows] == ["generated"] * 3 + ["failed"] * 2


def test_unusable_roster_and_options_exit_2(runner, tmp_path):
    out = tmp_path / "class"
    result = classroom(runner, write(tmp_path / "r.csv", "email\nx@example.com\n"), out)
    assert result.exit_code == 2 and "needs a 'github' or a 'name' column" in result.output
    result = classroom(runner, write(tmp_path / "ok.csv", ROSTER), out, "--prefix", "2026-ml")
    assert result.exit_code == 2 and "must start with a letter" in result.output
    result = classroom(runner, tmp_path / "missing.csv", out)
    assert result.exit_code == 2 and "cannot read the roster" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_a_class_clears_the_staging_folders_a_killed_run_left(runner, tmp_path):
    """Also those of students no longer on the roster, and of an older mlscaffold (no pid);
    a running run's folder is left alone."""
    out = tmp_path / "class"
    out.mkdir()
    finished = subprocess.Popen(["true"])
    finished.wait()
    sleeper = subprocess.Popen(["sleep", "60"])
    stale = [
        out / f".ml-fraud-2026-left-the-class.{finished.pid}-abc123.mlscaffold-staging",
        out / f".ml-fraud-2026-kj.{finished.pid}-def456.mlscaffold-staging",
        out / ".ml-fraud-2026-older.mlscaffold-staging",
    ]
    live = out / f".ml-fraud-2026-someone.{sleeper.pid}-ghi789.mlscaffold-staging"
    try:
        for folder in (*stale, live):
            folder.mkdir()
            (folder / "half-written.txt").write_text("x")
        result = classroom(runner, write(tmp_path / "r.csv", ROSTER), out)
        assert result.exit_code == 0, result.output
        assert [folder for folder in stale if folder.exists()] == []
        assert (live / "half-written.txt").exists()
    finally:
        sleeper.kill()
        sleeper.wait()


# Enough that a run is never done before it is killed: it is killed after three.
STUDENTS = 30


def test_a_killed_run_is_finished_by_running_it_again(tmp_path):
    """SIGKILL part way through; the same command then completes every student exactly once."""
    students = [f"student-{i:03d}" for i in range(STUDENTS)]
    roster = write(tmp_path / "r.csv", "github\n" + "\n".join(students) + "\n")
    out = tmp_path / "class"
    command = classroom_command("recommender", roster, out, "--prefix", "recsys")
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def projects():
        return [p for p in out.glob("recsys-*") if p.is_dir()] if out.exists() else []

    def under_way() -> bool:  # a few projects made, and the report already says so
        return len(projects()) >= 3 and (out / "classroom-report.json").exists()

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not under_way():
        time.sleep(0.005)
    assert proc.poll() is None, (
        "the run finished before it could be interrupted (or wrote no report as it went)"
    )
    workers = children(proc.pid)
    assert workers  # generation runs in worker processes
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The workers die with their parent, idle ones included.
    deadline = time.monotonic() + 10
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not alive(workers)
    finished = {
        p.name: git(p, "rev-parse", "HEAD")
        for p in out.iterdir()
        if p.is_dir() and not p.name.startswith(".")
    }
    assert 3 <= len(finished) < STUDENTS
    # The report was written as the run went: what it says was generated, exists.
    rows = json.loads((out / "classroom-report.json").read_text())["students"]
    generated = {Path(row["path"]).name for row in rows if row["status"] == "generated"}
    assert generated and generated <= set(finished)

    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{STUDENTS} of {STUDENTS} students generated." in done.stdout
    assert len(projects()) == STUDENTS and not list(out.glob(".*"))  # no staging folder left
    for project in projects():
        assert git(project, "rev-list", "--count", "HEAD") == "1"
        assert git(project, "status", "--porcelain") == ""
        if project.name in finished:  # untouched by the second run
            assert git(project, "rev-parse", "HEAD") == finished[project.name]


def test_ctrl_c_stops_cleanly_and_writes_the_report(tmp_path):
    students = [f"s{i:03d}" for i in range(120)]
    roster = write(tmp_path / "r.csv", "github\n" + "\n".join(students) + "\n")
    out = tmp_path / "class"
    proc = subprocess.Popen(
        classroom_command("medical-diagnosis", roster, out),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("medical-diagnosis-*"))) < 3:
        time.sleep(0.005)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Aborted!" in err
    rows = json.loads((out / "classroom-report.json").read_text())["students"]
    generated = [r for r in rows if r["status"] == "generated"]
    assert generated and all(Path(r["path"]).is_dir() for r in generated)
    assert not list(out.glob(".*.mlscaffold-staging"))  # no half-written project left


# -- publishing ----------------------------------------------------------------------


def publish_class(runner, roster, out, api, *extra):
    """Run the classroom command with --publish to the bootcamp org on the test API."""
    return classroom(
        runner,
        roster,
        out,
        "--publish",
        "--org",
        "bootcamp",
        "--api-url",
        api.url,
        *extra,
        env={"GH_ENTERPRISE_TOKEN": TOKEN},
    )


@pytest.mark.parametrize(
    ("options", "env", "message"),
    [
        (["--api-url", "ftp://x"], {}, "--api-url 'ftp://x' is not a URL"),
        ([], {"GITHUB_API_URL": "http://example.com"}, "GITHUB_API_URL 'http://example.com' is"),
        (["--org", "My Bootcamp"], {}, "'My Bootcamp' cannot be a GitHub organisation name"),
    ],
)
def test_a_bad_publishing_option_is_refused_before_the_roster_is_read(
    runner, tmp_path, options, env, message
):
    """As before the options moved into the library: the roster need not exist to be told."""
    out = tmp_path / "class"
    result = classroom(
        runner, tmp_path / "missing.csv", out, "--publish", "--org", "bootcamp", *options, env=env
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {message}")
    assert not out.exists()


def test_publish_for_a_class(runner, servers, tmp_path, fake_clock):
    api, _ = servers
    roster = write(tmp_path / "r.csv", "github,name\nada,Ada\noctocat,Octo\nnobody-here,Nobody\n")
    out = tmp_path / "class"
    result = publish_class(runner, roster, out, api, "--jobs", "3")
    assert result.exit_code == 1
    assert "2 of 3 students published." in result.output
    assert "(nobody-here): no GitHub user named nobody-here" in result.output
    for handle in ("ada", "octocat"):
        repo = api.repos[f"bootcamp/ml-fraud-2026-{handle}"]
        assert repo["private"] is True
        assert api.collaborators[repo["full_name"]] == {handle: "push"}
        project = out / f"ml-fraud-2026-{handle}"
        assert api.pushed_commits("bootcamp", repo["name"]) == history(project)
    assert "bootcamp/ml-fraud-2026-nobody-here" not in api.repos
    rows = json.loads((out / "classroom-report.json").read_text())["students"]
    assert rows[0]["url"] == f"{api.url}/bootcamp/ml-fraud-2026-ada"

    # The missing account is created; the same command finishes the class.
    api.known_users.add("nobody-here")
    creates_before = len(api.requests_to("POST", "/orgs/bootcamp/repos"))
    again = publish_class(runner, roster, out, api)
    assert again.exit_code == 0, again.output
    assert "3 of 3 students published." in again.output
    assert len(api.requests_to("POST", "/orgs/bootcamp/repos")) == creates_before + 1


def test_publishing_interrupted_part_way_is_completed_without_duplicates(
    runner, servers, tmp_path, fake_clock
):
    """The network drops after a repository was created: the rerun only pushes and shares it."""
    api, _ = servers
    roster = write(tmp_path / "r.csv", "github\nada\noctocat\n")
    out = tmp_path / "class"
    api.fail(
        "PUT",
        r"/repos/bootcamp/ml-fraud-2026-octocat/collaborators/octocat",
        502,
        {"message": "Bad Gateway"},
    )
    first = publish_class(runner, roster, out, api, "--jobs", "1")
    assert first.exit_code == 1 and "502 Bad Gateway" in first.output
    again = publish_class(runner, roster, out, api)
    assert again.exit_code == 0, again.output
    creates = [s.body["name"] for s in api.requests_to("POST", "/orgs/bootcamp/repos")]
    assert sorted(creates) == ["ml-fraud-2026-ada", "ml-fraud-2026-octocat"]  # each once
    assert api.collaborators["bootcamp/ml-fraud-2026-octocat"] == {"octocat": "push"}
    # The finished student was skipped entirely on the second run.
    assert len(api.requests_to("PUT", r"/repos/bootcamp/ml-fraud-2026-ada/collaborators/ada")) == 1


def test_the_report_is_on_disk_for_each_student_as_they_finish(
    runner, servers, tmp_path, fake_clock
):
    """Read while the run goes (when the second student's turn begins), the report on disk
    already says the first was published: a run killed then has it on record."""
    api, _ = servers
    out = tmp_path / "class"
    seen_then: list[dict] = []
    serve = api.handle

    def handle(method, path, headers, body):
        if path == "/users/octocat":  # the second student's first request
            # The worker thread may start on octocat a moment before the main thread
            # records ada: hold this request (real seconds; the run's clock is fake)
            # until ada is on disk. A report written only at the end never shows it.
            deadline = time.monotonic() + 10
            while True:
                report = json.loads((out / "classroom-report.json").read_text())
                rows = {row["student"]: row for row in report["students"]}
                if rows["ada"]["status"] == "published" or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            seen_then.append(rows)
        return serve(method, path, headers, body)

    api.handle = handle
    roster = write(tmp_path / "r.csv", "github\nada\noctocat\n")
    result = publish_class(runner, roster, out, api, "--jobs", "1")
    assert result.exit_code == 0, result.output
    (rows,) = seen_then
    assert rows["ada"]["status"] == "published"
    assert rows["ada"]["url"] == f"{api.url}/bootcamp/ml-fraud-2026-ada"
    assert rows["octocat"]["status"] == "generated"
    with (out / "classroom-report.csv").open(newline="") as report:
        assert [row["status"] for row in csv.DictReader(report)] == ["published", "published"]


def test_publish_needs_an_org_and_a_token(runner, tmp_path, monkeypatch):
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    roster = write(tmp_path / "r.csv", ROSTER)
    result = classroom(runner, roster, tmp_path / "a", "--publish")
    assert result.exit_code == 2 and "--publish needs --org" in result.output
    result = classroom(
        runner, roster, tmp_path / "b", "--publish", "--org", "x", env={"PATH": "/usr/bin:/bin"}
    )
    assert result.exit_code == 1 and "no GitHub token found" in result.output
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").glob("ml-*"))


# -- rosters as spreadsheets write them -------------------------------------------------


def test_an_unclosed_quote_refuses_the_roster_whole(runner, tmp_path):
    """Read line by line, `a2,"Ben` swallowed the next four students into one name."""
    roster = write(
        tmp_path / "r.csv", 'github,name\na1,Ann\na2,"Ben\na3,Cy\na4,Di\na5,Ed\na6,Fay\n'
    )
    out = tmp_path / "class"
    result = classroom(runner, roster, out)
    assert result.exit_code == 2, result.output
    assert f"line 3 of the roster {roster} is not valid CSV" in result.output
    assert not out.exists() or not list(out.glob("ml-fraud-2026-*"))


def test_line_separators_in_a_cell_are_spaces_not_students(runner, tmp_path):
    roster = write(
        tmp_path / "r.csv",
        'github,name\nada,Ada\u2028Lovelace\nbob,Bob\x0bBrown\ncy,Cy\x85Zhou\ndi,"Di\r\nDiaz"\nem,Em\n',
    )
    parsed = read_roster(roster, VARIABLES)
    assert [(s.line, s.github, s.name) for s in parsed.students] == [
        (2, "ada", "Ada Lovelace"),
        (3, "bob", "Bob Brown"),
        (4, "cy", "Cy Zhou"),
        (5, "di", "Di Diaz"),  # a quoted line break: one cell, words kept apart
        (7, "em", "Em"),
    ]
    out = tmp_path / "class"
    result = classroom(runner, roster, out)
    assert result.exit_code == 0, result.output
    assert "5 of 5 students generated." in result.output
    assert git(out / "ml-fraud-2026-di", "log", "--format=%an") == "Di Diaz"


def test_a_row_with_more_cells_than_the_header_is_a_reason_not_a_shift(runner, tmp_path):
    roster = write(
        tmp_path / "r.csv", "github,name,email\nada,Lovelace, Ada,ada@example.com\nbob,,\n"
    )
    result = classroom(runner, roster, tmp_path / "class")
    assert result.exit_code == 1
    assert "1 of 2 students generated." in result.output
    assert "line 2 (ada): 4 cells where the header has 3" in result.output


def test_report_cells_cannot_be_spreadsheet_formulas(runner, tmp_path):
    roster = write(
        tmp_path / "r.csv",
        'github,name\n"=HYPERLINK(""http://x.example"")",X\nbob,+1 Bob\ncy,@cy\n-dee,Dee\n',
    )
    out = tmp_path / "class"
    result = classroom(runner, roster, out)
    assert result.exit_code == 1
    with (out / "classroom-report.csv").open(newline="") as report:
        cells = [cell for row in csv.reader(report) for cell in row]
    assert "'+1 Bob" in cells and "'@cy" in cells and "'-dee" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    # The JSON report keeps the values as they are.
    rows = json.loads((out / "classroom-report.json").read_text())["students"]
    assert rows[1]["name"] == "+1 Bob"


@pytest.mark.parametrize(
    "header, option, message",
    [
        ("github,project_name", (), "has the column 'project_name', but each repository is named"),
        ("github,project_slug", (), "has the column 'project_slug', but it is derived from"),
        ("github,author_name", (), "has the column 'author_name', but each student is the author"),
        ("github", ("--set", "random_seed=7"), "--set random_seed cannot be used with classroom"),
        ("github", ("--set", "author_name=T"), "--set author_name cannot be used with classroom"),
        ("github", ("--set", "package_name=p"), "--set package_name cannot be used with classroom"),
    ],
)
def test_what_classroom_sets_itself_is_refused_as_a_column_or_option(
    runner, tmp_path, header, option, message
):
    roster = write(tmp_path / "r.csv", f"{header}\nada{',x' * header.count(',')}\n")
    out = tmp_path / "class"
    result = classroom(runner, roster, out, *option)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_interrupting_a_publishing_run_creates_nothing_more(
    runner, servers, tmp_path, fake_clock, signal_number
):
    """Ctrl-C or SIGTERM while publishing: no new repository, an exact report, a rerun finishes."""
    api, _ = servers
    handles = [f"student{i}" for i in range(6)]
    api.known_users.update(handles)
    roster = write(tmp_path / "r.csv", "github\n" + "\n".join(handles) + "\n")
    out = tmp_path / "class"
    command = classroom_command(
        "fraud-detection",
        roster,
        out,
        *("--prefix", "p", "--publish", "--org", "bootcamp", "--api-url", api.url, "--jobs", "2"),
    )
    env = {**os.environ, "GH_ENTERPRISE_TOKEN": TOKEN}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    # The first repository is made: the others wait their turns, a second apart.
    while time.monotonic() < deadline and proc.poll() is None and not api.repos:
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(signal_number)
    created_then = len(api.repos)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and b"Aborted!" in err
    # At most the students in flight (2 jobs) finished their create after the signal.
    assert len(api.repos) <= created_then + 2 < len(handles)

    rows = {
        r["repository"]: r
        for r in json.loads((out / "classroom-report.json").read_text())["students"]
    }
    for name, row in rows.items():
        exists = f"bootcamp/{name}" in api.repos
        if row["status"] == "published":
            assert exists and api.collaborators[f"bootcamp/{name}"]
        elif row["status"] == "generated":
            assert not exists  # the report says exactly what exists
        else:
            assert "interrupted" in row["error"]

    # The same command again, in this process, whose fake clock waits out the second
    # between writes at once (the interrupted run above kept real time).
    again = runner.invoke(cli, command[3:], env={"GH_ENTERPRISE_TOKEN": TOKEN})
    assert again.exit_code == 0, again.output
    assert f"{len(handles)} of {len(handles)} students published." in again.output
    creates = [s.body["name"] for s in api.requests_to("POST", "/orgs/bootcamp/repos")]
    assert sorted(creates) == sorted(f"p-{h}" for h in handles)  # each exactly once


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "github,name,GitHub\nada-l,Ada,\nbob,Bob,carl\n",
            "has the column 'github' more than once",
        ),
        (
            "GitHub,name,Name\nada-l,Ada,Zed\n",
            "has the column 'name' more than once (columns 2 and 3",
        ),
        ("github,name\n", "has a header but no students"),
    ],
)
def test_a_roster_that_would_be_read_wrongly_is_refused(runner, tmp_path, text, message):
    out = tmp_path / "class"
    result = classroom(runner, write(tmp_path / "r.csv", text), out)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists() or not any(out.iterdir())


def test_a_file_where_a_students_folder_goes_fails_that_student_only(runner, tmp_path):
    out = tmp_path / "class"
    out.mkdir()
    (out / "ml-fraud-2026-ada-l").write_text("not a folder\n")
    result = classroom(runner, write(tmp_path / "r.csv", ROSTER), out)
    assert result.exit_code == 1
    assert "2 of 3 students generated." in result.output
    assert "(ada-l): " in result.output and "exists and is not this student's" in result.output
    assert (out / "ml-fraud-2026-ada-l").read_text() == "not a folder\n"


def test_an_output_folder_below_a_file_is_one_line(runner, tmp_path):
    (tmp_path / "afile").write_text("x")
    result = classroom(runner, write(tmp_path / "r.csv", ROSTER), tmp_path / "afile" / "sub")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: cannot write to {tmp_path / 'afile' / 'sub'}: Not a directory"
    ]


def test_a_class_never_takes_over_a_repository_it_did_not_create(
    runner, servers, tmp_path, fake_clock
):
    """An empty repository of a student's name, made by someone else: that student fails alone."""
    api, _ = servers
    api.add_repo("bootcamp", "ml-fraud-2026-ada", empty=True)
    roster = write(tmp_path / "r.csv", "github\nada\noctocat\n")
    result = publish_class(runner, roster, tmp_path / "class", api)
    assert result.exit_code == 1
    assert "1 of 2 students published." in result.output
    assert "(ada): bootcamp/ml-fraud-2026-ada already exists on GitHub" in result.output
    assert api.pushed_commits("bootcamp", "ml-fraud-2026-ada") == []
    assert "bootcamp/ml-fraud-2026-ada" not in api.collaborators
