"""Command line: ``python -m {{ cookiecutter.package_name }} train | predict``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import SEED
from .commands import positive_int, run
from .data import OPENML_SETS, DataError

# The defaults of train.py, repeated so that `--help` and a typo need not import
# torch (a second or two); a test checks that they agree.
MAX_EPOCHS = 60
MODEL_FILE = Path("models", "model.pt")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage)."""
    return run(_parser(), argv, (DataError, FileNotFoundError))


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import torch

    from .data import load_digits_set, load_folder, load_openml_set
    from .progress import Steps
    from .train import METRICS_FILE, train

    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU is available to PyTorch here; use --device cpu")
    if args.dataset == "folder" and args.data_dir is None:
        parser.error("--dataset folder needs --data-dir, a folder with one sub-folder per class")
    if args.dataset == "folder" and not args.data_dir.is_dir():
        # Checked before the first step starts, so the message is a line of its own.
        parser.error(f"--data-dir {args.data_dir}: no such folder")
    torch.manual_seed(args.seed)
    steps = Steps(5, quiet=args.quiet)
    with steps.step(f"Loading the {args.dataset} images"):
        if args.dataset == "digits":
            data = load_digits_set()
        elif args.dataset == "folder":
            data = load_folder(args.data_dir, args.image_size, args.color)
        else:
            data = load_openml_set(args.dataset)
    payload = train(data, seed=args.seed, device=args.device, max_epochs=args.epochs, steps=steps)
    model, baseline = payload["model"], payload["baseline"]
    print(
        f"Done in {steps.elapsed():.1f} s. Test accuracy {model['metrics']['accuracy']:.3f} "
        f"({model['name']}) vs {baseline['metrics']['accuracy']:.3f} ({baseline['name']}); "
        f"results in {METRICS_FILE} and README.md."
    )
    return 0


def _predict(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .predict import classify

    for file, label, probability in classify(args.images, args.model):
        print(f"{file}\t{label}\t{probability:.3f}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}",
        description="Image classification with a small PyTorch CNN: train and predict.",
    )
    commands = parser.add_subparsers(title="commands", required=True)

    train = commands.add_parser(
        "train",
        help="train the CNN and the baselines, write reports/ and update the README",
        description="Train a small CNN with early stopping and two baselines on the pixels (an "
        "RBF SVM and logistic regression), evaluate them on a held-out test split, and write "
        "models/model.pt, reports/metrics.json, reports/figures/, README.md and MODEL_CARD.md.",
    )
    train.add_argument(
        "--dataset",
        choices=["digits", *OPENML_SETS, "folder"],
        default="digits",
        help="digits (default; offline, 8 x 8), mnist or fashion-mnist (downloaded once from "
        "OpenML, 28 x 28), or folder (your own images; see --data-dir)",
    )
    train.add_argument("--data-dir", type=Path, help="for --dataset folder: one sub-folder a class")
    train.add_argument(
        "--image-size",
        type=positive_int,
        default=32,
        help="for --dataset folder: resize images to this square size (32)",
    )
    train.add_argument("--color", action="store_true", help="for --dataset folder: keep colour")
    train.add_argument(
        "--epochs",
        type=positive_int,
        default=MAX_EPOCHS,
        help=f"train for at most this many epochs; early stopping usually ends sooner "
        f"(default {MAX_EPOCHS})",
    )
    train.add_argument(
        "--device",
        choices=["cpu", "cuda"],
        default="cpu",
        help="where to train (default cpu; cuda needs a GPU build of PyTorch)",
    )
    train.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    train.add_argument("-q", "--quiet", action="store_true", help="print only the final summary")
    train.set_defaults(run=_train)

    predict = commands.add_parser(
        "predict",
        help="classify image files with the trained CNN",
        description="Classify PNG or JPEG files of any size (each is resized to the model's "
        "input; a dark-on-light digit is inverted to match the training images). Prints "
        "file, class and probability, one file a line.",
    )
    predict.add_argument("images", type=Path, nargs="+", help="image files")
    predict.add_argument(
        "--model",
        type=Path,
        default=MODEL_FILE,
        help=f"the checkpoint written by train (default {MODEL_FILE.as_posix()})",
    )
    predict.set_defaults(run=_predict)
    return parser


if __name__ == "__main__":
    sys.exit(main())
