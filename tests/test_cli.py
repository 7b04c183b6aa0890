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


# What each command's help says first: written here, not read from the command, so a
# docstring lost or swapped in a move shows up.
SUMMARIES = {
    (): "Generate machine-learning portfolio projects that work the moment they exist.",
    ("list",): "List the templates: the problem each solves, its data, its model, its "
    "training time.",
    ("new",): "Generate a project from SOURCE, named NAME (default: the template's name).",
    ("publish",): "Create a GitHub repository for DIRECTORY (default: here), set origin, and "
    "push main.",
    ("classroom",): "Make one personalised starter repository per student in ROSTER, from SOURCE.",
    ("classroom", "sync"): "Bring the template's current version to every student as one pull "
    "request.",
    ("classroom", "collect"): "Clone every student's repository, at the head of its default "
    "branch or at a moment.",
    ("update",): "Bring DIRECTORY (default: here) up to its template's current version, with "
    "git's merge.",
    ("check",): "Say whether the repository DIRECTORY (default: here) is ready to show: one line "
    "a check.",
}


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def test_every_command_has_a_summary_written_here():
    assert set(SUMMARIES) == set(_commands(cli))


@pytest.mark.parametrize("path", list(_commands(cli)), ids=lambda p: " ".join(p) or "mlscaffold")
def test_every_command_has_help(invoke, path):
    """The help opens with the command's summary, names its arguments, explains every option."""
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert invoke(*path, "-h").output == result.output
    usage, _, rest = result.output.partition("\n")
    assert usage.startswith(" ".join(("Usage: mlscaffold", *path)))
    description, _, options = rest.partition("\nOptions:\n")
    assert " ".join(description.split()).startswith(SUMMARIES[path]), description
    command = _command(path)
    for param in command.params:
        if isinstance(param, click.Argument):
            assert param.human_readable_name in description, param.name
        elif isinstance(param, click.Option) and not param.hidden:
            assert param.help and param.help.strip(), f"{param.name} has no help"
            for flag in (*param.opts, *param.secondary_opts):
                assert flag in options, flag
    if isinstance(command, click.Group):  # each command listed with its summary's start
        listed = " ".join(options.partition("Commands:")[2].split())
        for name in command.commands:
            start = " ".join(SUMMARIES[(*path, name)].split()[:3])
            assert f"{name} {start}" in listed, name


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
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
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


def test_classroom_is_both_the_day_one_command_and_a_group(invoke):
    """`classroom TEMPLATE` is the command it always was; sync and collect are its commands."""
    group = invoke("classroom", "--help")
    assert group.exit_code == 0 and "classroom SOURCE [OPTIONS] | COMMAND" in group.output
    day_one = invoke("classroom", "fraud-detection", "--help")
    assert day_one.exit_code == 0
    assert day_one.output.startswith("Usage: mlscaffold classroom [OPTIONS] SOURCE")
    for flag in ("--roster", "--prefix", "--publish", "--org", "--jobs", "--set"):
        assert flag in day_one.output
    assert invoke("classroom", "-h", "fraud-detection").output == day_one.output
    missing = invoke("classroom")
    assert missing.exit_code == 2 and "Missing argument 'SOURCE'" in missing.output
    no_roster = invoke("classroom", "fraud-detection")
    assert no_roster.exit_code == 2 and "Missing option '--roster'" in no_roster.output
    sync = invoke("classroom", "sync", "--roster", "r.csv")
    assert sync.exit_code == 2 and "Missing option '--prefix'" in sync.output


def test_no_command_prints_usage(invoke):
    result = invoke()
    assert result.exit_code == 2  # no command is a usage error, as click has it
    assert result.output.startswith("Usage: mlscaffold")
    assert "Commands:" in result.output and "new" in result.output and "list" in result.output
