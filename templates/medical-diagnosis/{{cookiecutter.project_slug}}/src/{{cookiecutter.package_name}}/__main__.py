"""Command line: ``python -m {{ cookiecutter.package_name }} train | predict | sample``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import SEED
from .commands import positive_int, run
from .csv_output import write_csv
from .data import DataError

MAX_REPEATS = 20


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage)."""
    # OSError: an output folder that cannot be written, a model file that cannot be read.
    return run(_parser(), argv, (DataError, OSError))


def seed_value(text: str) -> int:
    """An argparse type: a seed scikit-learn and numpy accept, 0 to 2**32 - 1."""
    value = int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError("must be between 0 and 4294967295")
    return value


def cv_repeats(text: str) -> int:
    """An argparse type: 1 to 20 repeats of the 5-fold cross-validation."""
    value = positive_int(text)
    if value > MAX_REPEATS:  # each repeat costs about 2 s; more than 20 add nothing visible
        raise argparse.ArgumentTypeError(f"must be at most {MAX_REPEATS}")
    return value


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
        f"Done in {steps.elapsed():.1f} s. {model['name']}: test ROC-AUC {m['roc_auc']:.4f} "
        f"(baseline {b['roc_auc']:.4f}), sensitivity {m['recall']:.3f}, specificity "
        f"{m['specificity']:.3f}, CV ROC-AUC {m['cv_roc_auc_mean']:.4f} (baseline "
        f"{b['cv_roc_auc_mean']:.4f}); results in {METRICS_FILE} and README.md."
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
    print(f"Wrote {len(frame)} cases (without their diagnosis) to {args.output}.")
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
        # Not %-formatted by argparse (only help= strings are): a plain "%".
        description="Compare a single-feature baseline with three models under repeated "
        "stratified cross-validation, keep the best (or a simpler one within the noise), "
        "choose a threshold for 97 % sensitivity, calibrate if it helps, evaluate on a "
        "held-out test split, and write models/, reports/metrics.json, reports/figures/, "
        "README.md and MODEL_CARD.md.",
    )
    train.add_argument(
        "--seed",
        type=seed_value,
        default=SEED,
        help=f"random seed, 0 to 2**32 - 1 (default {SEED})",
    )
    train.add_argument(
        "--repeats",
        type=cv_repeats,
        default=3,
        help=f"repeats of the 5-fold CV, 1 to {MAX_REPEATS} (default 3)",
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
    predict.add_argument(
        "--model",
        type=Path,
        default=Path("models", "model.joblib"),
        help="the model written by train (default models/model.joblib)",
    )
    predict.set_defaults(run=_predict)

    sample = commands.add_parser(
        "sample",
        help="write cases from the dataset, without diagnosis, to a CSV (to try predict)",
        description="Write randomly chosen cases of the dataset, without their diagnosis.",
    )
    sample.add_argument(
        "-n", "--rows", type=positive_int, default=20, help="how many, at most 569 (default 20)"
    )
    sample_seed = (SEED + 1) % 2**32  # another draw than training's, still a valid seed
    sample.add_argument(
        "--seed", type=seed_value, default=sample_seed, help=f"random seed (default {sample_seed})"
    )
    sample.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("data", "sample_cases.csv"),
        help="the CSV to write (default data/sample_cases.csv)",
    )
    sample.set_defaults(run=_sample)
    return parser


if __name__ == "__main__":
    sys.exit(main())
