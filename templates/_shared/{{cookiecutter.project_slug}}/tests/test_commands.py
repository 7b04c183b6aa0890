"""The command line's shared parts: one-line errors, the subcommand's own usage, progress lines."""

import argparse
import io
import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}.commands import positive_int, run
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.report import MarkersMissing


def _parser(action) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tool")
    commands = parser.add_subparsers(title="commands", required=True)
    train = commands.add_parser("train")
    train.add_argument("--rows", type=positive_int, default=1)
    train.set_defaults(run=action)
    other = commands.add_parser("other")
    other.set_defaults(run=lambda args, parser: 0)
    return parser


def test_a_subcommand_reports_bad_usage_with_its_own_usage_line(capsys):
    def train(args, parser):
        parser.error("--rows is too large here")

    with pytest.raises(SystemExit) as stop:
        run(_parser(train), ["train"], ())
    assert stop.value.code == 2
    assert "usage: tool train" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["abc", "1.5", ""])
def test_a_count_that_is_not_a_number_is_named_plainly(capsys, text):
    with pytest.raises(SystemExit):
        run(_parser(lambda args, parser: 0), ["train", "--rows", text], ())
    error = capsys.readouterr().err
    assert "is not a whole number" in error
    assert "positive_int" not in error


def test_a_readme_without_its_markers_is_one_line_and_exit_1(capsys):
    def train(args, parser):
        raise MarkersMissing("README.md: the markers are missing; put them back to update it")

    assert run(_parser(train), ["train"], ()) == 1
    assert capsys.readouterr().err == (
        "error: README.md: the markers are missing; put them back to update it\n"
    )


def test_output_into_a_closed_pipe_ends_quietly():
    # `tool ... | head -1` closes the pipe early: no BrokenPipeError traceback.
    script = (
        "import argparse, sys\n"
        "from {{ cookiecutter.package_name }}.commands import run\n"
        "def talk(args, parser):\n"
        "    for i in range(200000):\n"
        "        print('line', i)\n"
        "    return 0\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_subparsers(required=True).add_parser('talk').set_defaults(run=talk)\n"
        "sys.exit(run(parser, ['talk'], ()))\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as child:
        child.stdout.readline()
        child.stdout.close()  # the reader goes away
        error = child.stderr.read().decode()
        child.wait(timeout=60)
    assert "Traceback" not in error
    assert child.returncode == 1


def test_a_failing_step_ends_its_line_before_the_error():
    stream = io.StringIO()
    steps = Steps(2, stream=stream)
    with pytest.raises(RuntimeError), steps.step("Loading"):
        raise RuntimeError("bad data")
    assert stream.getvalue() == "[1/2] Loading ... failed\n"
