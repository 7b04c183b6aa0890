"""`mlscaffold update` and `MLSCAFFOLD_TEMPLATES`: real templates, real repositories, git's merge.

A small template of the tests' own ("mini") at version A in one folder and a
changed copy at version B in another, chosen through MLSCAFFOLD_TEMPLATES; a
project generated from A gets the user's commits (edits, a deleted file, a
file of their own, trained results in the README and model card), then is
updated to B. One more test updates a project of today's `new` from a bundled
template against a changed copy of that template.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AUTHOR, REPO_ROOT, git, tree

from scaffolder.catalog import get_template
from scaffolder.update import INITIAL_COMMIT_SUBJECT, UpdateRequest, update_project

WHO = ["--author", "Ada Lovelace", "--email", "ada@example.com"]
RESULTS = "| model | PR-AUC 0.93 |\n| baseline | PR-AUC 0.41 |"
EVALUATION = "PR-AUC 0.93 on the test split."

COOKIECUTTER = {
    "project_name": "Mini Model",
    "project_slug": "{{ cookiecutter.project_name | slugify }}",
    "package_name": "{{ cookiecutter.project_slug | replace('-', '_') }}",
    "description": "A small model.",
    "author_name": "Your Name",
    "author_email": "you@example.com",
    "license": ["MIT", "none"],
    "_mlscaffold": {"version": "1.0.0", "summary": "A template of the tests' own."},
}
P = "{{cookiecutter.project_slug}}"
PKG = f"{P}/src/{{{{cookiecutter.package_name}}}}"
VERSION_A = {
    f"{P}/README.md": """# {{ cookiecutter.project_name }}

{{ cookiecutter.description }}

## Why it matters

Line one of why.
Line two of why.
Line three of why.

## Results

<!-- results:start -->
_Run `python -m {{ cookiecutter.package_name }} train` to fill this in._
<!-- results:end -->

## How to run

    pip install -e .
    python -m {{ cookiecutter.package_name }} train

## Ideas to extend it

- one
- two
""",
    f"{P}/MODEL_CARD.md": """# Model card: {{ cookiecutter.project_name }}

## Intended use

Teaching.

## Evaluation

<!-- evaluation:start -->
_Not trained yet._
<!-- evaluation:end -->

## Limitations

Small data.
""",
    f"{PKG}/__init__.py": '"""The {{ cookiecutter.project_name }} package."""\n\nSEED = 42\n',
    f"{PKG}/model.py": '''"""The model of {{ cookiecutter.project_name }}."""

from {{ cookiecutter.package_name }} import SEED


def fit(rows):
    """Fit the model."""
    total = sum(rows)
    count = len(rows)
    return total / count if count else 0.0


def predict(model, row):
    """Predict one row."""
    return model * row + SEED * 0
''',
    f"{P}/config.toml": "[train]\nepochs = 10\nlearning_rate = 0.1\nbatch_size = 32\nseed = 42\n",
    f"{P}/obsolete.txt": "An old file that version 1.1.0 of the template drops.\n",
    f"{P}/Makefile": "train:\n\tpython -m {{ cookiecutter.package_name }} train\n",
    f"{P}/.gitignore": "models/\n__pycache__/\n",
}
# Version B: a README line, a new file, a removed file, a setting, a docstring, the model card.
CHANGES_B = [
    (f"{P}/README.md", "Line two of why.", "Line two of why, better said."),
    (f"{P}/config.toml", "epochs = 10", "epochs = 20"),
    (f"{PKG}/model.py", '"""Predict one row."""', '"""Predict the target of one row."""'),
    (f"{P}/MODEL_CARD.md", "Small data.", "Small data; see the README."),
    # The placeholders of the blocks training writes get new wording.
    (f"{P}/README.md", "_Run `python -m", "_No results yet: run `python -m"),
    (f"{P}/MODEL_CARD.md", "_Not trained yet._", "_No evaluation yet._"),
]
ADDED_B = {f"{P}/CONTRIBUTING.md": "# Contributing to {{ cookiecutter.project_name }}\n"}


def write_template(
    folder: Path,
    version: str,
    changes: list[tuple[str, str, str]] | None = None,
    added: dict[str, str] | None = None,
    removed: tuple[str, ...] = (),
    base: dict[str, str] | None = None,
    more_context: dict[str, object] | None = None,
) -> dict[str, str]:
    """Write the mini template at *version* into *folder*/mini; return its files."""
    files = dict(base or VERSION_A)
    for name, old, new in changes or []:
        assert old in files[name], (name, old)
        files[name] = files[name].replace(old, new)
    files.update(added or {})
    for name in removed:
        del files[name]
    root = folder / "mini"
    shutil.rmtree(root, ignore_errors=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "hooks").mkdir()
    # The bundled templates' answer checks, so hostile answers meet the same rules as in `new`.
    shutil.copy(REPO_ROOT / "templates/_shared/hooks/pre_gen_project.py", root / "hooks")
    context = json.loads(json.dumps(COOKIECUTTER))
    context["_mlscaffold"]["version"] = version
    context.update(more_context or {})
    (root / "cookiecutter.json").write_text(json.dumps(context, indent=2))
    return files


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """Template folders: version A (chosen now) and B (1.1.0), picked by MLSCAFFOLD_TEMPLATES."""
    a, b = tmp_path / "templates-a", tmp_path / "templates-b"
    write_template(a, "1.0.0")
    write_template(b, "1.1.0", CHANGES_B, ADDED_B, removed=(f"{P}/obsolete.txt",))
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(a))
    return a, b


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(
        project, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-qm", message
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


@pytest.fixture
def generated(invoke, tmp_path, templates) -> Path:
    """A project generated from version A of mini, committed by mlscaffold."""
    result = invoke("new", "mini", "-o", str(tmp_path / "work"), "--no-input", *WHO)
    assert result.exit_code == 0, result.output
    return tmp_path / "work" / "mini-model"


@pytest.fixture
def worked_on(generated) -> Path:
    """The project after its user's commits: edits, a deletion, a file of theirs, a training run."""
    project = generated
    edit(project / "README.md", "- two\n", "- two, which I did\n")
    edit(project / "README.md", "_Run `python -m mini_model train` to fill this in._", RESULTS)
    edit(project / "MODEL_CARD.md", "_Not trained yet._", EVALUATION)
    edit(project / "config.toml", "batch_size = 32", "batch_size = 64")
    edit(project / "src/mini_model/model.py", "total = sum(rows)", "total = float(sum(rows))")
    (project / "Makefile").unlink()
    (project / "NOTES.md").write_text("My notes.\n")
    commit_all(project, "My work")
    return project


def rewrite_line_two(project: Path) -> None:
    """Commit the user's own wording of the README line that version B changes too."""
    edit(project / "README.md", "Line two of why.", "Line two, in my words.")
    commit_all(project, "My words")


def to_b(monkeypatch, templates) -> None:
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(templates[1]))


def state(project: Path) -> tuple[str, str, dict[str, bytes], str]:
    """Everything an update that changes nothing must leave as it was."""
    refs = git(project, "for-each-ref", "--format=%(refname) %(objectname)")
    return git(project, "rev-parse", "HEAD"), refs, tree(project), git(project, "status", "-z")


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, output
    return lines[0]


# --- templates of one's own -------------------------------------------------------------------


def test_a_template_of_ones_own_is_listed_and_generated(invoke, templates, tmp_path):
    listed = invoke("list", "--json")
    rows = {row["name"]: row for row in json.loads(listed.output)}
    assert rows["mini"]["source"] == "MLSCAFFOLD_TEMPLATES"
    assert rows["fraud-detection"]["source"] == "bundled"  # the bundled ones are still there
    assert "mini" in invoke("list").output
    result = invoke("new", "mini", "-o", str(tmp_path / "out"), "--no-input", *WHO)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out/mini-model/.mlscaffold.json").read_text())
    assert record["template_source"] == {
        "kind": "MLSCAFFOLD_TEMPLATES",
        "path": str((templates[0] / "mini").resolve()),
    }
    assert record["template_version"] == "1.0.0"


def test_a_template_of_ones_own_wins_over_a_bundled_one_of_its_name(invoke, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    shutil.copytree(
        REPO_ROOT / "templates/fraud-detection", folder / "fraud-detection", symlinks=False
    )
    marker = folder / "fraud-detection" / "{{cookiecutter.project_slug}}" / "COURSE.md"
    marker.write_text("Course notes for {{ cookiecutter.project_name }}.\n")
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(folder))
    result = invoke("new", "fraud-detection", "-o", str(tmp_path / "out"), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output
    project = tmp_path / "out/fraud-detection"
    assert (project / "COURSE.md").read_text() == "Course notes for Fraud Detection.\n"
    record = json.loads((project / ".mlscaffold.json").read_text())
    assert record["template_source"]["kind"] == "MLSCAFFOLD_TEMPLATES"
    monkeypatch.delenv("MLSCAFFOLD_TEMPLATES")
    assert get_template("fraud-detection").path.parent.name != "mine"
    bundled = invoke("new", "fraud-detection", "-o", str(tmp_path / "plain"), "--no-input", *AUTHOR)
    assert bundled.exit_code == 0
    record = json.loads((tmp_path / "plain/fraud-detection/.mlscaffold.json").read_text())
    assert record["template_source"] == {"kind": "bundled"}


def test_classroom_uses_the_templates_of_ones_own(invoke, templates, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("github,name,email\nada-l,Ada Lovelace,ada@example.com\n")
    out = tmp_path / "class"
    result = invoke("classroom", "mini", "--roster", str(roster), "-o", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (out / "mini-ada-l" / "src").is_dir()


def test_a_templates_folder_that_is_not_there_is_one_line(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(tmp_path / "nowhere"))
    result = invoke("list")
    assert result.exit_code == 2
    assert one_line_error(result.output) == (
        f"Error: MLSCAFFOLD_TEMPLATES names {tmp_path / 'nowhere'}, which is not a folder"
    )


# --- a clean update -----------------------------------------------------------------------------


def test_a_clean_update_keeps_the_users_work_and_brings_the_templates(
    invoke, worked_on, templates, monkeypatch
):
    project = worked_on
    before = git(project, "rev-parse", "HEAD")
    to_b(monkeypatch, templates)
    result = invoke("update", str(project))
    assert result.exit_code == 0, result.output

    readme = (project / "README.md").read_text()
    assert "Line two of why, better said." in readme  # the template's change
    assert "- two, which I did" in readme  # the user's edit
    assert RESULTS in readme  # the trained results survive
    model_card = (project / "MODEL_CARD.md").read_text()
    assert EVALUATION in model_card and "Small data; see the README." in model_card
    config = (project / "config.toml").read_text()
    assert "epochs = 20" in config and "batch_size = 64" in config
    model = (project / "src/mini_model/model.py").read_text()
    assert "float(sum(rows))" in model and "Predict the target of one row." in model
    assert (project / "CONTRIBUTING.md").read_text() == "# Contributing to Mini Model\n"
    assert not (project / "obsolete.txt").exists()  # removed by the template, never touched
    assert not (project / "Makefile").exists()  # deleted by the user: stays deleted
    assert (project / "NOTES.md").read_text() == "My notes.\n"

    # One merge commit on main: the user's work and the render R, whose parent is the base.
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "branch", "--show-current") == "main"
    parents = git(project, "rev-list", "--parents", "-1", "HEAD").split()[1:]
    assert parents[0] == before and len(parents) == 2
    initial = git(project, "rev-list", "--max-parents=0", "HEAD")
    assert git(project, "rev-parse", f"{parents[1]}^") == initial
    record = json.loads(git(project, "show", "HEAD:.mlscaffold.json"))
    assert record["template_version"] == "1.1.0"
    assert record["template_digest"] == get_template("mini").digest
    assert record["template_source"]["path"] == str((templates[1] / "mini").resolve())

    out = result.output
    assert "Updated mini-model to template mini 1.1.0 (from 1.0.0): merge commit" in out
    assert "  added        CONTRIBUTING.md" in out
    assert "  removed      obsolete.txt" in out
    assert "  updated      config.toml" in out
    assert "kept deleted (you deleted them; the template still has them): Makefile" in out

    # A second run right after it is a no-op.
    head = git(project, "rev-parse", "HEAD")
    again = invoke("update", str(project))
    assert again.exit_code == 0, again.output
    assert "Already up to date" in again.output
    assert git(project, "rev-parse", "HEAD") == head and git(project, "status", "--porcelain") == ""


def test_a_project_untouched_since_it_was_made_fast_forwards(
    invoke, generated, templates, monkeypatch
):
    to_b(monkeypatch, templates)
    result = invoke("update", str(generated), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["outcome"] == "updated" and found["commit"] == found["render_commit"]
    assert git(generated, "rev-parse", "HEAD") == found["commit"]
    assert git(generated, "rev-list", "--count", "HEAD") == "2"
    assert "CONTRIBUTING.md" in found["files"]["added"]
    assert found["files"]["removed"] == ["obsolete.txt"]
    assert git(generated, "status", "--porcelain") == ""
    # Never trained: the blocks training writes get the template's new placeholders.
    assert (
        "_No results yet: run `python -m mini_model train`" in (generated / "README.md").read_text()
    )
    assert "_No evaluation yet._" in (generated / "MODEL_CARD.md").read_text()


def test_an_update_from_a_to_b_to_c_starts_each_time_from_the_last_render(
    invoke, worked_on, templates, monkeypatch, tmp_path
):
    project = worked_on
    to_b(monkeypatch, templates)
    assert invoke("update", str(project)).exit_code == 0
    # The user now rewrites the very line that B changed; C changes something else.
    edit(project / "README.md", "Line two of why, better said.", "Line two, as I rewrote it.")
    commit_all(project, "My words")
    c = tmp_path / "templates-c"
    files_b = write_template(
        tmp_path / "scratch-b", "1.1.0", CHANGES_B, ADDED_B, removed=(f"{P}/obsolete.txt",)
    )
    write_template(
        c, "1.2.0", [(f"{P}/MODEL_CARD.md", "Teaching.", "Teaching, demos.")], base=files_b
    )
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(c))
    result = invoke("update", str(project))
    # From A's render this would conflict on line two; from B's render it is clean.
    assert result.exit_code == 0, result.output
    assert "Line two, as I rewrote it." in (project / "README.md").read_text()
    assert "Teaching, demos." in (project / "MODEL_CARD.md").read_text()
    record = json.loads((project / ".mlscaffold.json").read_text())
    assert record["template_version"] == "1.2.0"
    renders = git(project, "log", "--format=%s", "--grep=Mlscaffold-Render:").splitlines()
    assert renders == [
        "Template mini 1.2.0, rendered by mlscaffold",
        "Template mini 1.1.0, rendered by mlscaffold",
    ]


def test_a_project_of_todays_release_updates_against_a_changed_bundled_template(
    invoke, project, tmp_path, monkeypatch
):
    """`new` as released makes one initial commit; a changed copy of its template updates it."""
    assert git(project, "log", "--format=%s").startswith(INITIAL_COMMIT_SUBJECT)
    edit(project / "README.md", "## ", "## ")  # the user's own commit: a new line at the end
    with (project / "README.md").open("a") as handle:
        handle.write("\nWritten by me.\n")
    commit_all(project, "My line")
    mine = tmp_path / "course"
    shutil.copytree(REPO_ROOT / "templates/fraud-detection", mine / "fraud-detection")
    gitignore = mine / "fraud-detection/{{cookiecutter.project_slug}}/.gitignore"
    gitignore.write_text(gitignore.read_text() + "# the course's addition\n.course/\n")
    meta = json.loads((mine / "fraud-detection/cookiecutter.json").read_text())
    released = meta["_mlscaffold"]["version"]
    meta["_mlscaffold"]["version"] = f"{released}.1"  # a patch on top of the bundled version
    (mine / "fraud-detection/cookiecutter.json").write_text(json.dumps(meta, indent=2))
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(mine))
    result = invoke("update", str(project), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["outcome"] == "updated" and found["from_version"] == released
    assert sorted(found["files"]["updated"]) == [".gitignore", ".mlscaffold.json"]
    assert ".course/" in (project / ".gitignore").read_text()
    assert (project / "README.md").read_text().endswith("Written by me.\n")
    assert git(project, "status", "--porcelain") == ""


def test_facts_added_to_the_record_since_survive_beside_the_new_answers(
    invoke, generated, templates, monkeypatch
):
    """publish adds the links to .mlscaffold.json; the update's record keeps them, merged whole."""
    from scaffolder.record import update_record

    update_record(generated, links="https://github.com/ada/mini-model")  # at the record's end
    commit_all(generated, "Point the links")
    # The new version adds a setting at the end of cookiecutter.json, so the recorded context
    # changes at the very lines where the links were added: line by line, a conflict.
    write_template(templates[1], "1.1.0", CHANGES_B, ADDED_B, more_context={"_new_setting": "on"})
    to_b(monkeypatch, templates)
    result = invoke("update", str(generated), "--set", "description=A model, updated.")
    assert result.exit_code == 0, result.output
    record = json.loads((generated / ".mlscaffold.json").read_text())
    assert record["links"] == "https://github.com/ada/mini-model"
    assert record["context"]["description"] == "A model, updated."
    assert record["template_version"] == "1.1.0" and record["context"]["_new_setting"] == "on"
    assert git(generated, "status", "--porcelain") == ""


def test_a_new_mlscaffold_alone_is_no_update(invoke, generated, monkeypatch):
    """The same template and answers under a newer mlscaffold: nothing to merge, no commit."""
    from scaffolder import record

    monkeypatch.setattr(record, "__version__", "99.0.0")
    head = git(generated, "rev-parse", "HEAD")
    result = invoke("update", str(generated))
    assert result.exit_code == 0 and "Already up to date" in result.output
    assert git(generated, "rev-parse", "HEAD") == head


def test_a_template_of_ones_own_no_longer_found_is_named(invoke, generated, monkeypatch):
    monkeypatch.delenv("MLSCAFFOLD_TEMPLATES")
    result = invoke("update", str(generated))
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert line.startswith("Error: unknown template 'mini'")
    assert "it came from MLSCAFFOLD_TEMPLATES" in line


# --- conflicts ----------------------------------------------------------------------------------


def test_a_conflict_stops_in_gits_merge_state_with_exit_3(
    invoke, generated, templates, monkeypatch
):
    project = generated
    rewrite_line_two(project)
    before = state(project)
    to_b(monkeypatch, templates)
    result = invoke("update", str(project))
    assert result.exit_code == 3, result.output
    assert "  conflicting  README.md" in result.output
    assert "git add <files> && git commit" in result.output and "git merge --abort" in result.output
    assert one_line_error(result.output).startswith(
        "Error: the update stopped on conflicts in README.md;"
    )
    readme = (project / "README.md").read_text()
    assert "<<<<<<<" in readme and "Line two, in my words." in readme
    assert "Line two of why, better said." in readme
    assert git(project, "ls-files", "-u").count("README.md") == 3  # git's own unmerged index
    assert (project / ".git" / "MERGE_HEAD").exists()
    # The rest of the update is staged, as after any git merge.
    assert (project / "CONTRIBUTING.md").exists() and not (project / "obsolete.txt").exists()
    # git merge --abort undoes it all.
    git(project, "merge", "--abort")
    assert state(project) == before


def test_finishing_a_conflicted_update_with_git_commit_records_it(
    invoke, generated, templates, monkeypatch
):
    project = generated
    rewrite_line_two(project)
    to_b(monkeypatch, templates)
    assert invoke("update", str(project), "--json").exit_code == 3
    edit(project / "README.md", (project / "README.md").read_text(), VERSION_A[f"{P}/README.md"])
    text = (
        (project / "README.md").read_text().replace("{{ cookiecutter.project_name }}", "Mini Model")
    )
    (project / "README.md").write_text(text)
    git(project, "add", "README.md")
    git(
        project,
        "-c",
        "user.name=Ada",
        "-c",
        "user.email=ada@example.com",
        "commit",
        "-q",
        "--no-edit",
    )
    assert json.loads((project / ".mlscaffold.json").read_text())["template_version"] == "1.1.0"
    again = invoke("update", str(project))
    assert again.exit_code == 0 and "Already up to date" in again.output


def test_conflicts_in_json_still_exit_3(invoke, generated, templates, monkeypatch):
    edit(generated / "config.toml", "epochs = 10", "epochs = 15")
    commit_all(generated, "More epochs")
    to_b(monkeypatch, templates)
    result = invoke("update", str(generated), "--json")
    assert result.exit_code == 3
    found = json.loads(result.output[: result.output.rindex("}") + 1])
    assert found["outcome"] == "conflicts" and found["files"]["conflicting"] == ["config.toml"]
    assert found["commit"] is None


def test_a_file_the_template_removed_but_the_user_edited_is_a_conflict(
    invoke, generated, templates, monkeypatch
):
    edit(generated / "obsolete.txt", "An old file", "A file I still use")
    commit_all(generated, "Keep it")
    to_b(monkeypatch, templates)
    result = invoke("update", str(generated))
    assert result.exit_code == 3, result.output
    assert "  conflicting  obsolete.txt" in result.output
    assert (generated / "obsolete.txt").read_text().startswith("A file I still use")


# --- refusals: exit 2, one line, nothing changed ------------------------------------------------


def test_refused_outside_a_git_repository(invoke, tmp_path, templates):
    result = invoke("new", "mini", "-o", str(tmp_path / "out"), "--no-input", "--no-git", *WHO)
    assert result.exit_code == 0
    folder = tmp_path / "out/mini-model"
    before = tree(folder)
    result = invoke("update", str(folder))
    assert result.exit_code == 2
    assert one_line_error(result.output) == (
        f"Error: {folder} is not a git repository (was it made with --no-git?)"
    )
    assert tree(folder) == before


def test_refused_without_a_record(invoke, generated):
    git(generated, "rm", "-q", ".mlscaffold.json")
    commit_all(generated, "No record")
    before = state(generated)
    result = invoke("update", str(generated))
    assert result.exit_code == 2
    assert ".mlscaffold.json: it was not generated by mlscaffold" in one_line_error(result.output)
    assert state(generated) == before


def test_refused_with_uncommitted_or_untracked_files_named(
    invoke, generated, templates, monkeypatch
):
    edit(generated / "config.toml", "epochs = 10", "epochs = 11")
    (generated / "scratch.py").write_text("x = 1\n")
    before = state(generated)
    to_b(monkeypatch, templates)
    result = invoke("update", str(generated))
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert "has uncommitted or untracked files (config.toml, scratch.py)" in line
    assert "git stash -u" in line
    assert state(generated) == before


def test_refused_for_an_older_template(invoke, generated, tmp_path, monkeypatch):
    old = tmp_path / "templates-old"
    write_template(old, "0.9")
    monkeypatch.setenv("MLSCAFFOLD_TEMPLATES", str(old))
    before = state(generated)
    result = invoke("update", str(generated))
    assert result.exit_code == 2
    assert one_line_error(result.output) == (
        "Error: template mini is at version 0.9, older than the 1.0.0 this project was "
        "generated from or last updated to; update never goes back"
    )
    assert state(generated) == before


def test_refused_in_a_merge_on_a_detached_head_and_inside_the_repository(
    invoke, generated, templates, monkeypatch
):
    to_b(monkeypatch, templates)
    sha = git(generated, "rev-parse", "HEAD")
    git(generated, "checkout", "-q", "--detach", sha)
    result = invoke("update", str(generated))
    assert result.exit_code == 2 and "has a detached HEAD" in one_line_error(result.output)
    git(generated, "checkout", "-q", "main")
    result = invoke("update", str(generated / "src"))
    assert result.exit_code == 2
    assert "is inside the git repository at" in one_line_error(result.output)
    (generated / ".git" / "MERGE_HEAD").write_text(sha + "\n")
    result = invoke("update", str(generated))
    assert result.exit_code == 2 and "a merge is in progress" in one_line_error(result.output)


def test_refused_when_the_history_holds_no_render_of_mlscaffolds(invoke, tmp_path, templates):
    invoke("new", "mini", "-o", str(tmp_path / "out"), "--no-input", "--no-git", *WHO)
    folder = tmp_path / "out/mini-model"
    git(folder, "init", "-q", "-b", "main")
    commit_all(folder, "My own first commit")
    result = invoke("update", str(folder))
    assert result.exit_code == 2
    assert "holds no commit of mlscaffold's" in one_line_error(result.output)


# --- a dry run ----------------------------------------------------------------------------------


def test_a_dry_run_classifies_every_file_and_changes_nothing(
    invoke, worked_on, templates, monkeypatch
):
    project = worked_on
    rewrite_line_two(project)
    before = state(project)
    objects = git(project, "count-objects", "-v")
    index = (project / ".git/index").read_bytes()
    to_b(monkeypatch, templates)
    result = invoke("update", str(project), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    files = json.loads(result.output)["files"]
    assert json.loads(result.output)["outcome"] == "would-update"
    assert files["added"] == ["CONTRIBUTING.md"]
    assert files["removed"] == ["obsolete.txt"]
    assert files["conflicting"] == ["README.md"]
    assert sorted(files["updated"]) == [
        ".mlscaffold.json",
        "MODEL_CARD.md",
        "config.toml",
        "src/mini_model/model.py",
    ]
    every = [name for group in files.values() for name in group]
    assert len(every) == len(set(every))  # each file in one class
    assert set(every) == set(git(project, "ls-files").splitlines()) | {"CONTRIBUTING.md"}
    assert "NOTES.md" in files["unchanged"]
    assert json.loads(result.output)["kept_deleted"] == ["Makefile"]
    # Nothing changed: not the branch, the refs, the files, the index, the object store.
    assert state(project) == before
    assert git(project, "count-objects", "-v") == objects
    assert (project / ".git/index").read_bytes() == index

    text = invoke("update", str(project), "--dry-run")
    assert text.exit_code == 0
    assert "Would update mini-model to template mini 1.1.0 (from 1.0.0); nothing was changed:" in (
        text.output
    )
    assert "  would conflict  README.md" in text.output
    assert "  unchanged       NOTES.md" in text.output
    assert state(project) == before


def test_a_dry_run_on_a_git_older_than_2_38_says_why_in_one_line(
    invoke, generated, templates, monkeypatch, tmp_path
):
    fake = tmp_path / "old-git"
    real = shutil.which("git")
    old_version = '[ "$a" = version ] && { echo "git version 2.30.2"; exit 0; }'
    fake.write_text(f'#!/bin/sh\nfor a; do {old_version}; done\nexec {real} "$@"\n')
    fake.chmod(0o755)
    import git

    # GitPython reads GIT_PYTHON_GIT_EXECUTABLE once, when it is imported.
    monkeypatch.setattr(git.Git, "GIT_PYTHON_GIT_EXECUTABLE", str(fake))
    to_b(monkeypatch, templates)
    result = invoke("update", str(generated), "--dry-run")
    assert result.exit_code == 1
    assert one_line_error(result.output) == (
        "Error: --dry-run's trial merge (git merge-tree --write-tree) needs git 2.38 or newer; "
        "this is git version 2.30.2"
    )


# --- answers ------------------------------------------------------------------------------------


def test_a_new_project_name_renames_the_package_as_a_merge_rename(invoke, generated, templates):
    project = generated
    edit(project / "src/mini_model/model.py", "total = sum(rows)", "total = float(sum(rows))")
    edit(project / "README.md", "_Run `python -m mini_model train` to fill this in._", RESULTS)
    (project / "src/mini_model/extra.py").write_text('"""A module of my own."""\n')
    commit_all(project, "My work")
    result = invoke("update", str(project), "--set", "project_name=Radar Model")
    assert result.exit_code == 0, result.output
    assert "answers changed: project_name" in result.output
    assert not (project / "src/mini_model").exists()
    model = (project / "src/radar_model/model.py").read_text()
    assert "float(sum(rows))" in model  # the user's edit followed the rename
    assert "from radar_model import SEED" in model  # and the template's own change came in
    assert (project / "src/radar_model/extra.py").read_text() == '"""A module of my own."""\n'
    readme = (project / "README.md").read_text()
    assert readme.startswith("# Radar Model\n") and "python -m radar_model train" in readme
    assert RESULTS in readme  # its placeholder named the old package: the results stay
    assert (
        "Makefile" in git(project, "ls-files")
        and "radar_model" in (project / "Makefile").read_text()
    )
    context = json.loads((project / ".mlscaffold.json").read_text())["context"]
    assert context["project_name"] == "Radar Model" and context["package_name"] == "radar_model"
    assert context["project_slug"] == "radar-model"
    assert git(project, "status", "--porcelain") == ""
    renamed = git(project, "diff", "--name-status", "-M", "HEAD^1", "HEAD")
    assert "R" in renamed and "src/radar_model/model.py" in renamed


def test_an_answer_given_at_generation_stays_given(invoke, tmp_path, templates):
    result = invoke(
        "new", "mini", "-o", str(tmp_path / "o"), "--no-input", *WHO, "--set", "package_name=core"
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "o/mini-model"
    result = invoke("update", str(project), "--set", "project_name=Radar Model")
    assert result.exit_code == 0, result.output
    assert (project / "src/core/model.py").exists()  # not derived: not renamed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{{ 7*7 }}", "Error: the package name '7_7' starts with a digit"),
        ("Radar\nModel", "Error: the project name holds a line break"),
        ("x" * 200_000, "Error: the value for project_name is 200000 characters long"),
    ],
    ids=["jinja", "newline", "200kB"],
)
def test_hostile_answers_are_data_and_refused_in_one_line(
    invoke, worked_on, templates, monkeypatch, value, expected
):
    before = state(worked_on)
    to_b(monkeypatch, templates)
    result = invoke("update", str(worked_on), "--set", f"project_name={value}")
    assert result.exit_code == 2, result.output
    assert one_line_error(result.output).startswith(expected)
    assert len(result.output) < 1000
    assert state(worked_on) == before


def test_an_answer_is_inserted_as_text_never_rendered(invoke, worked_on, templates, monkeypatch):
    to_b(monkeypatch, templates)
    result = invoke("update", str(worked_on), "--set", "description={{ 7*7 }} {% raw %}")
    assert result.exit_code == 0, result.output
    assert "{{ 7*7 }} {% raw %}\n" in (worked_on / "README.md").read_text()


def test_an_unknown_variable_is_refused(invoke, worked_on, templates, monkeypatch):
    to_b(monkeypatch, templates)
    result = invoke("update", str(worked_on), "--set", "colour=blue")
    assert result.exit_code == 2
    assert "unknown variable 'colour' for template mini" in one_line_error(result.output)


# --- interruptions ------------------------------------------------------------------------------


def test_ctrl_c_after_the_merge_put_everything_back(worked_on, templates, monkeypatch):
    """A Ctrl-C once git merge has changed files and index: branch, index and tree as they were."""
    to_b(monkeypatch, templates)
    before = state(worked_on)

    def notify(message: str) -> None:
        if message.startswith("Committing"):
            assert (worked_on / ".git/MERGE_HEAD").exists()
            assert (worked_on / "CONTRIBUTING.md").exists()  # the merge has written its files
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        update_project(UpdateRequest(worked_on), notify=notify)
    assert state(worked_on) == before
    assert not (worked_on / ".git/MERGE_HEAD").exists()


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_during_the_merge_ends_git_and_leaves_the_repository_as_it_was(
    worked_on, templates, monkeypatch, tmp_path, signal_number
):
    """A merge driver that hangs (the user's, in .git/config): the signal ends it, and git."""
    project = worked_on
    started = tmp_path / "driver-started"
    git(project, "config", "merge.slow.driver", f"touch {started}; sleep 60")
    (project / ".git/info").mkdir(exist_ok=True)
    (project / ".git/info/attributes").write_text("README.md merge=slow\n")
    before = state(project)
    to_b(monkeypatch, templates)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaffolder", "update", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        for _ in range(6000):
            if started.exists() or proc.poll() is not None:
                break
            subprocess.run(["sleep", "0.01"])
        assert started.exists(), proc.communicate()
        proc.send_signal(signal_number)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err
    assert err.strip().splitlines()[-1] == "Aborted!"
    assert state(project) == before
    assert not (project / ".git/MERGE_HEAD").exists()
    # The driver's sleep is gone too: the autouse no_process_left check fails otherwise.
