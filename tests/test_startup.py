"""What `mlscaffold new` costs around rendering: the modules it imports, the gits it runs."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from conftest import AUTHOR, git


def test_new_imports_neither_cookiecutters_cli_nor_its_http(tmp_path):
    """rich, requests and cookiecutter's CLI are not on new's path: only its generation code."""
    script = (
        "import sys\n"
        "from scaffolder.cli import main\n"
        f"sys.argv = ['mlscaffold', 'new', 'fraud-detection', '-o', {str(tmp_path)!r}, "
        f"'--no-input', *{AUTHOR!r}]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    heavy = ('rich', 'requests', 'cookiecutter.main')\n"
        "    print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert git(tmp_path / "fraud-detection", "rev-list", "--count", "HEAD") == "1"


def test_new_runs_git_once_per_step_with_hooks_and_excludes_off(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    real = subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip()
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {shlex.quote(str(log))}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    command = [sys.executable, "-m", "scaffolder", "new", "fraud-detection", "-o", str(tmp_path)]
    done = subprocess.run(
        [*command, "--no-input", *AUTHOR], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    # GitPython checks the git it finds (`git version`) when it is imported.
    calls = [c for c in log.read_text().splitlines() if c != "version"]
    verbs = [next(a for a in c.split() if not a.startswith("-") and "=" not in a) for c in calls]
    assert verbs == ["init", "add", "commit", "rev-parse", "ls-files"], calls
    for call in calls[1:3]:  # add and commit: no hook of the user's, no global excludes
        assert "/.git/mlscaffold-no-hooks" in call and "/.git/mlscaffold-no-excludes" in call
    assert "--no-verify" in calls[2]
