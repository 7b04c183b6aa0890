"""On a terminal, without --no-input, `new` asks for each variable (cookiecutter's prompts)."""

import sys

import pytest
from conftest import git
from terminal import converse

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def test_prompts_on_a_terminal(tmp_path):
    answers = [
        "Prompted Project",
        "",
        "",
        "",
        "Katherine Johnson",
        "kj@example.com",
        "kj",
        "2",
        "7",
    ]
    script = [(f"[{number}/9]", answer) for number, answer in enumerate(answers, 1)]
    code, screen, left = converse(["new", "fraud-detection"], script, tmp_path)
    assert code == 0 and left == [], screen
    assert "[1/9] Project name (Fraud Detection)" in screen
    assert "(prompted-project)" in screen  # the slug's default follows the name typed
    project = tmp_path / "prompted-project"
    assert git(project, "log", "-1", "--format=%an <%ae>") == "Katherine Johnson <kj@example.com>"
    assert (project / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert "SEED = 7" in (project / "src" / "prompted_project" / "__init__.py").read_text()


def test_options_are_offered_as_defaults(tmp_path):
    script = [(f"[{number}/9]", "") for number in range(1, 10)]
    args = ["new", "fraud-detection", "Given Name", "--author", "Ada Lovelace"]
    code, screen, left = converse(args, script, tmp_path)
    assert code == 0 and left == [], screen
    assert "Project name (Given Name)" in screen and "Your name (Ada Lovelace)" in screen
    assert (tmp_path / "given-name" / ".git").is_dir()


def test_a_bad_answer_is_asked_again_and_the_others_are_kept(tmp_path):
    script = [
        ("[1/9]", "class"),
        ("'class' is a Python keyword", "Radar {{ 7*7 }}"),
        ("[2/9]", ""),
        ("[3/9]", ""),
        ("[4/9]", "{% include 'nope' %} {{ cycler.__init__ }}"),
        ("[5/9]", "Katherine <KJ>"),
        ("holds '<' or '>'", "Katherine Johnson"),
        ("[6/9]", "not-an-email"),
        ("is not an email address", "kj@example.com"),
        ("[7/9]", "kj"),
        ("[8/9]", "2"),
        ("[9/9]", "seven"),
        ("must be a whole number", "7"),
    ]
    code, screen, left = converse(["new", "fraud-detection"], script, tmp_path)
    assert code == 0 and left == [], screen
    assert "(radar-7-7)" in screen  # the slug offered is derived from the name, taken literally
    project = tmp_path / "radar-7-7"
    assert git(project, "log", "-1", "--format=%an <%ae>") == "Katherine Johnson <kj@example.com>"
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "# Radar {{ 7*7 }}" in readme
    assert "{% include 'nope' %} {{ cycler.__init__ }}" in readme  # data, not a template
    assert (project / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert "SEED = 7" in (project / "src" / "radar_7_7" / "__init__.py").read_text()


def test_a_name_the_project_depends_on_is_asked_again(tmp_path):
    script = [
        ("[1/9]", "Scikit_Learn"),
        ("is the name of one of its own dependencies (scikit-learn)", "Fraud Radar"),
        ("[2/9]", "pytest"),
        ("is the name of one of its own development tools (pytest)", ""),
        *[(f"[{number}/9]", "") for number in range(3, 10)],
    ]
    code, screen, left = converse(["new", "fraud-detection"], script, tmp_path)
    assert code == 0 and left == [], screen
    assert (tmp_path / "fraud-radar" / "src" / "fraud_radar").is_dir()


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_end_of_input_at_a_prompt_writes_nothing(tmp_path, key):
    code, screen, left = converse(
        ["new", "fraud-detection"], [("[1/9]", "Alpha"), ("[2/9]", key)], tmp_path
    )
    assert code == 1 and left == [], screen
    assert screen.rstrip().endswith("Aborted!") and "Traceback" not in screen
    assert list(tmp_path.iterdir()) == []
