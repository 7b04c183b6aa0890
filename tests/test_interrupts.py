"""Signals and concurrent runs: SIGTERM and SIGHUP stop as Ctrl-C does, runs share folders safely.

Real processes, real signals: `python -m scaffolder` is started, signalled while
it works, and what it leaves is inspected. The autouse `no_process_left` check
of conftest also holds for every test here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import AUTHOR, git, tree

COMMAND = [sys.executable, "-m", "scaffolder"]


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def staging_folders(folder: Path) -> list[Path]:
    return list(folder.glob(".*.mlscaffold-staging")) if folder.exists() else []


def wait_for(condition, proc: subprocess.Popen, timeout: float = 120) -> bool:
    """Poll *condition* until it holds; False if *proc* ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.001)
    raise AssertionError("timed out")


def rendering(out: Path) -> bool:
    return bool(staging_folders(out))


def committing(out: Path) -> bool:
    return any(list(folder.glob("*/.git")) for folder in staging_folders(out))


@pytest.mark.parametrize("phase", [rendering, committing])
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_termination_signal_during_new_leaves_nothing(tmp_path, signal_number, phase):
    for attempt in range(5):
        out = tmp_path / f"try-{attempt}"
        proc = start("new", "image-recognition", "-o", str(out), "--no-input", *AUTHOR)
        if wait_for(lambda out=out: phase(out), proc):
            break
        proc.communicate()  # finished before the signal could be sent: try again
    else:
        pytest.fail("`new` always finished before it could be signalled")
    proc.send_signal(signal_number)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert err.strip().splitlines()[-1] == "Aborted!"
    assert not staging_folders(out)
    assert not (out / "digit-recognition").exists()


def test_sigterm_during_classroom_stops_it_and_keeps_the_report(tmp_path):
    """SIGTERM to the parent only, as `timeout` and a CI cancel send it."""
    roster = tmp_path / "r.csv"
    roster.write_text("github\n" + "\n".join(f"s{i:03d}" for i in range(120)) + "\n")
    out = tmp_path / "class"
    proc = start("classroom", "recommender", "--roster", str(roster), "-o", str(out))
    assert wait_for(lambda: len(list(out.glob("recommender-*"))) >= 3, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Aborted!" in err
    rows = json.loads((out / "classroom-report.json").read_text())["students"]
    generated = [r for r in rows if r["status"] == "generated"]
    assert 3 <= len(generated) < 120
    made = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert made == sorted(Path(r["path"]).name for r in generated)  # exactly what exists
    assert not staging_folders(out)


def test_a_live_runs_staging_folder_is_left_alone(invoke, tmp_path):
    """Another run's staging folder (its pid alive) is not taken for a stale one."""
    out = tmp_path / "shared"
    out.mkdir()
    sleeper = subprocess.Popen(["sleep", "60"])
    finished = subprocess.Popen(["true"])
    finished.wait()
    try:
        live = out / f".fraud-detection.{sleeper.pid}-abc123.mlscaffold-staging"
        stale = out / f".fraud-detection.{finished.pid}-def456.mlscaffold-staging"
        for folder in (live, stale):
            folder.mkdir()
            (folder / "half-written.txt").write_text("x")
        result = invoke("new", "fraud-detection", "-o", str(out), "--no-input", *AUTHOR)
        assert result.exit_code == 0, result.output
        assert (live / "half-written.txt").exists()
        assert not stale.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_two_runs_into_one_folder_at_once(tmp_path):
    """Two `new` of one name at once: one project, complete; the other run says why it lost."""
    for round_ in range(3):
        out = tmp_path / f"round-{round_}"
        runs = [start("new", "fraud-detection", "-o", str(out), "--no-input", *AUTHOR)]
        runs.append(start("new", "fraud-detection", "-o", str(out), "--no-input", *AUTHOR))
        results = [(proc.wait(timeout=120), *proc.communicate()) for proc in runs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 2], results
        (loser_err,) = [err for code, _, err in results if code == 2]
        assert "mlscaffold never overwrites it" in loser_err
        assert "Traceback" not in loser_err and len(loser_err.strip().splitlines()) == 1
        project = out / "fraud-detection"
        assert git(project, "ls-files").splitlines() == sorted(tree(project))
        assert git(project, "status", "--porcelain") == ""
        assert not staging_folders(out)


def test_new_from_inside_the_empty_target_with_output_dir_dotdot(invoke, tmp_path, monkeypatch):
    target = tmp_path / "fraud-detection"
    target.mkdir()
    inode = os.stat(target).st_ino
    monkeypatch.chdir(target)
    result = invoke("new", "fraud-detection", "-o", "..", "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    assert os.stat(target).st_ino == inode  # the user's folder itself, not a replacement
    assert Path.cwd() == target and (Path.cwd() / "pyproject.toml").is_file()
    assert git(target, "ls-files").splitlines() == sorted(tree(target))
    assert not staging_folders(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fraud-detection"]


def test_a_signal_while_git_signs_stops_git_and_what_it_started(tmp_path, isolated_home):
    """A signing program that hangs: SIGTERM ends git and the program too, before the clean-up."""
    started = tmp_path / "signing-started"
    signer = isolated_home / "slow-gpg"
    signer.write_text(f"#!/bin/sh\ntouch {started}\nsleep 60\n")
    signer.chmod(0o755)
    (isolated_home / ".gitconfig").write_text(
        f"[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = {signer}\n"
    )
    out = tmp_path / "out"
    proc = start("new", "fraud-detection", "-o", str(out), "--no-input", *AUTHOR)
    assert wait_for(started.exists, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and err.strip().endswith("Aborted!")
    assert not staging_folders(out) and not (out / "fraud-detection").exists()
    # git, the signer and its sleep are gone: the autouse check (conftest) fails otherwise.


def test_a_dangling_link_as_the_target_is_refused_before_rendering(invoke, tmp_path):
    link = tmp_path / "fraud-detection"
    link.symlink_to(tmp_path / "nowhere")
    result = invoke("new", "fraud-detection", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 2
    assert f"{link} is a symbolic link to something that does not exist" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fraud-detection"]  # the link only


def test_a_second_ctrl_c_while_waiting_still_records_the_students_in_flight():
    """in_threads: Ctrl-C, then Ctrl-C again during the grace: what is known is recorded."""
    import threading

    from scaffolder.interrupts import in_threads

    release = threading.Event()
    finished, abandoned = [], []

    def work(item: str) -> str:
        if item != "quick":
            release.wait(60)  # in flight, as a student whose invite hangs
        return item

    def on_finished(item: str, result: str) -> None:
        finished.append(item)
        if item == "quick":
            # The first Ctrl-C; the second comes while the students in flight are waited for.
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
            raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            in_threads(
                ["quick", "slow-1", "slow-2"],
                work,
                jobs=3,
                stop=threading.Event(),
                finished=on_finished,
                abandoned=abandoned.append,
                grace=30,
            )
    finally:
        release.set()
    assert finished == ["quick"]
    assert sorted(abandoned) == ["slow-1", "slow-2"]


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_after_an_interrupt_a_failing_destructor_prints_no_traceback(signal_number):
    """Ctrl-C inside a constructor (GitPython's config parser) leaves a half-made object whose
    __del__ fails later: Python would print that traceback after the command's Aborted!."""
    script = (
        "import os, signal\n"
        "from scaffolder.interrupts import stop_cleanly_on_termination\n"
        "class HalfMade:\n"
        "    def __init__(self):\n"
        f"        os.kill(os.getpid(), {int(signal_number)})\n"
        "        self.ready = True\n"
        "    def __del__(self):\n"
        "        self.ready\n"  # AttributeError: the interrupt came first
        "stop_cleanly_on_termination()\n"
        "try:\n"
        "    HalfMade()\n"
        "except KeyboardInterrupt:\n"
        "    print('Aborted!')\n"
        "class Later:\n"
        "    def __del__(self):\n"
        "        raise RuntimeError('after the interrupt')\n"
        "Later()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "Aborted!\n"
    assert done.stderr == ""


def test_without_an_interrupt_a_failing_destructor_is_still_reported(guard):
    script = (
        "from scaffolder.interrupts import stop_cleanly_on_termination\n"
        "stop_cleanly_on_termination()\n"
        "class Broken:\n"
        "    def __del__(self):\n"
        "        raise RuntimeError('a real bug')\n"
        "Broken()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "RuntimeError: a real bug" in done.stderr
    guard.forget(done.stderr)  # printed on purpose: a bug outside an interrupt stays visible


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_held_signal_is_raised_only_where_it_is_let_through(signal_number):
    """The classroom loop holds signals while the process pool does its bookkeeping."""
    script = (
        "import os, signal\n"
        "from scaffolder.interrupts import held_signals, stop_cleanly_on_termination\n"
        "stop_cleanly_on_termination()\n"
        "steps = []\n"
        "try:\n"
        "    with held_signals() as let_through:\n"
        f"        os.kill(os.getpid(), {int(signal_number)})\n"
        "        steps.append('held')\n"  # reached: the signal waits
        "        let_through()\n"
        "        steps.append('after')\n"  # never reached
        "except KeyboardInterrupt:\n"
        "    steps.append('raised')\n"
        "print(' '.join(steps))\n"
        "print(signal.pthread_sigmask(signal.SIG_BLOCK, []) == set())\n"  # mask restored
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split("\n")[:2] == ["held raised", "True"], done.stderr
