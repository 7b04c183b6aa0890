"""What the project's command line shares: running a subcommand, argument types, CSV output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run(parser: argparse.ArgumentParser, argv: list[str] | None, failures: tuple) -> int:
    """Parse *argv* and run the chosen subcommand; an expected failure becomes one line.

    Each subcommand's ``run(args, parser)`` returns the exit status; the *failures*
    (bad data, a missing model) print ``error: ...`` and exit 1. Bad usage exits 2
    through argparse.
    """
    args = parser.parse_args(argv)
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


def write_csv(frame, output: Path | None) -> str:
    """Write *frame* (its index as ``row``) to *output*, or to stdout; say where it went."""
    if output is None:
        frame.to_csv(sys.stdout, index_label="row")
        return "above"
    output.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(output, index_label="row")
    return f"written to {output}"
