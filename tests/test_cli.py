"""The command surface: version, help on every command, list, completion."""

import json

import click
import pytest

from scaffolder import __version__
from scaffolder.catalog import templates_root
from scaffolder.cli import cli

BUNDLED = ["fraud-detection", "image-recognition", "medical-diagnosis", "recommender"]


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"mlscaffold, version {__version__}"


def _commands(group: click.Group, prefix=()):
    yield prefix
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("path", list(_commands(cli)), ids=lambda p: " ".join(p) or "mlscaffold")
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_help(invoke, path, flag):
    result = invoke(*path, flag)
    assert result.exit_code == 0
    assert result.output.startswith("Usage: mlscaffold")
    command = cli
    for name in path:
        command = command.commands[name]
    summary = " ".join(command.help.split("\n\n")[0].split())
    assert summary and summary in " ".join(result.output.split())


def test_list_reads_each_template_from_its_own_files(invoke):
    result = invoke("list")
    assert result.exit_code == 0
    for name in BUNDLED:
        meta = json.loads((templates_root() / name / "cookiecutter.json").read_text())[
            "_mlscaffold"
        ]
        assert name in result.output
        for field in ("summary", "dataset", "model", "training_time"):
            assert meta[field] in result.output


def test_list_json(invoke):
    rows = json.loads(invoke("list", "--json").output)
    assert [row["name"] for row in rows] == BUNDLED
    assert all(row["version"] and row["training_time"] for row in rows)


def test_shell_completion_offers_templates(runner):
    result = runner.invoke(
        cli,
        [],
        prog_name="mlscaffold",
        env={
            "_MLSCAFFOLD_COMPLETE": "bash_complete",
            "COMP_WORDS": "mlscaffold new fr",
            "COMP_CWORD": "2",
        },
    )
    assert result.exit_code == 0
    assert "fraud-detection" in result.output


def test_no_command_prints_usage(invoke):
    result = invoke()
    assert "Commands:" in result.output and "new" in result.output and "list" in result.output
