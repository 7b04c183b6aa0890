"""End to end, as a new user: build the wheel, install it, generate, install the project, and
run its linters, its validators, its own tests and its training; then check the quality floors.

Every template is swept over seeds: 42 (the default), 7, 123 and the seed
`mlscaffold classroom` derives for a student. Each seed's project runs its own
test suite and its training, and must meet the floors; the default seed is also
trained a second time with another ``OMP_NUM_THREADS``, and must write the same
metrics.json byte for byte. Slow (a fresh virtual environment per template);
marked ``e2e``. The generated projects run with every proxy pointed at a closed
port, so any attempt to reach the network fails instead of passing by luck.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import AUTHOR, REPO_ROOT

from scaffolder.catalog import get_template

pytestmark = pytest.mark.e2e

# Per template: the metric on which the model must beat its baseline, and the
# quality floors on the default data that hold for every seed (the reference
# file's floors, with the margins the projects' own tests justify).
FLOORS = {
    # PR-AUC 0.772 to 0.894 over 14 seeds, standard error about 0.04.
    "fraud-detection": ("pr_auc", {"pr_auc": (">=", 0.65)}),
    # The baseline is an RBF SVM, which the CNN may tie or trail by a few of the 360
    # images: the CNN must stay within 0.02 of it (the project's tests say why).
    "image-recognition": (
        "accuracy",
        {"accuracy": (">=", 0.97), "accuracy vs baseline": ("-<=", 0.02)},
    ),
    # 114 test cases: accuracy and recall move by their binomial standard errors.
    "medical-diagnosis": (
        "cv_roc_auc_mean",
        {
            "cv_roc_auc_mean": (">=", 0.98),
            "accuracy": (">=", 0.90),
            "recall": (">=", 0.80),
            "brier": ("<=", 0.06),
        },
    ),
    "recommender": ("ndcg@10", {"ndcg@10": (">=", 0.40), "ndcg@10 vs baseline": ("x>=", 1.5)}),
}
# Where the model need not beat the baseline outright (a strong classical one).
WITHIN_OF_BASELINE = {"image-recognition"}
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


SEEDS = ("42", "7", "123")  # and the seed classroom derives for the student below
ROSTER = "github,name,email\nada-l,Ada Lovelace,ada@example.com\n"


def torch_cpu_build(pip: list) -> str | None:
    """Why torch 2.13.0's CPU build cannot be installed offline here, or None if it can.

    pip resolves without installing (wheel metadata only, no multi-GB download);
    the CPU build is the one whose version ends in +cpu (PyPI's Linux wheel is
    the CUDA one, which these tests never pull).
    """
    done = subprocess.run(
        [*pip, "--dry-run", "--no-deps", "--quiet", "--report", "-", "torch==2.13.0"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        return f"torch 2.13.0 cannot be resolved here: {done.stderr.strip()[-300:]}"
    (item,) = json.loads(done.stdout)["install"]
    version = item["metadata"]["version"]
    if "+cpu" not in version:
        return f"no CPU build of torch 2.13.0 here (pip would install {version}, a CUDA build)"
    return None


def check_files(project: Path, package: str) -> None:
    """Whitespace as pre-commit wants it, and the workflow, citation and Dependabot validate."""
    for path in text_files(project):
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
    dependabot = project / ".github/dependabot.yml"
    run([TOOLS / "check-jsonschema", "--builtin-schema", "vendor.dependabot", dependabot])
    run([TOOLS / "zizmor", "--offline", "--no-progress", project])
    assert f"python -m {package} train" in (project / "README.md").read_text()


def check_run(name: str, project: Path, bin_dir: Path, threads: str, tests: bool = True) -> str:
    """Run the project's tests and its training (from its own src/); return a problem or ''."""
    env = {
        **os.environ,
        **OFFLINE,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(project / "src"),  # this seed's project, not the one installed
        "OMP_NUM_THREADS": threads,
    }
    record = json.loads((project / ".mlscaffold.json").read_text())
    package, seed = record["context"]["package_name"], record["context"]["random_seed"]

    def call(*args: object) -> subprocess.CompletedProcess:
        return subprocess.run(
            [bin_dir / "python", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    try:
        if tests:
            suite = call("-m", "pytest", "-q", "-p", "no:cacheprovider")
            if suite.returncode != 0 or " passed" not in suite.stdout:
                return f"seed {seed}: the project's tests failed\n{suite.stdout[-3000:]}"
        trained = call("-m", package, "train")
    except subprocess.TimeoutExpired as exc:
        return f"seed {seed}: {exc}"
    if trained.returncode != 0:
        return f"seed {seed}: train failed\n{trained.stderr[-3000:]}"
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    assert metrics["dataset"].get("seed", int(seed)) == int(seed)
    model, baseline = metrics["model"]["metrics"], metrics["baseline"]["metrics"]
    primary, floors = FLOORS[name]
    problems = []
    if name not in WITHIN_OF_BASELINE and not model[primary] > baseline[primary]:
        problems.append(f"{primary} {model[primary]} does not beat the baseline's")
    for metric, (op, floor) in floors.items():
        if op == "x>=":  # a multiple of the baseline's value
            metric = metric.removesuffix(" vs baseline")
            ok = model[metric] >= floor * baseline[metric]
        elif op == "-<=":  # at most this far below the baseline's value
            metric = metric.removesuffix(" vs baseline")
            ok = model[metric] >= baseline[metric] - floor
        else:
            ok = model[metric] >= floor if op == ">=" else model[metric] <= floor
        if not ok:
            problems.append(f"{metric} = {model[metric]} misses the floor {op} {floor}")
    for figure in metrics["figures"]:
        png = (project / figure["path"]).read_bytes()
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        if not (png[:8] == b"\x89PNG\r\n\x1a\n" and width >= 300 and height >= 150):
            problems.append(f"{figure['path']} is not a proper PNG figure")
    readme = (project / "README.md").read_text()
    headline = model[metrics["primary_metric"]]  # the metric the README leads with
    if "_No results yet._" in readme or f"**{headline:.3f}**" not in readme:
        problems.append("the README does not show the results")
    if "_Not trained yet._" in readme:
        problems.append("the README's findings were not written")
    return f"seed {seed}: " + "; ".join(problems) if problems else ""


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_generated_project_works_for_every_seed(name, installed_mlscaffold, tmp_path):
    mlscaffold = installed_mlscaffold / "mlscaffold"
    projects = []
    for seed in SEEDS:
        out = tmp_path / f"seed-{seed}"
        run(
            [
                mlscaffold,
                "new",
                name,
                "-o",
                out,
                "--no-input",
                *AUTHOR,
                "--set",
                f"random_seed={seed}",
            ]
        )
        (project,) = list(out.iterdir())
        projects.append(project)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    run([mlscaffold, "classroom", name, "--roster", roster, "-o", tmp_path / "class"])
    (student,) = [p for p in (tmp_path / "class").iterdir() if p.is_dir()]
    projects.append(student)
    seeds = [
        json.loads((p / ".mlscaffold.json").read_text())["context"]["random_seed"] for p in projects
    ]
    assert len(set(seeds)) == 4, seeds  # the student's seed is their own

    default = projects[0]
    record = json.loads((default / ".mlscaffold.json").read_text())
    # The wheel packed the shared files' contents: the template is byte for byte the source.
    assert record["template_digest"] == get_template(name).digest
    package = record["context"]["package_name"]
    check_files(default, package)

    bin_dir = new_venv(tmp_path / "venv")
    pip = [bin_dir / "python", "-m", "pip", "install", "-q"]
    setup = get_template(name).setup_command
    if setup.startswith("pip install torch"):
        assert "--index-url https://download.pytorch.org/whl/cpu" in setup  # the CPU build
        why = torch_cpu_build(pip)
        if why:
            pytest.skip(why)
        run([*pip, "torch==2.13.0"])  # the CPU build on this disk; never a CUDA download
    run([*pip, "-e", ".[dev]"], cwd=default)
    run([bin_dir / "python", "-m", "pip", "check"])
    if "torch" in (default / "pyproject.toml").read_text():  # and no other torch was pulled in
        version = run([bin_dir / "python", "-c", "import torch; print(torch.__version__)"]).stdout
        assert version.startswith("2.13.0") and "+cpu" in version, version
    run([bin_dir / "ruff", "check", "."], cwd=default)
    run([bin_dir / "ruff", "format", "--check", "."], cwd=default)
    if shutil.which("make"):  # the shortcuts parse and name the right commands
        assert "train" in run(["make", "help"], cwd=default).stdout
        planned = run(["make", "-n", "install", "train", "test", "lint"], cwd=default).stdout
        assert f"python -m {package} train" in planned and "ruff format --check ." in planned

    # Every process is pinned to one thread, so two at a time use this machine's two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = list(pool.map(lambda p: check_run(name, p, bin_dir, "2"), projects))
    assert [p for p in problems if p] == []

    first = (default / "reports" / "metrics.json").read_bytes()
    again = check_run(
        name, default, bin_dir, "1", tests=False
    )  # another thread count: the same numbers
    assert again == ""
    assert (default / "reports" / "metrics.json").read_bytes() == first
