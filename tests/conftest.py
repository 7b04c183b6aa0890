"""Fixtures for mlscaffold's tests: an isolated home, git identity and cookiecutter config,
and a check after every test that no output held a traceback or a token.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from leaks import assert_no_leak

from scaffolder.cli import cli

REPO_ROOT = Path(__file__).resolve().parent.parent
AUTHOR = ["--author", "Ada Lovelace", "--email", "ada@example.com", "--github-user", "ada"]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Give every test its own HOME and an empty global git config.

    The machine's identity must never leak into a test: mlscaffold has to work
    on a machine with no git identity at all.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("COOKIECUTTER_CONFIG", raising=False)
    for name in ("GH_CONFIG_DIR", "XDG_CONFIG_HOME"):  # gh's login comes from HOME's config
        monkeypatch.delenv(name, raising=False)
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@dataclass
class Guard:
    """What a test's commands printed, and the secrets that must appear nowhere."""

    outputs: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)

    def record(self, text: object) -> None:
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        if isinstance(text, str) and text:
            self.outputs.append(text)

    def forget(self, text: str) -> None:
        """Drop an output recorded on purpose from another tool (plain cookiecutter's)."""
        self.outputs = [output for output in self.outputs if output != text]

    def check(self) -> None:
        for output in self.outputs:
            assert "Traceback (most recent call last)" not in output, (
                f"a traceback reached the user:\n{output[-3000:]}"
            )
        assert_no_leak(self.secrets, self.outputs, self.folders)


def _called_by_a_test() -> bool:
    """Whether the subprocess call being recorded was made by test code.

    What mlscaffold's library, GitPython or subprocess.run itself capture from
    their own subprocesses (a token printed by `gh auth token`) is not output a
    user sees; what a test captures from the command it runs is.
    """
    caller = sys._getframe(2).f_globals.get("__name__", "")
    return not caller.startswith(("scaffolder", "git", "subprocess", "cookiecutter"))


@pytest.fixture(autouse=True)
def guard(monkeypatch, tmp_path, isolated_home):
    """After every test: no output held a traceback, and no registered token is anywhere.

    Records what every CliRunner invocation printed (and the traceback of an
    exception it caught, which the real command would have shown) and what every
    ``subprocess.run`` or ``Popen.communicate`` captured. A test that handles a
    token adds it to ``guard.secrets``; then no output and no file under the
    test's folder or its home may hold it in any form ``leaks.token_forms`` lists.
    """
    found = Guard(folders=[tmp_path, isolated_home])
    real_invoke = CliRunner.invoke

    def invoke(self, *args, **kwargs):
        result = real_invoke(self, *args, **kwargs)
        found.record(result.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            found.record("".join(traceback.format_exception(result.exception)))
        return result

    real_run = subprocess.run

    def run(*args, **kwargs):
        done = real_run(*args, **kwargs)
        if _called_by_a_test():
            found.record(done.stdout)
            found.record(done.stderr)
        return done

    real_communicate = subprocess.Popen.communicate

    def communicate(self, *args, **kwargs):
        out, err = real_communicate(self, *args, **kwargs)
        if _called_by_a_test():
            found.record(out)
            found.record(err)
        return out, err

    monkeypatch.setattr(CliRunner, "invoke", invoke)
    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(subprocess.Popen, "communicate", communicate)
    yield found
    found.check()


MARK = "MLSCAFFOLD_TEST_ID"


def _processes() -> dict[int, tuple[int, str, bytes]]:
    """Every live process: pid -> (parent pid, state, environment as exec'd)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or another user's
            continue
        state, ppid = stat.rpartition(")")[2].split()[:2]
        found[int(entry.name)] = (int(ppid), state, environ)
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of *pids* still running (a zombie has exited: it is not)."""
    return {pid for pid, (_, state, _) in _processes().items() if pid in pids and state != "Z"}


def children(pid: int) -> set[int]:
    """The running child processes of *pid*."""
    return {p for p, (ppid, state, _) in _processes().items() if ppid == pid and state != "Z"}


def _left_behind(test_id: str, before: set[int]) -> list[int]:
    """Processes a test started that are still alive: marked with its id, or our new children."""
    me = os.getpid()
    marker = f"{MARK}={test_id}".encode()
    return sorted(
        pid
        for pid, (ppid, state, environ) in _processes().items()
        if pid != me
        and state not in ("Z", "X")  # exited, waiting to be reaped: not running
        and (marker in environ.split(b"\0") or (ppid == me and pid not in before))
    )


@pytest.fixture(autouse=True)
def no_process_left(monkeypatch, request):
    """After every test, no process it started is alive (orphans included).

    Every process a test starts inherits a marker in its environment; what
    still carries it after the test (a worker whose parent was killed, a git
    left running) fails the test, and is killed so the next test starts clean.
    """
    if not Path("/proc/self/environ").exists():  # not Linux: nothing to look at
        yield
        return
    test_id = f"{os.getpid()}-{uuid.uuid4().hex}"
    monkeypatch.setenv(MARK, test_id)
    me = os.getpid()
    before = {pid for pid, (ppid, _, _) in _processes().items() if ppid == me}
    yield
    deadline = time.monotonic() + 10  # a process may take a moment to finish exiting
    while (left := _left_behind(test_id, before)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if left:
        names = []
        for pid in left:
            with suppress(OSError):
                names.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" "))
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        pytest.fail(f"the test left {len(left)} process(es) running: {names}")


TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")


@pytest.fixture
def servers(tmp_path, monkeypatch, guard, request):
    """GitHub's stand-in, API and git on one origin, for the test module's ``TOKEN``.

    No token of the machine's is around, and the test's may leak nowhere: not into
    the repositories, the server's files or any output.
    """
    from servers import github_servers

    token = request.module.TOKEN
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in (*TOKEN_VARIABLES, "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    guard.secrets.append(token)
    with github_servers(tmp_path, token) as (api, git_server):
        yield api, git_server


@pytest.fixture
def git_identity(isolated_home):
    """Set a global git identity in the isolated home."""
    (isolated_home / ".gitconfig").write_text(
        "[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n"
    )
    return "Grace Hopper", "grace@example.com"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the mlscaffold command in-process and return click's Result."""

    def run(*args: str, **kwargs):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)

    return run


def git(path: Path, *args: str) -> str:
    """Run git in *path* and return its stripped output."""
    return subprocess.run(
        ["git", *args], cwd=path, check=True, capture_output=True, text=True
    ).stdout.strip()


def history(path: Path) -> list[str]:
    """The commit SHAs on main in the repository at *path*, newest first."""
    return git(path, "rev-list", "main").split()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under *folder* (except .git) with its bytes, keyed by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


@pytest.fixture
def project(invoke, tmp_path) -> Path:
    """A fraud-detection project generated by Ada Lovelace in tmp_path/work, committed."""
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "work"), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    return tmp_path / "work" / "fraud-detection"


def plain_cookiecutter(
    template: str, output: Path, *answers: str, guard: Guard | None = None
) -> subprocess.CompletedProcess:
    """Run the plain `cookiecutter --no-input` command on a bundled template, as its users do.

    Pass the *guard* when the run is meant to fail: cookiecutter logs a traceback of
    its own after a failed hook, which is its output, not mlscaffold's.
    """
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(output),
            str(REPO_ROOT / "templates" / template),
            *answers,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if guard is not None and done.returncode != 0:
        guard.forget(done.stdout)
        guard.forget(done.stderr)
    return done


class FakeClock:
    """A clock that moves only when something sleeps on it: waits take no real time.

    Call it for the time; ``sleep`` moves it on and records how long was asked for.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)


@pytest.fixture
def fake_clock(monkeypatch) -> FakeClock:
    """The GitHub client's clock and sleep, for every client a command makes: no real waits."""
    from scaffolder import github

    clock = FakeClock()
    monkeypatch.setattr(github, "CLOCK", clock)
    monkeypatch.setattr(github, "SLEEP", clock.sleep)
    return clock
