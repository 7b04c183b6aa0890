"""Fixtures for mlscaffold's tests: an isolated home, git identity and cookiecutter config,
and a check after every test that no output held a traceback or a token.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
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


# The tests write tens of thousands of small files (projects, repositories, bare
# remotes); on a disk's file system that is most of their time, in memory a fraction.
# So, unless TMPDIR says where, the unit tests work in a RAM-backed folder where there
# is one that may run programs (they run scripts they write: a fake gh, a signing
# program). Not the end-to-end tests: their environments (torch) are gigabytes.
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_NEEDED = 2 * 1024**3


def pytest_configure(config: pytest.Config) -> None:
    markers = config.option.markexpr or ""
    if "e2e" in markers and "not e2e" not in markers or not markers:
        return  # the end-to-end tests may run
    if "TMPDIR" in os.environ or not hasattr(os, "statvfs"):
        return
    try:
        found = os.statvfs(MEMORY_FOLDER)
    except OSError:
        return
    if found.f_flag & (os.ST_NOEXEC | os.ST_RDONLY):
        return
    # A container's /dev/shm is often 64 MB; the unit tests' folders (pytest keeps the last
    # three runs) take some hundreds of MB.
    if found.f_bavail * found.f_frsize < MEMORY_NEEDED:
        return
    if not os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return
    os.environ["TMPDIR"] = str(MEMORY_FOLDER)  # for the programs the tests start, too
    tempfile.tempdir = None  # read TMPDIR again


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Make *home* the HOME, with an empty global git config and no cookiecutter config."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("COOKIECUTTER_CONFIG", raising=False)
    # gh's login comes from HOME's config; mlscaffold's template cache lives under HOME too.
    for name in ("GH_CONFIG_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Give every test its own HOME and an empty global git config.

    The machine's identity must never leak into a test: mlscaffold has to work
    on a machine with no git identity at all.
    """
    home = tmp_path_factory.mktemp("home")
    isolate(monkeypatch, home)
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


def _processes(since: float = 0.0) -> dict[int, tuple[int, str, bytes]]:
    """Every live process: pid -> (parent pid, state, environment as exec'd).

    The environment is read only for processes started at *since* or later (seconds
    since boot, as ``_boot_clock`` tells): older ones cannot carry a test's marker.
    """
    found = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for name in os.listdir("/proc"):  # plain strings: this runs twice a test
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
            state, ppid, started = fields[0].decode(), int(fields[1]), int(fields[19]) / ticks
            environ = b""
            if started >= since:
                with open(f"/proc/{name}/environ", "rb") as handle:
                    environ = handle.read()
        except (OSError, IndexError, ValueError):  # gone meanwhile, or another user's
            continue
        found[int(name)] = (ppid, state, environ)
    return found


def _boot_clock() -> float:
    """Seconds since boot, the clock of a process's start time in /proc/PID/stat.

    Linux counts that time on the boot-time clock (since 5.3) or the monotonic one
    (before): the earlier of the two never takes a new process for an old one.
    """
    return min(time.clock_gettime(time.CLOCK_BOOTTIME), time.monotonic())


def alive(pids: set[int]) -> set[int]:
    """Those of *pids* still running (a zombie has exited: it is not)."""
    found = _processes(since=float("inf"))
    return {pid for pid in pids if pid in found and found[pid][1] != "Z"}


def children(pid: int) -> set[int]:
    """The running child processes of *pid*."""
    found = _processes(since=float("inf"))
    return {p for p, (ppid, state, _) in found.items() if ppid == pid and state != "Z"}


def _left_behind(test_id: str, before: set[int], since: float) -> list[int]:
    """Processes a test started that are still alive: marked with its id, or our new children."""
    me = os.getpid()
    marker = f"{MARK}={test_id}".encode()
    return sorted(
        pid
        for pid, (ppid, state, environ) in _processes(since).items()
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
    before = children(os.getpid())
    since = _boot_clock() - 1.0  # a start time is counted in clock ticks: a margin
    yield
    deadline = time.monotonic() + 10  # a process may take a moment to finish exiting
    while (left := _left_behind(test_id, before, since)) and time.monotonic() < deadline:
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


@pytest.fixture(scope="session")
def generated_project(tmp_path_factory) -> Path:
    """A fraud-detection project generated by Ada Lovelace, committed: made once, never changed.

    Made in a home of its own (this runs before any test's ``isolated_home``).
    """
    out = tmp_path_factory.mktemp("generated")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("home"))
        args = ["new", "fraud-detection", "-o", str(out), "--no-input", *AUTHOR]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "fraud-detection"


@pytest.fixture
def project(generated_project, tmp_path) -> Path:
    """A fraud-detection project generated by Ada Lovelace in tmp_path/work, committed.

    A copy of the one generated for the session, repository included: `new` made it
    as it makes any (tests of `new` itself generate their own).
    """
    copy = tmp_path / "work" / "fraud-detection"
    shutil.copytree(generated_project, copy, symlinks=True)
    return copy


def plain_cookiecutter(
    template: str, output: Path, *answers: str, guard: Guard | None = None
) -> subprocess.CompletedProcess:
    """Run the plain `cookiecutter --no-input` command on a bundled template, as its users do.

    Pass the *guard* when the run is meant to fail: cookiecutter logs a traceback of
    its own after a failed hook, which is its output, not mlscaffold's.
    """
    # Cookiecutter writes each hook to a temporary file and leaves it there when the hook
    # fails: a folder of the run's own takes those away.
    with tempfile.TemporaryDirectory() as scratch:
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
            env={**os.environ, "TMPDIR": scratch},
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
