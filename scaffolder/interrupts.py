"""Stopping cleanly: on any signal, with workers that die with their parent.

Threads that work for a run start nothing new once it is interrupted.

A CI cancel and ``timeout`` send SIGTERM, a closed terminal sends SIGHUP, and
Python's default for both is to die on the spot, skipping every ``finally``: a
hidden staging folder stays behind and a classroom report misses the last
students. Here they raise ``KeyboardInterrupt`` in the main thread, as Ctrl-C
does, so the same clean-up runs and the command ends with ``Aborted!``.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

TERMINATION_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


# Set once the run is interrupted (Ctrl-C or a termination signal).
INTERRUPTED = threading.Event()


class Stopped(KeyboardInterrupt):
    """A termination signal, handled as Ctrl-C is."""


def stop_cleanly_on_termination() -> None:
    """Make SIGTERM and SIGHUP raise ``Stopped`` in the main thread (call it from there).

    Ctrl-C still raises ``KeyboardInterrupt``. After either, an exception that
    Python can only print ("Exception ignored in ... __del__") is dropped: an
    interrupt that lands inside a library's constructor (GitPython's config
    parser) leaves a half-made object whose ``__del__`` fails later, and that
    traceback would be the last thing the user sees after ``Aborted!``.
    """
    for number in TERMINATION_SIGNALS:
        signal.signal(number, _stop)
    signal.signal(signal.SIGINT, _interrupt)
    default_hook = sys.unraisablehook

    def unraisable(report: sys.UnraisableHookArgs) -> None:
        if not INTERRUPTED.is_set():
            default_hook(report)

    sys.unraisablehook = unraisable


# Ctrl-C and the termination signals: what ``held_signals`` holds back.
HELD_SIGNALS = frozenset({signal.SIGINT, *TERMINATION_SIGNALS})


@contextlib.contextmanager
def held_signals() -> Iterator[Callable[[], None]]:
    """Hold Ctrl-C and termination signals back; yield a function that lets held ones through.

    A ``KeyboardInterrupt`` raised inside ``concurrent.futures``' bookkeeping
    (``pool.submit``, ``wait`` acquiring each future's lock) can leave one of its
    locks held, and the pool's shutdown then waits forever. Held here, a signal
    is raised only where the caller lets it through, between those calls. On
    leaving, the signal mask is what it was. Elsewhere than in the main thread
    of a POSIX system nothing is held.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield lambda: None
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)

    def let_through() -> None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a pending one is raised here
        signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)

    try:
        yield let_through
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def let_signals_through() -> None:
    """Unblock what ``held_signals`` holds (a forked worker inherits its parent's mask)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD_SIGNALS)


def _interrupt(number: int, frame: FrameType | None) -> None:
    INTERRUPTED.set()
    signal.default_int_handler(number, frame)


def _stop(number: int, frame: FrameType | None) -> None:
    INTERRUPTED.set()
    # A second one while cleaning up ends the process at once, as the user asked.
    signal.signal(number, signal.SIG_DFL)
    raise Stopped(signal.Signals(number).name)


def process_is_running(pid: int) -> bool:
    """Whether a process *pid* exists (on this machine)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # no safe probe here (os.kill would end it): assume it is
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists, as another user's
        pass
    try:  # Linux: a killed process nobody has reaped yet (a zombie) is not running
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


# prctl(2): PR_SET_PDEATHSIG asks the kernel to signal this process when its parent dies.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, poll: float = 0.5) -> None:
    """End this worker process when the process *parent* is gone, even if it was SIGKILLed.

    On Linux the kernel sends the signal the moment the parent dies; elsewhere,
    and as a second line, a thread checks every *poll* seconds, so an idle
    worker does not wait for a task to notice (a killed parent sends none).
    """
    if sys.platform.startswith("linux"):
        import ctypes  # here, not at the top: only a worker needs it, not every command

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # died before the request could be made
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="mlscaffold-parent-watch", daemon=True).start()


# A child process asked to end (SIGTERM) gets this long before it is killed.
CHILD_GRACE_SECONDS = 3.0


def run_echoing(
    command: list[str], cwd: Path, env: dict[str, str], echo: Callable[[str], None], tail: int
) -> tuple[int, list[str]]:
    """Run *command* in *cwd*, each line of its output to *echo*; return its status, last lines.

    Its output and errors are read together, its input is empty. It runs in a
    session of its own, so that on an interruption (Ctrl-C, a signal) its whole
    process group is ended here before the interruption goes on. Raises
    ``OSError`` when it cannot be started.
    """
    kept: collections.deque[str] = collections.deque(maxlen=tail)
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            text = line.rstrip("\r\n")  # a progress bar's carriage-return updates count as lines
            if text.strip():
                kept.append(text)
                echo(text)
        status = process.wait()
    except BaseException:  # Ctrl-C, a signal: nothing of the command outlives the run
        end_process_group(process)
        raise
    return status, list(kept)


def end_process_group(process: subprocess.Popen[str]) -> None:
    """End *process* and every process of its group: SIGTERM, then SIGKILL after a grace."""
    if os.name != "posix":
        process.kill()
        process.wait()
        return
    for number, wait in ((signal.SIGTERM, CHILD_GRACE_SECONDS), (signal.SIGKILL, None)):
        with contextlib.suppress(OSError):
            os.killpg(process.pid, number)
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(OSError):  # what is left of the group after its leader went: gone too
        os.killpg(process.pid, signal.SIGKILL)


# After an interruption, the students in flight get this long to finish their step.
GRACE_SECONDS = 5.0


def in_threads(
    items: list[T],
    work: Callable[[T], R],
    *,
    jobs: int,
    stop: threading.Event,
    finished: Callable[[T, R], None],
    abandoned: Callable[[T], None],
    grace: float = GRACE_SECONDS,
) -> None:
    """Run ``work(item)`` for each item in up to *jobs* threads; ``finished`` as each ends.

    ``finished`` runs in the calling thread, so it may write a report. On an
    interruption (Ctrl-C, a termination signal, an error of ``finished``) *stop*
    is set, so no item is started any more and *work* can stop between its steps;
    the items in flight get *grace* seconds to finish, then ``abandoned`` is
    called for each still running, and the interruption goes on. The threads are
    daemons: one stuck in a network call cannot hold the process for longer.
    """
    waiting: queue.SimpleQueue[T] = queue.SimpleQueue()
    for item in items:
        waiting.put(item)
    done: queue.SimpleQueue[tuple[T, R | BaseException]] = queue.SimpleQueue()
    running: dict[int, T] = {}
    lock = threading.Lock()

    def worker() -> None:
        while not stop.is_set():
            try:
                item = waiting.get_nowait()
            except queue.Empty:
                return
            with lock:
                running[id(item)] = item
            try:
                result: R | BaseException = work(item)
            except BaseException as exc:  # handed to the calling thread, which raises it
                result = exc
            with lock:
                done.put((item, result))
                del running[id(item)]

    threads = [
        threading.Thread(target=worker, name=f"mlscaffold-worker-{n}", daemon=True)
        for n in range(min(jobs, len(items)))
    ]
    for thread in threads:
        thread.start()
    received = 0
    try:
        while received < len(items):
            try:
                item, result = done.get(timeout=0.1)  # a timeout, so signals get through
            except queue.Empty:
                if not any(thread.is_alive() for thread in threads) and done.empty():
                    return
                continue
            received += 1
            if isinstance(result, BaseException):
                raise result
            finished(item, result)
    except BaseException:
        stop.set()
        deadline = time.monotonic() + grace
        try:
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
        except KeyboardInterrupt:
            pass  # a second Ctrl-C ends the wait, not the record of what is known
        with lock:  # a consistent view: each item is either running or done
            late = list(running.values())
            ended = []
            while not done.empty():
                ended.append(done.get())
        for item, result in ended:
            if not isinstance(result, BaseException):
                finished(item, result)
        for item in late:
            abandoned(item)
        raise


def end_child_processes(command: str = "git") -> None:
    """End the processes named *command* this process started, and all that they started.

    GitPython does not stop the git it runs when Python is interrupted (as
    ``subprocess.run`` would): that git would go on writing into a staging folder
    being removed, or pushing after the run has stopped, and a hook or a signing
    program it started would outlive everything. Linux only (it reads /proc);
    elsewhere nothing is done.
    """
    table = _process_table()
    me = os.getpid()
    roots = [pid for pid, (ppid, name) in table.items() if ppid == me and name == command]
    doomed, frontier = list(roots), list(roots)
    while frontier:
        parents = set(frontier)
        frontier = [pid for pid, (ppid, _) in table.items() if ppid in parents]
        doomed += frontier
    for pid in doomed:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for pid in roots:  # reaped here, so none is left as a zombie
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


def _process_table() -> dict[int, tuple[int, str]]:
    """Map every process that can be seen to its parent pid and command name."""
    table: dict[int, tuple[int, str]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as f:
                    stat = f.read()
            except OSError:  # gone meanwhile
                continue
            name = stat[stat.find("(") + 1 : stat.rfind(")")]
            fields = stat[stat.rfind(")") + 2 :].split()
            if len(fields) > 1 and fields[1].isdigit():
                table[int(entry.name)] = (int(fields[1]), name)
    return table
