"""The command line: one-line errors for bad values, and help texts that read as written."""

import argparse

import pytest

from {{ cookiecutter.package_name }}.__main__ import _parser, main


def _subparsers(parser):
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices


@pytest.mark.parametrize("command", ["train", "recommend"])
def test_every_option_has_help_and_no_literal_percent(command, capsys):
    parser = _subparsers(_parser())[command]
    for action in parser._actions:
        assert action.help and action.help != argparse.SUPPRESS, action.dest
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "%%" not in capsys.readouterr().out  # argparse leaves description= as written


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--seed", "-1"],
        ["train", "--seed", "4294967296"],
        ["train", "--l2", "0"],
        ["train", "--l2", "nan"],
        ["train", "--l2", "-5", "100"],
        ["recommend", "--user", "1", "-k", "0"],
        ["recommend", "--user", "0"],
        ["recommend", "--user", "abc"],
    ],
)
def test_bad_values_are_one_line_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error: argument" in err.strip().splitlines()[-1]
