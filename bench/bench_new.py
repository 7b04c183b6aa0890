"""Benchmark: `mlscaffold new` against plain cookiecutter and the copy+git floor, in one run.

    python bench/bench_new.py [--runs 15] [--template fraud-detection]

Times, as separate processes (what a user waits for), the median of --runs:
  1. mlscaffold new TEMPLATE --no-input        (render + checks + git init + first commit),
     with its cache of compiled templates warm (every run after the first) and cold
     (the first run after an install or upgrade)
  2. cookiecutter --no-input templates/TEMPLATE (render + the template's hook; no git)
  3. the floor: copy an already rendered tree, then git init && git add -A && git commit
  4. mlscaffold --help against cookiecutter --help (start-up)
and prints the medians and the ratios. The commands take turns, round after round,
so that a change in the machine's load falls on all of them alike. mlscaffold's
cache lives in a scratch folder (XDG_CACHE_HOME), not in the user's. Run it from
the repository root in an environment where mlscaffold (and so cookiecutter) is
installed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_env import ENV as GIT_ENV

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AUTHOR = ["--author", "Bench", "--email", "bench@example.com"]


def timed(
    commands: dict[str, tuple[list[str] | str, Callable[[], dict[str, Any]]]], runs: int
) -> dict[str, list[float]]:
    """Run each command *runs* times, taking turns, after one warm-up round; return wall times.

    Each command comes with a function that prepares a run and returns the keyword
    arguments of ``subprocess.run`` for it (its folder, its environment).
    """
    times: dict[str, list[float]] = {key: [] for key in commands}
    for index in range(runs + 1):
        for key, (command, prepare) in commands.items():
            kwargs = prepare()
            began = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, **kwargs)
            if index:  # the first round warms the file cache (and mlscaffold's) and is not counted
                times[key].append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--template", default="fraud-detection")
    args = parser.parse_args()
    template = ROOT / "templates" / args.template
    scratch = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-"))
    counter = iter(range(10**6))
    warm_env = {**GIT_ENV, "XDG_CACHE_HOME": str(scratch / "cache")}

    def fresh_dir() -> Path:
        folder = scratch / f"run{next(counter)}"
        folder.mkdir()
        return folder

    def in_fresh_dir(env: dict[str, str] = GIT_ENV) -> Callable[[], dict[str, Any]]:
        return lambda: {"cwd": fresh_dir(), "env": env}

    def cold_cache() -> dict[str, Any]:
        return {"cwd": fresh_dir(), "env": {**GIT_ENV, "XDG_CACHE_HOME": str(fresh_dir())}}

    rendered = scratch / "rendered"
    new = [BIN / "mlscaffold", "new", args.template, "--no-input", *AUTHOR]
    subprocess.run(
        [*new, "-o", rendered, "--no-git"], check=True, capture_output=True, env=warm_env
    )
    (project,) = list(rendered.iterdir())
    floor = (
        f"cp -R {project} project && cd project && git init -q -b main && git add -A "
        "&& git commit -q -m 'Initial commit'"
    )
    commands: dict[str, tuple[Any, Callable[[], dict[str, Any]]]] = {
        "new": (new, in_fresh_dir(warm_env)),
        "new_cold": (new, cold_cache),
        "cookiecutter": (
            [BIN / "cookiecutter", "--no-input", template, "author_name=Bench"],
            in_fresh_dir(),
        ),
        "floor": (floor, lambda: {"cwd": fresh_dir(), "env": GIT_ENV, "shell": True}),
        "new_help": ([BIN / "mlscaffold", "--help"], lambda: {"env": warm_env}),
        "cookiecutter_help": ([BIN / "cookiecutter", "--help"], lambda: {"env": GIT_ENV}),
    }
    results = timed(commands, args.runs)
    shutil.rmtree(scratch, ignore_errors=True)

    labels = {
        "new": "mlscaffold new (with git)",
        "new_cold": "mlscaffold new, cold cache",
        "cookiecutter": "cookiecutter --no-input (no git)",
        "floor": "floor: copy + git init/add/commit",
        "new_help": "mlscaffold --help",
        "cookiecutter_help": "cookiecutter --help",
    }
    ms = {key: statistics.median(times) * 1000 for key, times in results.items()}
    print(f"template {args.template}, {args.runs} runs each, median wall time (ms)")
    for key, label in labels.items():
        low, _, high = statistics.quantiles([t * 1000 for t in results[key]], n=4)
        print(f"  {label:36} {ms[key]:7.1f}   (IQR {low:.1f}-{high:.1f})")
    print("ratios (below 1.00: mlscaffold is faster)")
    print(f"  mlscaffold new / cookiecutter             {ms['new'] / ms['cookiecutter']:.2f}")
    cold = ms["new_cold"] / ms["cookiecutter"]
    print(f"  mlscaffold new, cold cache / cookiecutter {cold:.2f}")
    print(f"  mlscaffold new / floor                    {ms['new'] / ms['floor']:.2f}")
    help_ratio = ms["new_help"] / ms["cookiecutter_help"]
    print(f"  mlscaffold --help / cookiecutter --help   {help_ratio:.2f}")


if __name__ == "__main__":
    main()
