"""End to end, as a new user: build the wheel, install it, generate, install the project, and
run its linters, its validators, its own tests and its training; then check the quality floors.

Every template is swept over seeds: 42 (the default), 7, 123 and the seed
`mlscaffold classroom` derives for a student. Each seed's project runs its own
test suite and its training, and must meet the floors; the default seed is also
trained a second time with another ``OMP_NUM_THREADS``, and must write the same
metrics.json byte for byte. Slow (a fresh virtual environment per template);
marked ``e2e``. The generated projects run with every proxy pointed at a closed
port, so any attempt to reach the network fails instead of passing by luck.

Each promise is a test of its own, for each template (and each seed where it
differs by seed), so one failure hides no other; the expensive steps (generating,
installing, the seeds' test suites and trainings) are module-scoped fixtures,
done once per template.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
STUDENT = "student"  # the id, among the seeds, of the classroom student's project
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


@dataclass
class Generated:
    """One template's projects: one per seed (the default first), by seed id."""

    name: str
    projects: dict[str, Path]
    folder: Path

    @property
    def default(self) -> Path:
        return self.projects[SEEDS[0]]

    def context(self, seed: str = SEEDS[0]) -> dict:
        return json.loads((self.projects[seed] / ".mlscaffold.json").read_text())["context"]


@dataclass
class SeedRun:
    """What one seed's project did: its own tests (None if not run) and its training."""

    seed: str
    tests: subprocess.CompletedProcess | None
    train: subprocess.CompletedProcess | None
    error: str = ""  # a timeout
    metrics: dict | None = None
    metrics_bytes: bytes = b""
    readme: str = ""


@pytest.fixture(scope="module", params=sorted(FLOORS))
def template(request) -> str:
    return request.param


# Per seed: a plain parameter, not a fixture, so that the tests stay grouped by template
# (a module-scoped seed fixture would make pytest interleave templates, and set each up anew).
per_seed = pytest.mark.parametrize("seed", [*SEEDS, STUDENT])


@pytest.fixture(scope="module")
def generated(template, installed_mlscaffold, tmp_path_factory) -> Generated:
    """The template generated by the installed mlscaffold for each seed, and for a student."""
    mlscaffold = installed_mlscaffold / "mlscaffold"
    folder = tmp_path_factory.mktemp(template)
    projects = {}
    for seed in SEEDS:
        out = folder / f"seed-{seed}"
        run(
            [
                mlscaffold,
                "new",
                template,
                "-o",
                out,
                "--no-input",
                *AUTHOR,
                "--set",
                f"random_seed={seed}",
            ]
        )
        (projects[seed],) = list(out.iterdir())
    roster = folder / "roster.csv"
    roster.write_text(ROSTER)
    run([mlscaffold, "classroom", template, "--roster", roster, "-o", folder / "class"])
    (projects[STUDENT],) = [p for p in (folder / "class").iterdir() if p.is_dir()]
    return Generated(template, projects, folder)


@pytest.fixture(scope="module")
def bin_dir(generated) -> Path:
    """A fresh environment with the default seed's project installed with its dev extra."""
    bin_dir = new_venv(generated.folder / "venv")
    pip = [bin_dir / "python", "-m", "pip", "install", "-q"]
    setup = get_template(generated.name).setup_command
    if setup.startswith("pip install torch"):
        assert "--index-url https://download.pytorch.org/whl/cpu" in setup  # the CPU build
        why = torch_cpu_build(pip)
        if why:
            pytest.skip(why)
        run([*pip, "torch==2.13.0"])  # the CPU build on this disk; never a CUDA download
    run([*pip, "-e", ".[dev]"], cwd=generated.default)
    return bin_dir


def run_seed(project: Path, bin_dir: Path, threads: str, tests: bool = True) -> SeedRun:
    """Run the project's tests and its training (from its own src/), and keep what they did."""
    env = {
        **os.environ,
        **OFFLINE,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(project / "src"),  # this seed's project, not the one installed
        "OMP_NUM_THREADS": threads,
    }
    context = json.loads((project / ".mlscaffold.json").read_text())["context"]
    package, seed = context["package_name"], context["random_seed"]

    def call(*args: object) -> subprocess.CompletedProcess:
        return subprocess.run(
            [bin_dir / "python", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    result = SeedRun(seed, None, None)
    try:
        if tests:
            result.tests = call("-m", "pytest", "-q", "-p", "no:cacheprovider")
        result.train = call("-m", package, "train")
    except subprocess.TimeoutExpired as exc:
        result.error = str(exc)
        return result
    metrics = project / "reports" / "metrics.json"
    if result.train.returncode == 0 and metrics.is_file():
        result.metrics_bytes = metrics.read_bytes()
        result.metrics = json.loads(result.metrics_bytes)
    result.readme = (project / "README.md").read_text()
    return result


@pytest.fixture(scope="module")
def seed_runs(generated, bin_dir) -> dict[str, SeedRun]:
    """Every seed's own tests and training, two at a time (each pinned to two threads)."""
    seeds = list(generated.projects)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda s: run_seed(generated.projects[s], bin_dir, "2"), seeds)
        return dict(zip(seeds, runs, strict=True))


def trained(seed_runs: dict[str, SeedRun], seed: str) -> dict:
    """The metrics of *seed*'s training; the test fails (not errors) if there are none."""
    found = seed_runs[seed]
    if found.error:
        pytest.fail(f"seed {found.seed}: {found.error}")
    if found.metrics is None:
        stderr = found.train.stderr[-3000:] if found.train else ""
        pytest.fail(f"seed {found.seed}: train failed\n{stderr}")
    return found.metrics


def test_every_seed_is_its_own(generated):
    seeds = [generated.context(seed)["random_seed"] for seed in generated.projects]
    assert len(set(seeds)) == 4, seeds  # the student's seed is their own


def test_the_wheel_packs_the_template_as_in_the_source(generated):
    record = json.loads((generated.default / ".mlscaffold.json").read_text())
    # The wheel packed the shared files' contents: the template is byte for byte the source.
    assert record["template_digest"] == get_template(generated.name).digest


def test_files_and_workflow_validate(generated):
    check_files(generated.default, generated.context()["package_name"])


def test_installs_with_pip_check_clean(generated, bin_dir):
    run([bin_dir / "python", "-m", "pip", "check"])
    if "torch" in (generated.default / "pyproject.toml").read_text():  # and no other torch
        version = run([bin_dir / "python", "-c", "import torch; print(torch.__version__)"]).stdout
        assert version.startswith("2.13.0") and "+cpu" in version, version


def test_lint_and_format_pass(generated, bin_dir):
    run([bin_dir / "ruff", "check", "."], cwd=generated.default)
    run([bin_dir / "ruff", "format", "--check", "."], cwd=generated.default)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_shortcuts_name_the_right_commands(generated):
    package = generated.context()["package_name"]
    assert "train" in run(["make", "help"], cwd=generated.default).stdout
    planned = run(["make", "-n", "install", "train", "test", "lint"], cwd=generated.default).stdout
    assert f"python -m {package} train" in planned and "ruff format --check ." in planned


@per_seed
def test_the_projects_own_tests_pass(seed_runs, seed):
    found = seed_runs[seed]
    assert not found.error, found.error
    suite = found.tests
    assert suite is not None
    assert suite.returncode == 0 and " passed" in suite.stdout, (
        f"seed {found.seed}: the project's tests failed\n{suite.stdout[-3000:]}"
    )


@per_seed
def test_training_writes_the_metrics_of_its_seed(seed_runs, seed):
    metrics = trained(seed_runs, seed)
    assert metrics["dataset"].get("seed", int(seed_runs[seed].seed)) == int(seed_runs[seed].seed)


@per_seed
def test_the_model_beats_its_baseline(template, seed_runs, seed):
    if template in WITHIN_OF_BASELINE:
        pytest.skip(f"{template}'s floor is a distance from its baseline (the floors test)")
    metrics = trained(seed_runs, seed)
    model, baseline = metrics["model"]["metrics"], metrics["baseline"]["metrics"]
    primary, _ = FLOORS[template]
    assert model[primary] > baseline[primary], f"{primary} does not beat the baseline's"


@per_seed
def test_the_quality_floors_hold(template, seed_runs, seed):
    metrics = trained(seed_runs, seed)
    model, baseline = metrics["model"]["metrics"], metrics["baseline"]["metrics"]
    problems = []
    for metric, (op, floor) in FLOORS[template][1].items():
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
    assert problems == []


@per_seed
def test_the_figures_are_proper_pngs(generated, seed_runs, seed):
    metrics = trained(seed_runs, seed)
    assert metrics["figures"], "the training wrote no figures"
    for figure in metrics["figures"]:
        png = (generated.projects[seed] / figure["path"]).read_bytes()
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert png[:8] == b"\x89PNG\r\n\x1a\n", figure["path"]
        assert width >= 300 and height >= 150, figure["path"]


@per_seed
def test_the_readme_leads_with_the_results(seed_runs, seed):
    metrics = trained(seed_runs, seed)
    readme = seed_runs[seed].readme
    headline = metrics["model"]["metrics"][metrics["primary_metric"]]
    assert "_No results yet._" not in readme and f"**{headline:.3f}**" in readme
    assert "_Not trained yet._" not in readme, "the README's findings were not written"


def test_another_thread_count_gives_the_same_metrics(generated, bin_dir, seed_runs):
    first = seed_runs[SEEDS[0]]
    trained(seed_runs, SEEDS[0])
    again = run_seed(generated.default, bin_dir, "1", tests=False)
    assert not again.error and again.metrics is not None, again.error or again.train.stderr
    assert again.metrics_bytes == first.metrics_bytes
