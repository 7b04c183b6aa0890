"""The command line: every option explained, bad values refused in one line, never a traceback."""

import argparse

import pytest

from {{ cookiecutter.package_name }}.__main__ import _parser, main
from {{ cookiecutter.package_name }}.data import load


def _subcommands():
    parser = _parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices


@pytest.mark.parametrize("name", ["train", "predict", "sample"])
def test_help_explains_every_option_without_stray_percent_signs(name, capsys):
    with pytest.raises(SystemExit) as stop:
        main([name, "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert "%%" not in text  # argparse only %-formats help=, not description=
    for action in _subcommands()[name]._actions:
        assert action.help, f"{name} {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--seed", "-1"], "must be between 0 and 4294967295"),
        (["train", "--seed", str(2**32)], "must be between 0 and 4294967295"),
        (["train", "--repeats", "0"], "must be at least 1"),
        (["train", "--repeats", "21"], "must be at most 20"),
        (["sample", "--seed", "-5"], "must be between 0 and 4294967295"),
        (["sample", "-n", "0"], "must be at least 1"),
    ],
)
def test_bad_values_give_one_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


def test_sample_says_how_many_it_wrote(tmp_path, capsys):
    out = tmp_path / "all.csv"
    assert main(["sample", "-n", "1000", "-o", str(out)]) == 0
    assert "Wrote 569 cases" in capsys.readouterr().out  # the whole set, not 1000


def test_predict_refuses_a_file_that_is_not_a_model(tmp_path, capsys):
    cases = tmp_path / "cases.csv"
    load().head(3).to_csv(cases, index=False)
    fake = tmp_path / "model.joblib"
    fake.write_text("a,b\n1,2\n")
    assert main(["predict", str(cases), "--model", str(fake)]) == 1
    assert "is not a model written by `train`" in capsys.readouterr().err
    assert main(["predict", str(tmp_path)]) == 1
    assert "is not a file" in capsys.readouterr().err
