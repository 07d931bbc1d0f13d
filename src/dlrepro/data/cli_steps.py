"""Data steps shared by studies:

    dlrepro fetch --name NAME --out FILE     copy a registered raw file (mirror or URL), sha256-verified
    dlrepro mnist --train-images ... --out   the four MNIST IDX files -> one checked .npz
"""

from __future__ import annotations

from dlrepro.core.step import InputFile, OutputFile


def add_arguments(p) -> None:
    p.add_argument("--name", required=True, help="a name in dlrepro.data.fetch.REGISTRY")
    p.add_argument("--out", type=OutputFile, required=True)


def fetch_step(args, ctx) -> None:
    from pathlib import Path

    from dlrepro.data.fetch import fetch, resolve_mirror

    fetch(args.name, Path(args.out), resolve_mirror(ctx.params["mirror"]))


MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


def add_mnist_arguments(p) -> None:
    for part in ("train-images", "train-labels", "test-images", "test-labels"):
        p.add_argument(f"--{part}", type=InputFile, required=True)
    p.add_argument("--out", type=OutputFile, required=True)


def mnist_step(args, ctx) -> None:
    from dlrepro.core.io import write_npz
    from dlrepro.data.mnist import read_mnist

    data = read_mnist(args.train_images, args.train_labels, args.test_images, args.test_labels)
    write_npz(args.out, **{k: data[k] for k in MNIST_KEYS})
