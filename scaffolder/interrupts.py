"""Ctrl-C, SIGTERM and SIGHUP all stop a run the same clean way; workers die with their parent.

A CI cancel and ``timeout`` send SIGTERM, a closed terminal sends SIGHUP, and
Python's default for both is to die on the spot, skipping every ``finally``: a
hidden staging folder stays behind and a classroom report misses the last
students. Here they raise ``KeyboardInterrupt`` in the main thread, as Ctrl-C
does, so the same clean-up runs and the command ends with ``Aborted!``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from types import FrameType

TERMINATION_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(KeyboardInterrupt):
    """A termination signal, handled as Ctrl-C is."""


def stop_cleanly_on_termination() -> None:
    """Make SIGTERM and SIGHUP raise ``Stopped`` in the main thread (call it from there)."""
    for number in TERMINATION_SIGNALS:
        signal.signal(number, _stop)


def _stop(number: int, frame: FrameType | None) -> None:
    # A second one while cleaning up ends the process at once, as the user asked.
    signal.signal(number, signal.SIG_DFL)
    raise Stopped(signal.Signals(number).name)


# prctl(2): PR_SET_PDEATHSIG asks the kernel to signal this process when its parent dies.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, poll: float = 0.5) -> None:
    """End this worker process when the process *parent* is gone, even if it was SIGKILLed.

    On Linux the kernel sends the signal the moment the parent dies; elsewhere,
    and as a second line, a thread checks every *poll* seconds, so an idle
    worker does not wait for a task to notice (a killed parent sends none).
    """
    if sys.platform.startswith("linux"):
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
