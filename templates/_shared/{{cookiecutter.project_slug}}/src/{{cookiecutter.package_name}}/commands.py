"""What the project's command line shares: running a subcommand, and argument types."""

from __future__ import annotations

import argparse
import os
import sys

from .report import MarkersMissing
from .threads import pin_threads


def run(parser: argparse.ArgumentParser, argv: list[str] | None, failures: tuple) -> int:
    """Parse *argv* and run the chosen subcommand; an expected failure becomes one line.

    Each subcommand's ``run(args, parser)`` returns the exit status; it gets its
    own subcommand's parser, so ``parser.error`` shows that subcommand's usage.
    The *failures* (bad data, a missing model) and a README whose markers are
    gone print ``error: ...`` and exit 1. Bad usage exits 2 through argparse.
    """
    args = parser.parse_args(argv)
    pin_threads()  # before any data or model is loaded: the same numbers on every machine
    try:
        return args.run(args, _chosen_subparser(parser, args))
    except (*failures, MarkersMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error worth a traceback. Point
        # stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _chosen_subparser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    # argparse keeps no record of which subparser parsed the arguments; each
    # subcommand sets its own ``run`` default, which identifies it.
    for action in parser._actions:  # noqa: SLF001  (argparse offers no public way)
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for subparser in action.choices.values():
                if subparser.get_default("run") is args.run:
                    return subparser
    return parser


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        # Without this, argparse would say "invalid positive_int value", naming this function.
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
