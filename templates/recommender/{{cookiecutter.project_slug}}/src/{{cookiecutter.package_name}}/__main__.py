"""Command line: ``python -m {{ cookiecutter.package_name }} train | recommend``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import SEED
from .commands import positive_int, run
from .data import ML100K_URL, DataError


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
    payload = train(ratings, titles, dataset, seed=args.seed, l2=args.l2, steps=steps)
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
    if result.known:
        print(f"Top {args.k} for user {args.user} (who rated {result.seen} movies):")
    else:
        print(
            f"User {args.user} is not in the training data, so here are the {args.k} most "
            "popular movies instead:"
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
        description="Hold out 20 %% of each user's ratings, fit a popularity baseline and EASE, "
        "rank the full catalogue, and write models/, reports/metrics.json, reports/figures/, "
        "README.md and MODEL_CARD.md.",
    )
    train.add_argument(
        "--dataset",
        choices=["synthetic", "movielens"],
        default="synthetic",
        help="synthetic (default; offline) or movielens, the real MovieLens-100k (downloaded "
        "once into data/raw/, 5 MB)",
    )
    train.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    train.add_argument("--l2", type=float, default=300.0, help="EASE's L2 penalty (default 300)")
    train.add_argument("--data-url", default=ML100K_URL, help="where to download ml-100k.zip")
    train.add_argument("-q", "--quiet", action="store_true", help="print only the final summary")
    train.set_defaults(run=_train)

    recommend = commands.add_parser(
        "recommend",
        help="print a user's top movies from the trained model",
        description="Print the top movies for a user, from the model saved by train. An "
        "unknown user gets the most popular movies.",
    )
    recommend.add_argument("--user", type=int, required=True, help="user id (1-943)")
    recommend.add_argument("-k", type=positive_int, default=10, help="how many (default 10)")
    recommend.add_argument("--model", type=Path, default=Path("models", "model.npz"))
    recommend.set_defaults(run=_recommend)
    return parser


if __name__ == "__main__":
    sys.exit(main())
