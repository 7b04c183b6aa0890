"""Benchmark: `mlscaffold update` against `cruft update` of the same template change, in one run.

    python bench/bench_update.py [--runs 9] [--template fraud-detection] [--cruft PATH]

One template, at version A and at a version B that changes two files and adds
one, both offline (a local folder for mlscaffold through MLSCAFFOLD_TEMPLATES,
a local git repository for cruft, which needs one). One project generated from
A by each tool, committed, with the same commit of the user's on top. Then,
as separate processes (what a user waits for), the median of --runs, each on
a fresh copy of the project:
  1. MLSCAFFOLD_TEMPLATES=B mlscaffold update     (render B, commit it on the base, git merge)
  2. cruft update -y --checkout B, then git add and commit (what update does in one step)
  3. cruft update -y --checkout B alone            (clone, render A and B, diff, git apply)
and prints the medians, the ratios, and whether each result holds the template's
change and the user's edit. cruft is looked for beside this Python, then on PATH;
without it (`pip install cruft`), only mlscaffold is timed and the run says so.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_env import ENV as BENCH_ENV

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in BENCH_ENV.items() if k != "MLSCAFFOLD_TEMPLATES"}
TEMPLATE_LINE = "# Added by version B of the template\n.bench-cache/\n"
USER_LINE = "\nA paragraph the user wrote.\n"


def run(command: list[str | Path], cwd: Path | None = None, **env: str) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def change_to_b(folder: Path) -> None:
    """Make the template in *folder* version B: two files changed, one added."""
    context_file = folder / "cookiecutter.json"
    context = json.loads(context_file.read_text())
    context["_mlscaffold"]["version"] = "9.0.0"
    context_file.write_text(json.dumps(context, indent=2) + "\n")
    project = folder / "{{cookiecutter.project_slug}}"
    with (project / ".gitignore").open("a") as handle:
        handle.write(TEMPLATE_LINE)
    (project / "CONTRIBUTING.md").write_text("# Contributing to {{ cookiecutter.project_name }}\n")


def user_commit(project: Path) -> None:
    with (project / "README.md").open("a") as handle:
        handle.write(USER_LINE)
    run(["git", "add", "--all"], project)
    run(["git", "commit", "-q", "-m", "The user's work"], project)


def timed(
    command: list[str | Path], project: Path, runs: int, **env: str
) -> tuple[list[float], Path]:
    """Run *command* in a fresh copy of *project*, *runs* times after a warm-up."""
    times, copy = [], project
    for index in range(runs + 1):
        copy = Path(tempfile.mkdtemp(dir=project.parent)) / project.name
        shutil.copytree(project, copy, symlinks=True)
        began = time.perf_counter()
        run(command, copy, **env)
        if index:  # the first run warms the file cache and is not counted
            times.append(time.perf_counter() - began)
    return times, copy


def holds_both(project: Path) -> bool:
    """Whether an updated project has the template's change and the user's edit, and no .rej."""
    return (
        TEMPLATE_LINE in (project / ".gitignore").read_text()
        and (project / "README.md").read_text().endswith(USER_LINE)
        and (project / "CONTRIBUTING.md").is_file()
        and not list(project.rglob("*.rej"))
    )


def find_cruft(given: str | None) -> Path | None:
    if given:
        return Path(given)
    beside = BIN / "cruft"
    if beside.exists():
        return beside
    found = shutil.which("cruft")
    return Path(found) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--template", default="fraud-detection")
    parser.add_argument("--cruft", help="the cruft command (default: beside this Python, or PATH)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-update-"))
    source = ROOT / "templates" / args.template
    # Version A and B as folders for mlscaffold (links to the shared parts copied as files).
    folder_a, folder_b = scratch / "templates-a", scratch / "templates-b"
    shutil.copytree(source, folder_a / args.template, symlinks=False)
    shutil.copytree(source, folder_b / args.template, symlinks=False)
    change_to_b(folder_b / args.template)

    mlscaffold = BIN / "mlscaffold"
    ours = scratch / "mlscaffold"
    new = [mlscaffold, "new", args.template, "-o", ours, "--no-input", "--author", "Bench"]
    run([*new, "--email", "bench@example.com"], MLSCAFFOLD_TEMPLATES=str(folder_a))
    (ours_project,) = [p for p in ours.iterdir() if p.is_dir()]
    user_commit(ours_project)
    ours_times, ours_last = timed(
        [mlscaffold, "update"], ours_project, args.runs, MLSCAFFOLD_TEMPLATES=str(folder_b)
    )
    results = {"mlscaffold update": (ours_times, holds_both(ours_last))}

    cruft = find_cruft(args.cruft)
    if cruft is None:
        print("cruft is not installed here (pip install cruft): timing mlscaffold only.")
    else:
        # cruft takes a template from a git repository: A and B as two commits of one.
        repository = scratch / "template-repo"
        shutil.copytree(folder_a / args.template, repository)
        run(["git", "init", "-q", "-b", "main"], repository)
        run(["git", "add", "--all"], repository)
        run(["git", "commit", "-q", "-m", "A"], repository)
        commit_a = run(["git", "rev-parse", "HEAD"], repository).strip()
        change_to_b(repository)
        run(["git", "add", "--all"], repository)
        run(["git", "commit", "-q", "-m", "B"], repository)
        commit_b = run(["git", "rev-parse", "HEAD"], repository).strip()
        theirs = scratch / "cruft"
        theirs.mkdir()
        create = [cruft, "create", "--no-input", "--checkout", commit_a]
        run([*create, "--output-dir", theirs, repository])
        (theirs_project,) = [p for p in theirs.iterdir() if p.is_dir()]
        run(["git", "init", "-q", "-b", "main"], theirs_project)
        run(["git", "add", "--all"], theirs_project)
        run(["git", "commit", "-q", "-m", "Initial commit"], theirs_project)
        user_commit(theirs_project)
        # Unlike update, cruft leaves its changes uncommitted: the commit is timed with it.
        command = f"{cruft} update -y --checkout {commit_b} && git add -A && git commit -qm Update"
        theirs_times, theirs_last = timed(["sh", "-c", command], theirs_project, args.runs)
        results["cruft update + commit"] = (theirs_times, holds_both(theirs_last))
        alone = [cruft, "update", "-y", "--checkout", commit_b]
        alone_times, alone_last = timed(alone, theirs_project, args.runs)
        results["cruft update alone"] = (alone_times, holds_both(alone_last))

    print(f"{args.template}, median of {args.runs} runs (both offline):")
    for name, (times, ok) in results.items():
        verdict = "template change and user edit both there" if ok else "RESULT WRONG"
        print(f"  {name:<24} {statistics.median(times) * 1000:7.0f} ms   {verdict}")
    mine = statistics.median(results["mlscaffold update"][0])
    for name, (times, _) in results.items():
        if name.startswith("cruft"):
            print(f"  ratio mlscaffold / {name:<24} {mine / statistics.median(times):5.2f}x")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
