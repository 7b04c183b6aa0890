"""Command line: ``python -m {{ cookiecutter.package_name }} train | predict | sample``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import SEED
from .commands import positive_int, run
from .csv_output import write_csv
from .data import CREDITCARD_URL, N_FRAUD, N_ROWS, RAW_DIR, DataError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage)."""
    return run(_parser(), argv, (DataError, FileNotFoundError))


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .data import load_creditcard, make_synthetic
    from .progress import Steps
    from .train import METRICS_FILE, train

    steps = Steps(6, quiet=args.quiet)
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
    payload = train(frame, dataset, seed=args.seed, steps=steps)

    model, baseline = payload["model"], payload["baseline"]
    print(
        f"Done in {steps.elapsed():.1f} s. PR-AUC {model['metrics']['pr_auc']:.3f} "
        f"({model['name']}) vs {baseline['metrics']['pr_auc']:.3f} ({baseline['name']}); "
        f"results in {METRICS_FILE} and README.md."
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

    frame = make_synthetic(args.rows, max(1, round(args.rows * args.fraud_rate)), seed=args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    frame[FEATURES].to_csv(args.output, index=False)
    print(f"Wrote {args.rows:,} synthetic transactions (without labels) to {args.output}.")
    return 0


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
        "and MODEL_CARD.md.",
    )
    train.add_argument(
        "--dataset",
        choices=["synthetic", "creditcard"],
        default="synthetic",
        help="synthetic (default; offline) or creditcard, the real ULB set (downloaded once "
        "into data/raw/, about 150 MB)",
    )
    train.add_argument(
        "--rows", type=positive_int, help="use only this many transactions (quick runs)"
    )
    train.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    train.add_argument(
        "--data-url", default=CREDITCARD_URL, help="where to download creditcard.csv"
    )
    train.add_argument("-q", "--quiet", action="store_true", help="print only the final summary")
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
    predict.add_argument("--model", type=Path, default=Path("models", "model.joblib"))
    predict.set_defaults(run=_predict)

    sample = commands.add_parser(
        "sample",
        help="write synthetic transactions to a CSV (to try predict)",
        description="Write unlabelled synthetic transactions to a CSV file.",
    )
    sample.add_argument(
        "-n", "--rows", type=positive_int, default=1_000, help="how many (default 1000)"
    )
    sample.add_argument("--fraud-rate", type=float, default=0.01, help="share of frauds (0.01)")
    sample.add_argument("--seed", type=int, default=SEED + 1, help="random seed")
    sample.add_argument(
        "-o", "--output", type=Path, default=Path("data", "processed", "sample_transactions.csv")
    )
    sample.set_defaults(run=_sample)
    return parser


if __name__ == "__main__":
    sys.exit(main())
