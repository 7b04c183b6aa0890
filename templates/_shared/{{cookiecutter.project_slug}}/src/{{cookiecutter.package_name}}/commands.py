"""What the project's command line shares: running a subcommand, and argument types."""

from __future__ import annotations

import argparse
import sys

from .threads import pin_threads


def run(parser: argparse.ArgumentParser, argv: list[str] | None, failures: tuple) -> int:
    """Parse *argv* and run the chosen subcommand; an expected failure becomes one line.

    Each subcommand's ``run(args, parser)`` returns the exit status; the *failures*
    (bad data, a missing model) print ``error: ...`` and exit 1. Bad usage exits 2
    through argparse.
    """
    args = parser.parse_args(argv)
    pin_threads()  # before any data or model is loaded: the same numbers on every machine
    try:
        return args.run(args, parser)
    except failures as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
