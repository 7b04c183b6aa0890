"""Benchmark: `mlscaffold new` against plain cookiecutter and the copy+git floor, in one run.

    python bench/bench_new.py [--runs 15] [--template fraud-detection]

Times, as separate processes (what a user waits for), the median of --runs:
  1. mlscaffold new TEMPLATE --no-input        (render + checks + git init + first commit)
  2. cookiecutter --no-input templates/TEMPLATE (render + the template's hook; no git)
  3. the floor: copy an already rendered tree, then git init && git add -A && git commit
  4. mlscaffold --help against cookiecutter --help (start-up)
and prints the medians and the ratios. Run it from the repository root in an
environment where mlscaffold (and so cookiecutter) is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Users' Python caches bytecode; this machine may have turned that off globally.
GIT_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
AUTHOR = ["--author", "Bench", "--email", "bench@example.com"]


def timed(command: list[str] | str, runs: int, prepare=None, **kwargs) -> list[float]:
    """Run *command* *runs* times (after one warm-up); return the wall times in seconds."""
    times = []
    for index in range(runs + 1):
        cwd = prepare() if prepare else None
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=GIT_ENV, **kwargs)
        if index:  # the first run warms the file cache and is not counted
            times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--template", default="fraud-detection")
    args = parser.parse_args()
    template = ROOT / "templates" / args.template
    scratch = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-"))
    counter = iter(range(10**6))

    def fresh_dir() -> Path:
        folder = scratch / f"run{next(counter)}"
        folder.mkdir()
        return folder

    rendered = scratch / "rendered"
    new = [BIN / "mlscaffold", "new", args.template, "--no-input", *AUTHOR]
    subprocess.run([*new, "-o", rendered, "--no-git"], check=True, capture_output=True)
    (project,) = list(rendered.iterdir())
    floor = (
        f"cp -R {project} project && cd project && git init -q -b main && git add -A "
        "&& git commit -q -m 'Initial commit'"
    )
    results = {
        "new": timed(new, args.runs, fresh_dir),
        "cookiecutter": timed(
            [BIN / "cookiecutter", "--no-input", template, "author_name=Bench"],
            args.runs,
            fresh_dir,
        ),
        "floor": timed(floor, args.runs, fresh_dir, shell=True),
        "new_help": timed([BIN / "mlscaffold", "--help"], args.runs),
        "cookiecutter_help": timed([BIN / "cookiecutter", "--help"], args.runs),
    }
    shutil.rmtree(scratch, ignore_errors=True)

    labels = {
        "new": "mlscaffold new (with git)",
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
    print(f"  mlscaffold new / floor                    {ms['new'] / ms['floor']:.2f}")
    help_ratio = ms["new_help"] / ms["cookiecutter_help"]
    print(f"  mlscaffold --help / cookiecutter --help   {help_ratio:.2f}")


if __name__ == "__main__":
    main()
