"""Numbered progress steps with timings, printed to stderr while long work runs."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Steps:
    """Print ``[2/6] Fitting the model ... 1.9 s`` lines, one per step of a run."""

    def __init__(self, total: int, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()

    @contextmanager
    def step(self, message: str) -> Iterator[None]:
        """Announce a step, run the block, then print how long it took."""
        self.done += 1
        self._print(f"[{self.done}/{self.total}] {message} ...", end="")
        began = time.perf_counter()
        try:
            yield
        except BaseException:
            # End the line, so the error message that follows starts on its own.
            self._print(" failed")
            raise
        self._print(f" {time.perf_counter() - began:.1f} s")

    def note(self, message: str) -> None:
        """Print an indented detail under the current step."""
        self._print(f"      {message}")

    def elapsed(self) -> float:
        """Seconds since the run began."""
        return time.perf_counter() - self.started

    def _print(self, text: str, end: str = "\n") -> None:
        if not self.quiet:
            print(text, end=end, file=self.stream, flush=True)
