"""End to end, as a new user: build the wheel, install it, generate, install the project, and
run its linters, its validators, its own tests and its training; then check the quality floors.

Slow (a fresh virtual environment per project); marked ``e2e``. The generated
project runs with every proxy pointed at a closed port, so any attempt to reach
the network fails instead of passing by luck.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import AUTHOR, REPO_ROOT

from scaffolder.catalog import get_template

pytestmark = pytest.mark.e2e

# Per template: the metric on which the model must beat its baseline, and the
# quality floors on the default data (from the issues and the reference file).
FLOORS = {
    "fraud-detection": ("pr_auc", {"pr_auc": (">=", 0.75)}),
    "image-recognition": ("accuracy", {"accuracy": (">=", 0.97)}),
    "medical-diagnosis": (
        "cv_roc_auc_mean",
        {
            "cv_roc_auc_mean": (">=", 0.98),
            "accuracy": (">=", 0.95),
            "recall": (">=", 0.92),
            "brier": ("<=", 0.04),
        },
    ),
    "recommender": ("ndcg@10", {"ndcg@10": (">=", 0.40), "ndcg@10 vs baseline": ("x>=", 1.5)}),
}
OFFLINE = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
TOOLS = Path(sys.executable).parent  # ruff, actionlint and check-jsonschema from the dev extra


def run(args, cwd=None, env=None, timeout=900) -> subprocess.CompletedProcess:
    """Run a command; fail the test with its output if it fails."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def new_venv(folder: Path) -> Path:
    """A fresh virtual environment; returns its bin/Scripts folder."""
    venv.EnvBuilder(with_pip=True).create(folder)
    return folder / ("Scripts" if os.name == "nt" else "bin")


@pytest.fixture(scope="session")
def installed_mlscaffold(tmp_path_factory) -> Path:
    """mlscaffold installed from its built wheel into a fresh environment; returns the bin dir."""
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO_ROOT])
    (wheel,) = dist.glob("mlscaffold_portfolio-*.whl")
    bin_dir = new_venv(tmp_path_factory.mktemp("tool") / "venv")
    run([bin_dir / "python", "-m", "pip", "install", "-q", wheel])
    return bin_dir


def test_installed_wheel_lists_its_templates(installed_mlscaffold, tmp_path):
    version = run([installed_mlscaffold / "mlscaffold", "--version"]).stdout
    assert "mlscaffold, version" in version
    listed = json.loads(run([installed_mlscaffold / "mlscaffold", "list", "--json"]).stdout)
    assert {row["name"] for row in listed} >= set(FLOORS)
    where = run(
        [
            installed_mlscaffold / "python",
            "-c",
            "from scaffolder.catalog import templates_root; print(templates_root())",
        ],
        cwd=tmp_path,
    ).stdout  # not the checkout's folder, whose scaffolder/ would win
    assert "site-packages" in where  # found inside the installed package, not the checkout


def text_files(project: Path):
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.suffix != ".png":
            yield path


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_generated_project_works(name, installed_mlscaffold, tmp_path):
    out = tmp_path / "work"
    run([installed_mlscaffold / "mlscaffold", "new", name, "-o", out, "--no-input", *AUTHOR])
    (project,) = list(out.iterdir())
    record = json.loads((project / ".mlscaffold.json").read_text())
    # The wheel packed the shared files' contents: the template is byte for byte the source.
    assert record["template_digest"] == get_template(name).digest
    package = record["context"]["package_name"]

    for path in text_files(project):  # what pre-commit's whitespace hooks would demand
        text = path.read_text(encoding="utf-8")
        assert not text or text.endswith("\n"), f"{path} lacks a final newline"
        assert not text.endswith("\n\n"), f"{path} ends with blank lines"
        assert not any(line != line.rstrip() for line in text.splitlines()), (
            f"{path}: trailing space"
        )

    workflow, citation = project / ".github/workflows/ci.yml", project / "CITATION.cff"
    run([TOOLS / "actionlint", workflow])
    run([TOOLS / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow])
    run([TOOLS / "check-jsonschema", "--builtin-schema", "vendor.citation-file-format", citation])
    run(
        [
            TOOLS / "check-jsonschema",
            "--builtin-schema",
            "vendor.dependabot",
            project / ".github/dependabot.yml",
        ]
    )

    bin_dir = new_venv(tmp_path / "venv")
    pip = [bin_dir / "python", "-m", "pip", "install", "-q"]
    if get_template(name).setup_command.startswith("pip install torch"):
        run([*pip, "torch==2.13.0"])  # the CPU build on this disk; never a CUDA download
    run([*pip, "-e", ".[dev]"], cwd=project)
    run([bin_dir / "python", "-m", "pip", "check"])
    if "torch" in (project / "pyproject.toml").read_text():  # and no other torch was pulled in
        version = run([bin_dir / "python", "-c", "import torch; print(torch.__version__)"]).stdout
        assert version.startswith("2.13.0") and "+cpu" in version, version
    run([bin_dir / "ruff", "check", "."], cwd=project)
    run([bin_dir / "ruff", "format", "--check", "."], cwd=project)

    env = {**os.environ, **OFFLINE, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    if shutil.which("make"):  # the shortcuts parse and name the right commands
        assert "train" in run(["make", "help"], cwd=project).stdout
        planned = run(["make", "-n", "install", "train", "test", "lint"], cwd=project).stdout
        assert f"python -m {package} train" in planned and "ruff format --check ." in planned
    tests = run(
        [bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=env
    )
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    run([bin_dir / "python", "-m", package, "train"], cwd=project, env=env)
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    model, baseline = metrics["model"]["metrics"], metrics["baseline"]["metrics"]
    primary, floors = FLOORS[name]
    assert model[primary] > baseline[primary], f"{primary}: the model does not beat the baseline"
    for metric, (op, floor) in floors.items():
        if op == "x>=":  # a multiple of the baseline's value
            metric = metric.removesuffix(" vs baseline")
            ok = model[metric] >= floor * baseline[metric]
        else:
            ok = model[metric] >= floor if op == ">=" else model[metric] <= floor
        assert ok, f"{metric} = {model[metric]} misses the floor {op} {floor}"
    for figure in metrics["figures"]:
        png = (project / figure["path"]).read_bytes()
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and width >= 300 and height >= 150, figure
    readme = (project / "README.md").read_text()
    assert "_No results yet._" not in readme
    assert f"**{model[primary]:.3f}**" in readme
