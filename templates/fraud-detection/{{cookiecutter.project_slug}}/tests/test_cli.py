"""The command line: every option is explained, bad values are one line and exit 2."""

import argparse

import pytest

from {{ cookiecutter.package_name }}.__main__ import _parser, main
from {{ cookiecutter.package_name }}.data import FEATURES, make_synthetic


def subcommands():
    parser = _parser()
    (choices,) = (a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, choices


def test_every_option_has_a_help_text_and_no_stray_percent():
    parser, commands = subcommands()
    assert "%%" not in parser.format_help()
    for name, command in commands.items():
        text = command.format_help()
        assert "%%" not in text, name
        for action in command._actions:
            assert action.help, f"{name} {action.dest} has no help"


@pytest.mark.parametrize(
    "argv",
    [
        ["sample", "--fraud-rate", "2"],
        ["sample", "--fraud-rate", "-1"],
        ["sample", "--fraud-rate", "0"],
        ["sample", "--fraud-rate", "1"],
        ["sample", "--fraud-rate", "nan"],
        ["sample", "--fraud-rate", "a lot"],
        ["sample", "-n", "0"],
        ["sample", "-n", "1e9"],
        ["sample", "--seed", "-1"],
        ["train", "--rows", "999"],
        ["train", "--rows", "284808"],
        ["train", "--seed", "-1"],
        ["train", "--seed", str(2**32)],
        ["train", "--data-url", "creditcard.csv"],
    ],
)
def test_a_bad_value_is_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument {argv[1]}" in err and "Traceback" not in err


def test_sample_writes_the_share_of_frauds_asked_for(tmp_path, capsys):
    out = tmp_path / "sample.csv"
    assert main(["sample", "-n", "200", "--fraud-rate", "0.25", "-o", str(out)]) == 0
    assert "200 synthetic transactions, 50 of them frauds" in capsys.readouterr().out


@pytest.mark.parametrize("content", ["", "Time,Amount\n", ",".join(FEATURES) + "\n"])
def test_an_empty_or_header_only_csv_fails_cleanly(tmp_path, trained_project, capsys, content):
    folder, _ = trained_project
    csv = tmp_path / "new.csv"
    csv.write_text(content)
    model = str(folder / "models" / "model.joblib")
    assert main(["predict", str(csv), "--model", model]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_a_file_that_is_not_a_model_fails_cleanly(tmp_path, capsys):
    csv = tmp_path / "new.csv"
    make_synthetic(10, 1, seed=0)[FEATURES].to_csv(csv, index=False)
    assert main(["predict", str(csv), "--model", str(csv)]) == 1
    assert "is not a model saved by `train`" in capsys.readouterr().err


def test_an_output_that_is_a_folder_fails_cleanly(tmp_path, trained_project, capsys):
    folder, _ = trained_project
    csv = tmp_path / "new.csv"
    make_synthetic(10, 1, seed=0)[FEATURES].to_csv(csv, index=False)
    model = str(folder / "models" / "model.joblib")
    assert main(["predict", str(csv), "--model", model, "-o", str(tmp_path)]) == 1
    assert main(["sample", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("error: ") == 2 and "Traceback" not in err
