"""mlscaffold run on a pseudo-terminal of its own, as a person at a terminal runs it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from pathlib import Path


def _own_terminal() -> None:
    # In the child: a session of its own, with the pseudo-terminal as its controlling
    # terminal, so that typing Ctrl-C sends SIGINT and git's /dev/tty is this terminal.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def converse(
    args: list[str],
    script: list[tuple[str, str]],
    cwd: Path,
    timeout: float = 60,
    env: Mapping[str, str] | None = None,
) -> tuple[int, str, list[tuple[str, str]]]:
    """Run mlscaffold on a pseudo-terminal, answering each prompt only once its text appears.

    *script* is a list of (text to wait for, answer to type); the text must appear
    after the previous answer, so a question asked again is told apart from the first.
    An answer of Ctrl-C or Ctrl-D is typed as that key alone. *env* is added to the
    environment. Returns the exit status, the screen, and the script's unanswered rest.
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaffolder", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        close_fds=True,
        env={**os.environ, "TERM": "dumb", "COLUMNS": "200", **(env or {})},
        preexec_fn=_own_terminal,
    )
    os.close(slave)
    screen, pending, answered_at = b"", list(script), 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                screen += os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
        elif proc.poll() is not None:
            break
        asked = pending and screen.find(pending[0][0].encode(), answered_at) >= 0
        if asked and screen.rstrip().endswith((b":", b")")):  # the prompt is waiting
            answered_at = len(screen)
            answer = pending.pop(0)[1]
            os.write(master, answer.encode() + (b"" if answer in ("\x03", "\x04") else b"\r"))
    os.close(master)
    return proc.wait(timeout=10), screen.decode(errors="replace"), pending
