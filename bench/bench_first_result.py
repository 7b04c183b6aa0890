"""Benchmark: time to a first result, `mlscaffold new --train` against the README's manual path.

    python bench/bench_first_result.py [--runs 3] [--template medical-diagnosis]

Both end in the same place: a generated project, installed in its own .venv with
its dev extra, its tests run, trained, with the results in the README.
  1. new --train      `mlscaffold new TEMPLATE --train` (uv when installed, as mlscaffold ships it)
  2. manual path      `mlscaffold new TEMPLATE`, then, in the project, the README's commands:
                      python -m venv .venv, pip install -e ".[dev]", python -m PKG train, pytest
Each run is a fresh folder, as separate processes (what a user waits for); the two take
turns, after one warm-up round each (the package caches warm, as on a machine that
has installed these libraries before), and the medians and their ratio are printed
(the goal: 0.5x or less). pip and uv use the indexes this machine is set up with.
Run it from an environment where mlscaffold is installed; POSIX only.
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

from bench_env import ENV

BIN = Path(sys.executable).parent
AUTHOR = ["--author", "Bench", "--email", "bench@example.com", "--github-user", "bench"]


def new(template: str, out: Path, *extra: str) -> Path:
    subprocess.run(
        [BIN / "mlscaffold", "new", template, "-o", out, "--no-input", *AUTHOR, *extra],
        check=True,
        capture_output=True,
        env=ENV,
    )
    (project,) = [p for p in out.iterdir() if p.is_dir()]
    return project


def with_train(template: str, out: Path) -> None:
    new(template, out, "--train")


def manual(template: str, out: Path) -> None:
    project = new(template, out)
    package = json.loads((project / ".mlscaffold.json").read_text())["context"]["package_name"]
    python = str(project / ".venv" / "bin" / "python")
    from scaffolder.catalog import get_template

    torch = bool(get_template(template).raw_context.get("_torch"))
    steps = [[sys.executable, "-m", "venv", ".venv"]]
    if torch:  # the CPU build, as the README says (here: whatever this machine's pip gives)
        steps.append([python, "-m", "pip", "install", "-q", "torch"])
    steps += [
        [python, "-m", "pip", "install", "-q", "-e", ".[dev]"],
        [python, "-m", package, "train"],
        [python, "-m", "pytest", "-q"],
    ]
    for step in steps:
        subprocess.run(step, cwd=project, check=True, capture_output=True, env=ENV)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--template", default="medical-diagnosis")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-first-"))
    ways = {"new --train": with_train, "manual path": manual}
    times: dict[str, list[float]] = {name: [] for name in ways}
    try:
        for index in range(args.runs + 1):
            for name, way in ways.items():
                out = scratch / f"{name.replace(' ', '-')}-{index}"
                began = time.perf_counter()
                way(args.template, out)
                if index:  # the first round warms the package caches and is not counted
                    times[name].append(time.perf_counter() - began)
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {name: statistics.median(found) for name, found in times.items()}
    print(f"template {args.template}, {args.runs} runs each, median wall time (s)")
    for name, seconds in medians.items():
        print(f"  {name:14} {seconds:7.1f}   (runs: {', '.join(f'{t:.1f}' for t in times[name])})")
    ratio = medians["new --train"] / medians["manual path"]
    print(f"ratio new --train / manual path: {ratio:.2f}x (goal: 0.50x or less)")


if __name__ == "__main__":
    main()
