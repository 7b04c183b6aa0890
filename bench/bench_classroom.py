"""Benchmark: a class of N students generated locally, mlscaffold against a shell loop.

    python bench/bench_classroom.py [--students 100] [--template fraud-detection]

Times, in one run:
  1. mlscaffold classroom TEMPLATE --roster roster.csv   (one process for the class)
  2. a shell loop that, per student, calls the plain `cookiecutter --no-input` command
     and then `git init && git add -A && git commit` (what an instructor would script)
and prints both, the time per student and the ratio. Goal: mlscaffold at least
5 times faster. Run from the repository root where mlscaffold is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_env import ENV

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Users' Python caches bytecode; this machine may have turned that off globally.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--template", default="fraud-detection")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-class-"))
    handles = [f"student-{i:03d}" for i in range(args.students)]
    roster = scratch / "roster.csv"
    roster.write_text("github\n" + "\n".join(handles) + "\n")

    began = time.perf_counter()
    subprocess.run(
        [
            BIN / "mlscaffold",
            "classroom",
            args.template,
            "--roster",
            roster,
            "--prefix",
            "bench",
            "-o",
            scratch / "ours",
        ],
        check=True,
        capture_output=True,
        env=ENV,
    )
    ours = time.perf_counter() - began

    loop = scratch / "loop"
    loop.mkdir()
    script = "\n".join(
        f"{BIN / 'cookiecutter'} --no-input -o {loop} {ROOT / 'templates' / args.template} "
        f"project_name=bench-{h} github_username={h} "
        f"&& (cd {loop}/bench-{h} && git init -q -b main && git add -A "
        f'&& git commit -q -m "Initial commit")'
        for h in handles
    )
    began = time.perf_counter()
    subprocess.run(["bash", "-e", "-c", script], check=True, capture_output=True, env=ENV)
    theirs = time.perf_counter() - began
    shutil.rmtree(scratch, ignore_errors=True)

    n = args.students
    print(f"{n} students, template {args.template}")
    print(f"  mlscaffold classroom            {ours:7.2f} s   {1000 * ours / n:6.0f} ms a student")
    print(
        f"  loop: cookiecutter + git CLI    {theirs:7.2f} s   {1000 * theirs / n:6.0f} ms a student"
    )
    print(f"  speed-up                        {theirs / ours:7.1f} x   (goal: at least 5 x)")


if __name__ == "__main__":
    main()
