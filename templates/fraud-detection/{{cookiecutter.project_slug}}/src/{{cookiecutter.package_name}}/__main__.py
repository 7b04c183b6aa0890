"""Command line: ``python -m {{ cookiecutter.package_name }} train | predict | sample``."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from . import SEED
from .commands import positive_int, run
from .csv_output import write_csv
from .data import CREDITCARD_URL, N_FRAUD, N_ROWS, RAW_DIR, DataError

MIN_TRAIN_ROWS = 1_000  # gives the 10 frauds the three splits need (see train.MIN_FRAUDS)
MAX_SAMPLE_ROWS = 1_000_000  # about 250 MB in memory
MAX_SEED = 2**32 - 1  # the largest seed scikit-learn's random_state takes
URL_SCHEMES = ("http", "https", "ftp", "sftp")  # what pooch downloads from


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage)."""
    # OSError: an output path that is a folder, or not writable, is one line too.
    return run(_parser(), argv, (DataError, OSError))


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .data import load_creditcard, make_synthetic
    from .progress import Steps
    from .report import findings_markdown, results_markdown
    from .train import METRICS_FILE, MODEL_FILE, train

    quick = args.rows is not None
    publish = not quick or args.write_reports
    steps = Steps(7, quiet=args.quiet)
    if args.dataset == "synthetic":
        rows = args.rows or N_ROWS
        with steps.step(f"Generating {rows:,} synthetic transactions (seed {args.seed})"):
            frame = make_synthetic(rows, max(10, round(rows * N_FRAUD / N_ROWS)), seed=args.seed)
        dataset = {
            "name": "synthetic",
            "description": f"the synthetic ULB-like set ({rows:,} transactions, seed {args.seed})",
        }
    else:
        with steps.step("Loading the ULB credit-card set"):
            frame = load_creditcard(RAW_DIR, url=args.data_url, progress=not args.quiet)
            if args.rows:
                frame = frame.sample(n=min(args.rows, len(frame)), random_state=args.seed)
        dataset = {
            "name": "creditcard",
            "description": f"the ULB credit-card set ({len(frame):,} transactions)",
        }
    dataset.update(rows=len(frame), frauds=int(frame["Class"].sum()))
    payload = train(frame, dataset, seed=args.seed, steps=steps, publish=publish)

    model, baseline = payload["model"], payload["baseline"]
    if not publish:
        print(results_markdown(payload), findings_markdown(payload), sep="\n\n", end="\n\n")
    where = (
        f"results in {METRICS_FILE} and README.md"
        if publish
        else f"a quick run: only {MODEL_FILE} was written, nothing under reports/ and no change "
        "to README.md or MODEL_CARD.md (add --write-reports to write them)"
    )
    print(
        f"Done in {steps.elapsed():.1f} s. PR-AUC {model['metrics']['pr_auc']:.3f} "
        f"({model['name']}) vs {baseline['metrics']['pr_auc']:.3f} ({baseline['name']}); "
        f"{where}."
    )
    return 0


def _predict(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .predict import score_file

    scored = score_file(args.csv, args.model)
    where = write_csv(scored, args.output)
    print(
        f"Scored {len(scored):,} transactions; {int(scored['flagged'].sum()):,} flagged ({where}).",
        file=sys.stderr,
    )
    return 0


def _sample(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .data import FEATURES, make_synthetic

    frauds = max(1, round(args.rows * args.fraud_rate))  # at most args.rows, as the rate is < 1
    frame = make_synthetic(args.rows, frauds, seed=args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    frame[FEATURES].to_csv(args.output, index=False)
    print(
        f"Wrote {args.rows:,} synthetic transactions, {frauds:,} of them frauds (without "
        f"labels), to {args.output}."
    )
    return 0


def _rows_between(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from *low* to *high*."""

    def rows(text: str) -> int:
        try:
            value = positive_int(text)
        except argparse.ArgumentTypeError:  # not a number, or below 1: say the whole range
            value = 0
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}")
        return value

    return rows


def _seed(text: str) -> int:
    """An argparse type: a seed that numpy and scikit-learn both take."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {MAX_SEED:,}")
    return value


def _rate(text: str) -> float:
    """An argparse type: a share strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:  # NaN fails this too
        raise argparse.ArgumentTypeError("must be a share strictly between 0 and 1, e.g. 0.01")
    return value


def _url(text: str) -> str:
    """An argparse type: an address pooch can download from."""
    parts = urlparse(text)
    if parts.scheme not in URL_SCHEMES or not parts.netloc:
        raise argparse.ArgumentTypeError(f"must be a {', '.join(URL_SCHEMES)} address")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}",
        description="Fraud detection on card transactions: train, evaluate and score.",
    )
    commands = parser.add_subparsers(title="commands", required=True)

    train = commands.add_parser(
        "train",
        help="train the baseline and the model, write reports/ and update the README",
        description="Train a logistic-regression baseline and a gradient-boosting model, "
        "choose the alert threshold on a validation split, evaluate on a held-out test "
        "split, and write models/, reports/metrics.json, reports/figures/, README.md "
        "and MODEL_CARD.md. A quick run (--rows) prints its results and writes only "
        "models/, unless --write-reports is given.",
    )
    train.add_argument(
        "--dataset",
        choices=["synthetic", "creditcard"],
        default="synthetic",
        help="synthetic (default; offline) or creditcard, the real ULB set (downloaded once "
        "into data/raw/, about 150 MB)",
    )
    train.add_argument(
        "--rows",
        type=_rows_between(MIN_TRAIN_ROWS, N_ROWS),
        help=f"a quick run on only this many transactions ({MIN_TRAIN_ROWS:,} to {N_ROWS:,}): "
        "it prints the results and saves the model, but writes nothing under reports/ and "
        "leaves README.md and MODEL_CARD.md alone",
    )
    train.add_argument(
        "--write-reports",
        action="store_true",
        help="with --rows, write reports/ and update README.md and MODEL_CARD.md anyway "
        "(a full run always does)",
    )
    train.add_argument(
        "--seed", type=_seed, default=SEED, help=f"random seed, 0 to {MAX_SEED} (default {SEED})"
    )
    train.add_argument(
        "--data-url",
        type=_url,
        default=CREDITCARD_URL,
        help="where to download creditcard.csv (default: the copy TensorFlow's tutorials use)",
    )
    train.add_argument("-q", "--quiet", action="store_true", help="print only the results")
    train.set_defaults(run=_train)

    predict = commands.add_parser(
        "predict",
        help="score a CSV of transactions with the trained model",
        description="Score each row of a CSV with the columns Time, V1..V28 and Amount; print "
        "or write fraud_score and flagged (score at or above the model's threshold).",
    )
    predict.add_argument("csv", type=Path, help="CSV of transactions to score")
    predict.add_argument(
        "-o", "--output", type=Path, help="write the scores here instead of stdout"
    )
    predict.add_argument(
        "--model",
        type=Path,
        default=Path("models", "model.joblib"),
        help="the model saved by train (default models/model.joblib)",
    )
    predict.set_defaults(run=_predict)

    sample = commands.add_parser(
        "sample",
        help="write synthetic transactions to a CSV (to try predict)",
        description="Write unlabelled synthetic transactions to a CSV file.",
    )
    sample.add_argument(
        "-n",
        "--rows",
        type=_rows_between(1, MAX_SAMPLE_ROWS),
        default=1_000,
        help=f"how many transactions, 1 to {MAX_SAMPLE_ROWS:,} (default 1,000)",
    )
    sample.add_argument(
        "--fraud-rate",
        type=_rate,
        default=0.01,
        help="share of frauds, strictly between 0 and 1 (default 0.01); at least one is written",
    )
    sample.add_argument(
        "--seed",
        type=_seed,
        default=(SEED + 1) % (MAX_SEED + 1),  # wraps round at the largest seed
        help="random seed (default: the project's seed + 1, so the rows differ from training's)",
    )
    sample.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("data", "processed", "sample_transactions.csv"),
        help="the CSV to write (default data/processed/sample_transactions.csv)",
    )
    sample.set_defaults(run=_sample)
    return parser


if __name__ == "__main__":
    sys.exit(main())
