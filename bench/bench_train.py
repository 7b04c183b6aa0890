"""Benchmark: each template's training run, wall time and peak memory, against what it claims.

    python bench/bench_train.py [--runs 3] [TEMPLATE ...]

What it measures: the wall time of the whole `python -m <package> train` command
(start-up, imports, data, every model, figures, reports), the way a user runs it,
as a separate process --runs times; and its peak resident memory, from the
operating system (os.wait4). It prints the median beside the time the template
claims (`mlscaffold list`, its model card), the share of the 30 s budget, and the
ratio to the claim (above 1.00x: slower than advertised). Run it on a quiet
machine; the claims are for 2 CPU cores. The training pins itself to one thread
(threads.py); nothing here changes that. Needs the templates' own dependencies
in this environment (numpy, pandas, scikit-learn, matplotlib, pooch, tqdm,
threadpoolctl, pillow, and torch for image-recognition); POSIX only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TEMPLATES = ["fraud-detection", "image-recognition", "medical-diagnosis", "recommender"]
TIME_BUDGET, MEMORY_BUDGET_MB = 30.0, 1024.0


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of *command*."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports kilobytes


def claimed_seconds(name: str) -> float | None:
    """The seconds a template's ``training_time`` claims (``about 10 s on 2 CPU cores``)."""
    from scaffolder.catalog import get_template

    found = re.search(r"(\d+(?:\.\d+)?) s\b", get_template(name).training_time)
    return float(found.group(1)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="*", default=TEMPLATES)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'template':20} {'median s':>9} {'claimed':>8} {'vs claim':>9} {'of 30 s':>8} "
        f"{'peak MB':>8} {'of 1 GB':>8}  metric"
    )
    with tempfile.TemporaryDirectory(prefix="mlscaffold-bench-train-") as scratch:
        for name in args.templates:
            out = Path(scratch, name)
            subprocess.run(
                [BIN / "mlscaffold", "new", name, "-o", out, "--no-input", "--no-git"],
                check=True,
                capture_output=True,
            )
            (project,) = list(out.iterdir())
            package = json.loads((project / ".mlscaffold.json").read_text())["context"][
                "package_name"
            ]
            env = {**os.environ, "PYTHONPATH": str(project / "src")}
            runs = [
                measure([sys.executable, "-m", package, "train", "-q"], project, env)
                for _ in range(args.runs)
            ]
            seconds = statistics.median(r[0] for r in runs)
            memory = max(r[1] for r in runs)
            metrics = json.loads((project / "reports" / "metrics.json").read_text())
            primary = metrics["primary_metric"]
            value = metrics["model"]["metrics"][primary]
            baseline = metrics["baseline"]["metrics"][primary]
            claim = claimed_seconds(name)
            claimed = f"{claim:7.0f}s" if claim else f"{'?':>8}"
            ratio = f"{seconds / claim:8.2f}x" if claim else f"{'?':>9}"
            print(
                f"{name:20} {seconds:9.1f} {claimed} {ratio} {seconds / TIME_BUDGET:8.0%} "
                f"{memory:8.0f} {memory / MEMORY_BUDGET_MB:8.0%}  "
                f"{primary} {value:.3f} (baseline {baseline:.3f})"
            )


if __name__ == "__main__":
    main()
