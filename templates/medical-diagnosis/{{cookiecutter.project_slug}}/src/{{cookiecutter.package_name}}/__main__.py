"""Command line: ``python -m {{ cookiecutter.package_name }} train | predict | sample``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import SEED
from .commands import positive_int, run
from .csv_output import write_csv
from .data import DataError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage)."""
    return run(_parser(), argv, (DataError, FileNotFoundError))


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .data import load
    from .progress import Steps
    from .train import METRICS_FILE, train

    steps = Steps(7, quiet=args.quiet)
    with steps.step("Loading the Wisconsin Diagnostic Breast Cancer set"):
        frame = load()
    payload = train(frame, seed=args.seed, repeats=args.repeats, steps=steps)
    model, baseline = payload["model"], payload["baseline"]
    m, b = model["metrics"], baseline["metrics"]
    print(
        f"Done in {steps.elapsed():.1f} s. {model['name']}: sensitivity {m['recall']:.3f}, "
        f"specificity {m['specificity']:.3f}, CV ROC-AUC {m['cv_roc_auc_mean']:.4f} "
        f"(baseline {b['cv_roc_auc_mean']:.4f}); results in {METRICS_FILE} and README.md."
    )
    return 0


def _predict(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .predict import score_file

    scored = score_file(args.csv, args.model)
    where = write_csv(scored, args.output)
    malignant = int((scored["call"] == "malignant").sum())
    print(f"Scored {len(scored)} cases; {malignant} called malignant ({where}).", file=sys.stderr)
    return 0


def _sample(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .data import TARGET, load

    frame = load()
    frame = frame.sample(n=min(args.rows, len(frame)), random_state=args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    frame.drop(columns=[TARGET]).to_csv(args.output, index=False)
    print(f"Wrote {args.rows} cases (without their diagnosis) to {args.output}.")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}",
        description="Breast cancer diagnosis (a study project, not a medical device).",
    )
    commands = parser.add_subparsers(title="commands", required=True)

    train = commands.add_parser(
        "train",
        help="compare models, fit the best, write reports/ and update the README",
        description="Compare a single-feature baseline with three models under repeated "
        "stratified cross-validation, fit the best, choose a threshold for 97 %% sensitivity, "
        "calibrate if it helps, evaluate on a held-out test split, and write models/, "
        "reports/metrics.json, reports/figures/, README.md and MODEL_CARD.md.",
    )
    train.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    train.add_argument(
        "--repeats", type=positive_int, default=3, help="repeats of the 5-fold CV (default 3)"
    )
    train.add_argument("-q", "--quiet", action="store_true", help="print only the final summary")
    train.set_defaults(run=_train)

    predict = commands.add_parser(
        "predict",
        help="score a CSV of new cases with the trained model",
        description="Score each row of a CSV that has exactly the 30 feature columns of the "
        "dataset (a 'malignant' column, if present, is ignored); print or write the "
        "probability of malignancy and the call at the model's threshold.",
    )
    predict.add_argument("csv", type=Path, help="CSV of cases to score")
    predict.add_argument("-o", "--output", type=Path, help="write the scores here")
    predict.add_argument("--model", type=Path, default=Path("models", "model.joblib"))
    predict.set_defaults(run=_predict)

    sample = commands.add_parser(
        "sample",
        help="write cases from the dataset, without diagnosis, to a CSV (to try predict)",
        description="Write randomly chosen cases of the dataset, without their diagnosis.",
    )
    sample.add_argument("-n", "--rows", type=positive_int, default=20, help="how many (default 20)")
    sample.add_argument("--seed", type=int, default=SEED + 1, help="random seed")
    sample.add_argument("-o", "--output", type=Path, default=Path("data", "sample_cases.csv"))
    sample.set_defaults(run=_sample)
    return parser


if __name__ == "__main__":
    sys.exit(main())
