"""`mlscaffold classroom sync`: a template fix as one pull request to every student.

A class of four is made from the tests' own template ("mini", version 1.0.0)
with `classroom --publish` on GitHub's stand-in; the students push their work
(over HTTP, as they would); then the template moves to 1.1.0 and sync runs.
The students: (a) changed nothing, (b) edited a file the template does not
change, (c) edited the line the template changes, (d) added a file.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import test_update
from conftest import git
from servers import basic_auth
from test_update import ADDED_B, CHANGES_B, P, write_template

from scaffolder.cli import cli

TOKEN = "ghp_Zr5sVb8Qn2Lw7Kd4Hx9Tm3Jc6Fy1Pg0Ae2u"
ORG = "bootcamp"
STUDENTS = {"ana": "a", "ben": "b", "cy": "c", "dee": "d"}
BRANCH = "mlscaffold/update-1.1.0"
# The fixture of the update tests: mini at 1.0.0 (chosen) and at 1.1.0, beside it.
templates = test_update.templates


def student_git(work: Path, *args: str) -> str:
    """Git as a student: their identity, and the class's token for the push (as a header)."""
    return git(
        work,
        "-c",
        "user.name=Student",
        "-c",
        "user.email=student@example.com",
        "-c",
        f"http.extraheader=AUTHORIZATION: {basic_auth(TOKEN)}",
        *args,
    )


def clone(api, name: str, into: Path) -> Path:
    into.parent.mkdir(parents=True, exist_ok=True)
    student_git(into.parent, "clone", "-q", f"{api.url}/{ORG}/{name}.git", into.name)
    return into


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def do_the_work(api, tmp_path: Path, handle: str, kind: str) -> None:
    """What student *handle* does with their repository before the fix: case *kind*."""
    name = f"ml-{handle}"
    work = clone(api, name, tmp_path / "students" / name)
    if kind == "a":
        return
    if kind == "b":  # a file the template does not change
        edit(work / f"src/ml_{handle}/__init__.py", "SEED = 42\n", "SEED = 42\nBATCH = 64\n")
    elif kind == "c":  # the very line the template changes
        edit(work / "README.md", "Line two of why.", "Line two, in my own words.")
    else:  # a file of their own
        (work / "NOTES.md").write_text("My notes.\n")
    student_git(work, "add", "--all")
    student_git(work, "commit", "-qm", "My work")
    student_git(work, "push", "-q", "origin", "main")


@pytest.fixture
def roster(tmp_path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("github,name\n" + "".join(f"{h},{h.title()}\n" for h in STUDENTS))
    return path


@pytest.fixture
def the_class(runner, servers, tmp_path, templates, roster, fake_clock, monkeypatch):
    """The class on GitHub's stand-in after the students' work; the template now at 1.1.0."""
    api, git_server = servers
    api.known_users.update(STUDENTS)
    args = ["classroom", "mini", "--roster", str(roster), "--prefix", "ml", "--publish"]
    args += ["--org", ORG, "--api-url", api.url, "-o", str(tmp_path / "day-one")]
    made = runner.invoke(cli, args, env={"GH_ENTERPRISE_TOKEN": TOKEN})
    assert made.exit_code == 0, made.output
    for handle, kind in STUDENTS.items():
        do_the_work(api, tmp_path, handle, kind)
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(templates[1]))
    return api, git_server


def term(command: str, runner, api, roster: Path, out: Path, *extra: str):
    """Run `mlscaffold classroom COMMAND` (sync, collect) for the class, with its token."""
    args = ["classroom", command, "--roster", str(roster), "--prefix", "ml", "--org", ORG]
    args += ["--api-url", api.url, "-o", str(out), *extra]
    return runner.invoke(cli, args, env={"GH_ENTERPRISE_TOKEN": TOKEN})


def sync(runner, api, roster: Path, out: Path, *extra: str):
    return term("sync", runner, api, roster, out, *extra)


def report(out: Path) -> dict[str, dict]:
    rows = json.loads((out / "sync-report.json").read_text())["students"]
    return {row["student"]: row for row in rows}


def mains(api) -> dict[str, str]:
    return {h: api.branches(f"{ORG}/ml-{h}")["main"] for h in STUDENTS}


def open_pulls(api, handle: str) -> list[dict]:
    return [p for p in api.pulls.get(f"{ORG}/ml-{handle}", []) if p["state"] == "open"]


def test_each_student_gets_one_pull_request_and_keeps_their_work(
    runner, the_class, roster, tmp_path
):
    api, git_server = the_class
    before = mains(api)
    out = tmp_path / "sync"
    result = sync(runner, api, roster, out)
    assert result.exit_code == 0, result.output
    assert "4 students: 3 opened, 1 conflict." in result.output
    rows = report(out)
    assert {h: rows[h]["status"] for h in STUDENTS} == {
        "ana": "opened",
        "ben": "opened",
        "cy": "conflict",
        "dee": "opened",
    }
    assert rows["cy"]["conflicts"] == ["README.md"]
    assert "not delivered until they resolve them and merge" in rows["cy"]["note"]
    assert "line 4 (cy): conflicts with the student's edits in README.md" in result.output

    assert mains(api) == before  # the default branch is never pushed to
    for handle in STUDENTS:
        (pull,) = open_pulls(api, handle)
        assert (pull["head"]["ref"], pull["base"]["ref"]) == (BRANCH, "main")
        assert rows[handle]["pull_request"] == pull["html_url"]
        assert "`CONTRIBUTING.md` (added)" in pull["body"]
        assert "`obsolete.txt` (removed)" in pull["body"]
        # The branch grows from the student's own history: GitHub can merge it.
        bare = api._bare(f"{ORG}/ml-{handle}")
        git(bare, "merge-base", "--is-ancestor", f"{BRANCH}~1", "main")
    assert "`README.md` (conflicts with your edits)" in open_pulls(api, "cy")[0]["body"]

    # Merged as GitHub would merge them: (a), (b), (d) cleanly, with their work kept.
    for handle, kind in STUDENTS.items():
        work = tmp_path / "students" / f"ml-{handle}"
        student_git(work, "fetch", "-q", "origin")
        merged = subprocess.run(
            [
                "git",
                "-c",
                "user.name=S",
                "-c",
                "user.email=s@example.com",
                "merge",
                "--no-edit",
                f"origin/{BRANCH}",
            ],
            cwd=work,
            capture_output=True,
            text=True,
        )
        if kind == "c":
            assert merged.returncode != 0 and "CONFLICT" in merged.stdout
            continue
        assert merged.returncode == 0, merged.stdout + merged.stderr
        readme = (work / "README.md").read_text()
        assert "Line two of why, better said." in readme  # the template's change came in
        assert (work / "CONTRIBUTING.md").exists() and not (work / "obsolete.txt").exists()
        if kind == "b":
            assert "BATCH = 64" in (work / f"src/ml_{handle}/__init__.py").read_text()
        if kind == "d":
            assert (work / "NOTES.md").read_text() == "My notes.\n"

    # Again: nothing is pushed, opened or changed.
    writes, pushes = len(api.writes()), len(git_server.pushes)
    again = sync(runner, api, roster, out)
    assert again.exit_code == 0, again.output
    assert len(api.writes()) == writes and len(git_server.pushes) == pushes
    assert {h: report(out)[h]["status"] for h in STUDENTS} == {
        "ana": "up-to-date",
        "ben": "up-to-date",
        "cy": "conflict",
        "dee": "up-to-date",
    }
    assert all(len(open_pulls(api, h)) == 1 for h in STUDENTS)


def test_a_newer_version_supersedes_the_open_pull_request(
    runner, the_class, roster, tmp_path, monkeypatch
):
    api, _ = the_class
    out = tmp_path / "sync"
    assert sync(runner, api, roster, out).exit_code == 0
    newer = tmp_path / "templates-c"
    write_template(
        newer,
        "1.2.0",
        [*CHANGES_B, (f"{P}/Makefile", "train:", "train: ## train the model")],
        ADDED_B,
        removed=(f"{P}/obsolete.txt",),
        more_context={"_mlscaffold": {"version": "1.2.0", "changelog": {"1.2.0": "make help"}}},
    )
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(newer))
    before = mains(api)
    result = sync(runner, api, roster, out)
    assert result.exit_code == 0, result.output
    assert mains(api) == before
    rows = report(out)
    for handle in STUDENTS:
        (pull,) = open_pulls(api, handle)
        assert pull["head"]["ref"] == "mlscaffold/update-1.2.0"
        assert "What changed: make help" in pull["body"]
        assert "`Makefile` (updated)" in pull["body"]
        old = api.pulls[f"{ORG}/ml-{handle}"][0]
        assert old["state"] == "closed" and old["head"]["ref"] == BRANCH
        (comment,) = api.comments[f"{ORG}/ml-{handle}"]
        assert (
            comment["issue"] == old["number"]
            and f"Superseded by #{pull['number']}" in (comment["body"])
        )
        assert rows[handle]["status"] == ("conflict" if handle == "cy" else "updated")
        assert "supersedes #1" in rows[handle]["note"]


def test_a_template_changed_within_its_version_moves_the_branch_on_never_back(
    runner, the_class, roster, tmp_path, monkeypatch
):
    """The branch of the open pull request gets a commit on top (a fast-forward), never a
    replacement: GitHub's copies refuse force pushes, as a protected branch does."""
    api, _ = the_class
    out = tmp_path / "sync"
    assert sync(runner, api, roster, out).exit_code == 0
    tips = {h: api.branches(f"{ORG}/ml-{h}")[BRANCH] for h in STUDENTS}
    again = tmp_path / "templates-b2"
    more = [*CHANGES_B, (f"{P}/Makefile", "train:", "train: ## train the model")]
    write_template(again, "1.1.0", more, ADDED_B, removed=(f"{P}/obsolete.txt",))
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(again))
    result = sync(runner, api, roster, out)
    assert result.exit_code == 0, result.output
    rows = report(out)
    for handle in STUDENTS:
        (pull,) = open_pulls(api, handle)
        assert "`Makefile` (updated)" in pull["body"]
        bare = api._bare(f"{ORG}/ml-{handle}")
        git(bare, "merge-base", "--is-ancestor", tips[handle], BRANCH)
        assert api.branches(f"{ORG}/ml-{handle}")[BRANCH] != tips[handle]
        assert rows[handle]["status"] == ("conflict" if handle == "cy" else "updated")


def test_a_dry_run_pushes_opens_and_writes_nothing(runner, the_class, roster, tmp_path):
    api, git_server = the_class
    writes, pushes = len(api.writes()), len(git_server.pushes)
    out = tmp_path / "sync"
    result = sync(runner, api, roster, out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "4 students: 1 conflict, 3 would-open." in result.output
    assert "line 4 (cy): would push mlscaffold/update-1.1.0, open a pull request; conflicts" in (
        result.output
    )
    assert f"ml-ana: would push {BRANCH}, open a pull request" in result.output
    assert "Nothing was pushed, opened or written." in result.output
    assert len(api.writes()) == writes and len(git_server.pushes) == pushes
    assert not out.exists()


@pytest.mark.parametrize(("command", "status"), [("sync", "failed"), ("collect", "missing")])
def test_a_missing_repository_is_a_row_of_its_own_and_exit_1(
    runner, the_class, roster, tmp_path, command, status
):
    api, _ = the_class
    roster.write_text(roster.read_text() + "zed,Zed\n")
    out = tmp_path / command
    result = term(command, runner, api, roster, out)
    assert result.exit_code == 1
    missing = "line 6 (zed): no repository bootcamp/ml-zed on GitHub, or the token has no access"
    assert missing in result.output
    rows = json.loads((out / f"{command}-report.json").read_text())["students"]
    assert [row["status"] for row in rows if row["student"] == "zed"] == [status]
    assert len([row for row in rows if row["status"] == status]) == 1


def sync_command(api, roster: Path, out: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "scaffolder", "classroom", "sync", "--roster", str(roster)),
        *("--prefix", "ml", "--org", ORG, "--api-url", api.url, "-o", str(out), "--jobs", "1"),
    ]


def start_and_wait_for_a_pull_request(api, command: list[str], templates: Path):
    env = {**os.environ, "GH_ENTERPRISE_TOKEN": TOKEN, "MLSCAFFOLD_TEMPLATES": str(templates)}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    # Its writes take turns a second apart (real time, in that process): it is stopped
    # after the first pull request, with the others to come.
    while time.monotonic() < deadline and proc.poll() is None and not any(api.pulls.values()):
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    return proc


def test_killed_half_way_a_rerun_finishes_with_one_pull_request_each(
    runner, the_class, roster, tmp_path, templates
):
    api, _ = the_class
    out = tmp_path / "sync"
    proc = start_and_wait_for_a_pull_request(api, sync_command(api, roster, out), templates[1])
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert sum(len(open_pulls(api, h)) for h in STUDENTS) < len(STUDENTS)

    result = sync(runner, api, roster, out)
    assert result.exit_code == 0, result.output
    for handle in STUDENTS:
        assert len(open_pulls(api, handle)) == 1
        # Each pull request asked for once, or twice when the kill came between the ask
        # and its answer (the rerun then finds it): never two opened.
        assert len(api.requests_to("POST", f"/repos/{ORG}/ml-{handle}/pulls")) in (1, 2)
    assert set(r["status"] for r in report(out).values()) <= {"opened", "conflict", "up-to-date"}


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_stops_cleanly_with_the_report_written(
    runner, the_class, roster, tmp_path, templates, signal_number
):
    api, _ = the_class
    out = tmp_path / "sync"
    proc = start_and_wait_for_a_pull_request(api, sync_command(api, roster, out), templates[1])
    proc.send_signal(signal_number)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and b"Aborted!" in err
    assert b"Traceback" not in err
    rows = report(out)
    opened = {h for h in STUDENTS if open_pulls(api, h)}
    for handle in STUDENTS:
        if rows[handle]["status"] in ("opened", "conflict"):
            assert handle in opened
        else:  # not reached, or stopped in flight (then it says so)
            assert rows[handle]["status"] == "pending" or "interrupted" in rows[handle]["error"]
    again = sync(runner, api, roster, out)
    assert again.exit_code == 0, again.output
    assert all(len(open_pulls(api, h)) == 1 for h in STUDENTS)


# -- collect ----------------------------------------------------------------------------


def collect(runner, api, roster: Path, out: Path, *extra: str):
    return term("collect", runner, api, roster, out, *extra)


def collected(out: Path) -> dict[str, dict]:
    rows = json.loads((out / "collect-report.json").read_text())["students"]
    return {row["student"]: row for row in rows}


def test_collect_clones_everyone_and_a_rerun_only_fetches(runner, the_class, roster, tmp_path):
    api, _ = the_class
    out = tmp_path / "marking"
    out.mkdir()
    (out / ".ml-ana.collect-partial").mkdir()  # a clone a killed run left half-made
    (out / ".ml-ana.collect-partial" / "half").write_text("x")
    result = collect(runner, api, roster, out)
    assert result.exit_code == 0, result.output
    assert "4 students: 4 cloned." in result.output
    rows = collected(out)
    for handle in STUDENTS:
        clone_of = out / f"ml-{handle}"
        head = api.branches(f"{ORG}/ml-{handle}")["main"]
        assert git(clone_of, "rev-parse", "HEAD") == head == rows[handle]["commit"]
        assert git(clone_of, "status", "--porcelain") == ""
        assert rows[handle]["commit_time"] == git(clone_of, "log", "-1", "--format=%cI")
    assert not (out / ".ml-ana.collect-partial").exists()
    assert (out / "ml-dee" / "NOTES.md").exists()

    (out / "ml-ana" / ".git" / "still-here").write_text("a reclone would lose this\n")
    work = tmp_path / "students" / "ml-ben"
    (work / "MORE.md").write_text("More work.\n")
    student_git(work, "add", "--all")
    student_git(work, "commit", "-qm", "More work")
    student_git(work, "push", "-q", "origin", "main")
    again = collect(runner, api, roster, out)
    assert again.exit_code == 0, again.output
    assert "4 students: 4 fetched." in again.output
    assert (out / "ml-ana" / ".git" / "still-here").exists()
    assert (out / "ml-ben" / "MORE.md").exists()
    assert collected(out)["ben"]["commit"] == api.branches(f"{ORG}/ml-ben")["main"]


def late_work_dated_early(api, tmp_path: Path, deadline: datetime.datetime) -> tuple[str, str]:
    """Ben pushes, after the deadline, a commit his machine dates before it: (on time, late)."""
    work = tmp_path / "students" / "ml-ben"
    on_time = git(work, "rev-parse", "HEAD")
    api.now = lambda: deadline + datetime.timedelta(hours=5)  # GitHub's clock: late
    (work / "LATE.md").write_text("Late work.\n")
    student_git(work, "add", "--all")
    early = (deadline - datetime.timedelta(hours=1)).isoformat()
    subprocess.run(
        ["git", "-c", "user.name=Ben", "-c", "user.email=ben@example.com", "commit", "-qm", "Late"],
        cwd=work,
        check=True,
        env={**os.environ, "GIT_COMMITTER_DATE": early, "GIT_AUTHOR_DATE": early},
    )
    student_git(work, "push", "-q", "origin", "main")
    return on_time, git(work, "rev-parse", "HEAD")


def test_collect_at_a_deadline_goes_by_push_time(runner, the_class, roster, tmp_path):
    api, _ = the_class
    deadline = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    on_time, late = late_work_dated_early(api, tmp_path, deadline)
    out = tmp_path / "marking"
    result = collect(runner, api, roster, out, "--at", deadline.isoformat())
    assert result.exit_code == 0, result.output
    assert "commit times are set by the student's machine" in result.output
    rows = collected(out)
    assert rows["ben"]["commit"] == on_time != late
    assert git(out / "ml-ben", "rev-parse", "HEAD") == on_time
    assert not (out / "ml-ben" / "LATE.md").exists()
    assert rows["ben"]["chosen_by"] == "push time" and rows["ben"]["pushed_at"]
    # Without --at: the head, late work included.
    assert collect(runner, api, roster, out).exit_code == 0
    assert git(out / "ml-ben", "rev-parse", "HEAD") == late


def test_collect_at_goes_by_commit_time_where_github_records_no_pushes(
    runner, the_class, roster, tmp_path
):
    api, _ = the_class
    deadline = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    _, late = late_work_dated_early(api, tmp_path, deadline)
    api.fail("GET", r"/repos/.*/activity\?.*", 404, {"message": "Not Found"}, times=10)
    out = tmp_path / "marking"
    result = collect(runner, api, roster, out, "--at", deadline.isoformat())
    assert result.exit_code == 0, result.output
    assert "(the rows chosen by commit time say so)" in result.output
    rows = collected(out)
    assert rows["ben"]["commit"] == late  # the student's clock decides: said in the report
    assert rows["ben"]["chosen_by"] == "commit time (set by the student's machine)"


def test_collect_refuses_a_time_that_is_not_iso_8601(runner, the_class, roster, tmp_path):
    api, _ = the_class
    bad = collect(runner, api, roster, tmp_path / "other", "--at", "next friday")
    assert bad.exit_code == 2 and "--at 'next friday' is not an ISO 8601 time" in bad.output
    assert not (tmp_path / "other").exists()


def test_sync_brings_a_git_sources_newest_commit_with_trust(
    runner, servers, tmp_path, templates, roster, fake_clock, monkeypatch
):
    """A class made from a template's repository at a commit gets its newest commit as PRs.

    The repository's template has mlscaffold's validation hook: a hook, so every
    render needs --trust, on day one and again for each student's sync.
    """
    import shutil

    api, _ = servers
    api.known_users.update(STUDENTS)
    monkeypatch.delenv("MLSCAFFOLD_TEMPLATES")
    repository = tmp_path / "template-repository"
    shutil.copytree(templates[0] / "mini", repository)
    git(repository, "init", "-q", "-b", "main")
    test_update.commit_all(repository, "mini 1.0.0")
    first = git(repository, "rev-parse", "HEAD")
    shutil.rmtree(repository / P)
    shutil.copytree(templates[1] / "mini" / P, repository / P)
    shutil.copy(templates[1] / "mini" / "cookiecutter.json", repository / "cookiecutter.json")
    test_update.commit_all(repository, "mini 1.1.0")
    source = f"{repository.as_uri()}@{first}"
    args = ["classroom", source, "--roster", str(roster), "--prefix", "ml", "--publish"]
    args += ["--org", ORG, "--api-url", api.url, "-o", str(tmp_path / "day-one"), "--trust"]
    made = runner.invoke(cli, args, env={"GH_ENTERPRISE_TOKEN": TOKEN})
    assert made.exit_code == 0, made.output
    out = tmp_path / "sync"
    untrusted = sync(runner, api, roster, out)
    assert untrusted.exit_code == 1 and "needs trust" in untrusted.output
    assert all(not open_pulls(api, handle) for handle in STUDENTS)
    result = sync(runner, api, roster, out, "--trust")
    assert result.exit_code == 0, result.output
    assert "4 students: 4 opened." in result.output
    for handle in STUDENTS:
        (pull,) = open_pulls(api, handle)
        assert "`CONTRIBUTING.md` (added)" in pull["body"]
