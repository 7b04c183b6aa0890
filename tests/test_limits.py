"""GitHub's rate limits, kept by one client for all its threads, against a real local server.

GitHub's "Rate limits for the REST API": a secondary limit answers 403 or 429, with
``Retry-After`` or ``X-RateLimit-Reset`` to say how long to wait, or without (then at
least a minute, exponentially longer while it persists); content-creating requests are
limited to 80 a minute and 500 an hour. Time here is a fake clock: no test waits.
"""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import FakeClock

from scaffolder import github
from scaffolder.cli import cli
from scaffolder.credentials import Token
from scaffolder.github import GitHub, WriteBudget

TOKEN = "ghp_Hq4Tz8Vn1Xc6Bm3Kw9Rd2Ly7Ps5Gf0Ja4Ue8"  # random-looking, as real ones are
SECONDARY = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}


def within(times: list[float], window: float, most: int) -> bool:
    """Whether no *window* seconds (a half-open interval) hold more than *most* of *times*."""
    times = sorted(times)
    return all(times[i + most] >= times[i] + window for i in range(len(times) - most))


def test_a_pause_one_request_is_told_holds_every_thread_of_the_client(servers):
    """While one thread waits out a Retry-After, the others send nothing, reads included."""
    api, _ = servers
    clock = FakeClock()
    api.clock = clock
    api.fail("POST", "/orgs/bootcamp/repos", 403, SECONDARY, {"Retry-After": "60"})
    notes: list[str] = []
    others = []
    first = threading.Event()

    def sleep(seconds: float) -> None:
        if not first.is_set():  # the first pause: meanwhile the others go on, each in a thread
            first.set()
            with ThreadPoolExecutor(3) as pool:
                others.append(pool.submit(client.create_repo, "b", org="bootcamp"))
                others.append(pool.submit(client.create_repo, "c", org="bootcamp"))
                others.append(pool.submit(client.user_exists, "octocat"))
        clock.sleep(seconds)

    client = GitHub(Token(TOKEN, "test"), api.url, sleep=sleep, clock=clock, notify=notes.append)
    client.create_repo("a", org="bootcamp")
    assert [future.result() is not None for future in others] == [True, True, True]

    refused, *after = api.seen
    assert (refused.method, refused.body["name"]) == ("POST", "a")
    assert len(after) == 4  # b, c, octocat, and a again
    assert all(seen.at >= refused.at + 60 for seen in after), [(s.path, s.at) for s in after]
    assert notes == ["GitHub rate limit reached: waiting 60 s before retrying (1/3)"]  # once
    assert sorted(api.repos) == ["bootcamp/a", "bootcamp/b", "bootcamp/c"]


def test_a_secondary_limit_that_persists_waits_ever_longer_up_to_max_wait(servers):
    api, _ = servers
    clock = FakeClock()
    api.fail("POST", "/user/repos", 429, SECONDARY, times=5)
    client = GitHub(
        Token(TOKEN, "test"), api.url, sleep=clock.sleep, clock=clock, retries=5, max_wait=300
    )
    client.create_repo("a")
    assert clock.slept == [60.0, 120.0, 240.0, 300.0, 300.0]


def test_the_write_budget_keeps_every_window_within_githubs_limits():
    """About 1,200 writes at random paces: never more than 80 a minute or 500 an hour."""
    clock = FakeClock(0.0)
    pace = random.Random(11)
    notes: list[str] = []
    budget = WriteBudget(((60.0, 80), (3600.0, 500)), clock, clock.sleep, notes.append)
    sent = []
    for _ in range(1200):
        budget.take()
        sent.append(clock())
        clock.sleep(pace.choice([0.0, 0.0, 0.05, 0.2, 1.0, 4.0]))  # the request, and what follows
    assert within(sent, 60.0, 80) and within(sent, 3600.0, 500)
    # It finishes, and waits no more than it must: 1,200 writes need two full hours of
    # waiting (500, then 500 an hour later, then the rest), not much more.
    assert 7200 <= sent[-1] - sent[0] < 7200 + 3600
    assert any("limit of 80 content-creating requests a minute" in note for note in notes)
    assert any("limit of 500 content-creating requests an hour" in note for note in notes)
    assert all(note.startswith("Pausing ") for note in notes)


def test_the_write_budget_holds_across_threads():
    clock = FakeClock(0.0)
    budget = WriteBudget(((60.0, 5), (3600.0, 12)), clock, clock.sleep)
    sent = []

    def write() -> None:
        budget.take()
        sent.append(clock())

    with ThreadPoolExecutor(8) as pool:
        for _ in range(40):
            pool.submit(write)
    assert len(sent) == 40
    assert within(sent, 60.0, 5) and within(sent, 3600.0, 12)


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def publish_class(runner, roster, out, api, *extra):
    args = ["classroom", "fraud-detection", "--roster", str(roster), "--prefix", "ml-2026"]
    args += ["-o", str(out), "--publish", "--org", "bootcamp", "--api-url", api.url, *extra]
    return runner.invoke(cli, args, env={"GH_ENTERPRISE_TOKEN": TOKEN})


def test_a_class_that_reaches_the_write_limits_pauses_and_publishes_everyone(
    runner, servers, tmp_path, monkeypatch, fake_clock
):
    """Limits made small (2 a minute, 4 an hour) so that three students reach both."""
    api, _ = servers
    monkeypatch.setattr(github, "WRITE_LIMITS", ((60.0, 2), (3600.0, 4)))
    api.clock = fake_clock
    api.known_users.add("grace")
    roster = write(tmp_path / "r.csv", "github\nada\noctocat\ngrace\n")
    result = publish_class(runner, roster, tmp_path / "class", api, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "3 of 3 students published." in result.output
    pauses = [line for line in result.output.splitlines() if line.startswith("Pausing ")]
    assert len(pauses) == 2, result.output  # one line for each pause
    assert "to stay within GitHub's limit of 2 content-creating requests a minute" in pauses[0]
    assert "to stay within GitHub's limit of 4 content-creating requests an hour" in pauses[1]
    writes = [seen.at for seen in api.writes()]
    assert len(writes) == 6  # a create and an invitation for each student
    assert within(writes, 60.0, 2) and within(writes, 3600.0, 4)
    assert all(api.collaborators[f"bootcamp/ml-2026-{h}"] for h in ("ada", "octocat", "grace"))


def test_a_classs_writes_are_a_second_apart(runner, servers, tmp_path, fake_clock):
    """GitHub asks for a second between content-creating requests of one user.

    One job: with threads, a request's arrival at the server is stamped by a fake
    clock that another thread's wait has moved on since it was sent.
    """
    api, _ = servers
    api.clock = fake_clock
    api.known_users.update({"grace", "kj"})
    roster = write(tmp_path / "r.csv", "github\nada\noctocat\ngrace\nkj\n")
    result = publish_class(runner, roster, tmp_path / "class", api, "--jobs", "1")
    assert result.exit_code == 0, result.output
    writes = [(seen.method, seen.path, seen.at) for seen in api.writes()]
    assert len(writes) == 8  # a create and an invitation for each student
    gaps = [later[2] - earlier[2] for earlier, later in zip(writes, writes[1:], strict=False)]
    assert min(gaps) >= 1.0 - 1e-9, writes


def test_a_class_whose_create_answer_was_lost_is_finished_by_a_rerun(
    runner, servers, tmp_path, fake_clock
):
    api, _ = servers
    roster = write(tmp_path / "r.csv", "github\nada\noctocat\n")
    out = tmp_path / "class"
    api.fail("POST", "/orgs/bootcamp/repos", 502, {"message": "Bad Gateway"}, serve=True)
    first = publish_class(runner, roster, out, api, "--jobs", "1")
    assert first.exit_code == 1 and "1 of 2 students published." in first.output
    rows = json.loads((out / "classroom-report.json").read_text())["students"]
    (failed,) = [row for row in rows if row["status"] == "failed"]
    assert "502 Bad Gateway" in failed["error"] and "run the same command again" in failed["error"]

    again = publish_class(runner, roster, out, api)
    assert again.exit_code == 0, again.output
    creates = sorted(s.body["name"] for s in api.requests_to("POST", "/orgs/bootcamp/repos"))
    assert creates == ["ml-2026-ada", "ml-2026-octocat"]  # each once
    for handle in ("ada", "octocat"):
        assert api.pushed_commits("bootcamp", f"ml-2026-{handle}")
        assert api.collaborators[f"bootcamp/ml-2026-{handle}"] == {handle: "push"}


def test_once_stopped_the_client_creates_nothing_and_stops_waiting(servers):
    """An interrupted run: no write leaves, and a rate-limit wait in real time ends at once."""
    api, _ = servers
    stop = threading.Event()
    client = GitHub(Token(TOKEN, "test"), api.url, stop=stop)
    api.fail("POST", "/orgs/bootcamp/repos", 403, SECONDARY, {"Retry-After": "600"})
    failed: list[BaseException] = []

    def create() -> None:
        try:
            client.create_repo("waits", org="bootcamp")
        except github.Interrupted as exc:
            failed.append(exc)

    waiting = threading.Thread(target=create)
    waiting.start()
    while not api.requests_to("POST", "/orgs/bootcamp/repos"):
        waiting.join(0.01)  # until the create was answered "wait 600 s"
    stop.set()
    waiting.join(30)
    assert not waiting.is_alive() and len(failed) == 1  # the 600 s wait ended with the stop

    with pytest.raises(github.Interrupted):
        client.create_repo("after", org="bootcamp")
    assert [s.body["name"] for s in api.requests_to("POST", "/orgs/bootcamp/repos")] == ["waits"]
    assert "bootcamp/waits" not in api.repos and "bootcamp/after" not in api.repos
