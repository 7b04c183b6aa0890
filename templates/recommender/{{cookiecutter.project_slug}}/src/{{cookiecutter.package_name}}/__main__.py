"""Command line: ``python -m {{ cookiecutter.package_name }} train | recommend``."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from . import SEED
from .commands import positive_int, run
from .data import ML100K_URL, DataError
from .models import L2_GRID, MODEL_FILE


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage)."""
    return run(_parser(), argv, (DataError, FileNotFoundError))


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .data import download_movielens, make_synthetic, read_ratings, read_titles
    from .progress import Steps
    from .train import METRICS_FILE, train

    steps = Steps(6, quiet=args.quiet)
    if args.dataset == "synthetic":
        with steps.step(f"Generating synthetic MovieLens-shaped ratings (seed {args.seed})"):
            folder = make_synthetic(seed=args.seed)
        description, detail = "the synthetic MovieLens-shaped set", f", seed {args.seed}"
    else:
        with steps.step("Getting MovieLens-100k"):
            folder = download_movielens(url=args.data_url, progress=not args.quiet)
        description, detail = "MovieLens-100k", ""
    ratings, titles = read_ratings(folder / "u.data"), read_titles(folder / "u.item")
    summary = f"{description} ({len(ratings):,} ratings{detail})"
    dataset = {"name": args.dataset, "description": summary}
    payload = train(ratings, titles, dataset, seed=args.seed, l2_grid=args.l2, steps=steps)
    model, baseline = payload["model"], payload["baseline"]
    print(
        f"Done in {steps.elapsed():.1f} s. NDCG@10 {model['metrics']['ndcg@10']:.3f} "
        f"({model['name']}) vs {baseline['metrics']['ndcg@10']:.3f} ({baseline['name']}); "
        f"results in {METRICS_FILE} and README.md."
    )
    return 0


def _recommend(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .recommend import recommend

    result = recommend(args.user, args.k, args.model)
    shown = len(result.items)
    if result.known:
        print(f"Top {shown} for user {args.user} (who rated {result.seen} movies):")
    else:
        print(
            f"User {args.user} is not in the training data, so here are the {shown} most "
            "popular movies instead:"
        )
    if shown < args.k:
        print(
            f"(-k {args.k} asks for more than the {result.unseen} movies this user has not "
            f"rated; rated movies are never recommended, so {shown} are listed.)"
        )
    for rank, (item, title, score) in enumerate(result.items, start=1):
        print(f"{rank:3}. {title}  (item {item}, score {score:.3g})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}",
        description="Top-N movie recommendations: train, evaluate and recommend.",
    )
    commands = parser.add_subparsers(title="commands", required=True)

    train = commands.add_parser(
        "train",
        help="fit popularity and EASE, evaluate, write reports/ and update the README",
        # argparse %-formats help= strings but not description=: a single % here.
        description="Hold out 20 % of each user's ratings for testing, choose EASE's L2 "
        "penalty on a validation split carved from the rest, fit a popularity baseline and "
        "EASE, rank the full catalogue, and write models/, reports/metrics.json, "
        "reports/figures/, README.md and MODEL_CARD.md.",
    )
    train.add_argument(
        "--dataset",
        choices=["synthetic", "movielens"],
        default="synthetic",
        help="synthetic (default; offline) or movielens, the real MovieLens-100k (downloaded "
        "once into data/raw/, 5 MB)",
    )
    train.add_argument(
        "--seed", type=seed_value, default=SEED, help=f"random seed, 0 to 2**32-1 (default {SEED})"
    )
    train.add_argument(
        "--l2",
        type=positive_float,
        nargs="+",
        default=list(L2_GRID),
        metavar="L2",
        help="the L2 penalties for EASE to try on the validation split (default "
        f"{' '.join(f'{value:g}' for value in L2_GRID)}); give one value to fix it",
    )
    train.add_argument("--data-url", default=ML100K_URL, help="where to download ml-100k.zip")
    train.add_argument("-q", "--quiet", action="store_true", help="print only the final summary")
    train.set_defaults(run=_train)

    recommend = commands.add_parser(
        "recommend",
        help="print a user's top movies from the trained model",
        description="Print the top movies for a user, from the model saved by train. An "
        "unknown user gets the most popular movies.",
    )
    recommend.add_argument(
        "--user",
        type=positive_int,
        required=True,
        help="user id (1-943 in MovieLens-100k and the synthetic set)",
    )
    recommend.add_argument(
        "-k",
        type=positive_int,
        default=10,
        help="how many movies (default 10; at most the movies the user has not rated)",
    )
    recommend.add_argument(
        "--model",
        type=Path,
        default=MODEL_FILE,
        help=f"the model saved by train (default {MODEL_FILE.as_posix()})",
    )
    recommend.set_defaults(run=_recommend)
    return parser


def seed_value(text: str) -> int:
    """An argparse type: a seed numpy accepts and the project's seeds use, 0 to 2**32 - 1."""
    value = int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError("must be a whole number from 0 to 4294967295")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0 (EASE's inverse needs a positive L2)."""
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError("must be a number above 0")
    return value


if __name__ == "__main__":
    sys.exit(main())
