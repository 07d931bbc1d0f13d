"""Data steps shared by studies:

    dlrepro fetch --name NAME --out FILE     copy a registered raw file (mirror or URL), sha256-verified
    dlrepro mnist --train-images ... --out   the four MNIST IDX files -> one checked .npz

MNIST is shared by every MNIST study: the four IDX files (mirror or URL) become one dataset
artifact with the standard 60,000 / 10,000 split; studies take subsets in their params.
"""

from __future__ import annotations

from dlrepro.data.fetch import REGISTRY
from dlrepro.pipeline.declare import In, Out, Steps, Value, Wildcard

steps = Steps("mnist", command=())

MNIST = "data/processed/mnist/mnist.npz"
MNIST_PARTS = ("train_images", "train_labels", "test_images", "test_labels")
MNIST_RAW = {part: f"data/raw/{REGISTRY[f'mnist_{part}'].relpath}" for part in MNIST_PARTS}
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
_NAME_OF_FILE = {path.split("/")[-1]: f"mnist_{part}" for part, path in MNIST_RAW.items()}


def fetch(args, ctx) -> None:
    """copy a registered raw file (mirror or URL), sha256-verified"""
    from pathlib import Path

    from dlrepro.data.fetch import fetch as fetch_file, resolve_mirror

    fetch_file(args.name, Path(args.out), resolve_mirror(ctx.params["mirror"]))


# `dlrepro fetch` is the command of every raw file; studies declare their own (quora's cli)
steps.step(step_name="fetch", command=("fetch",), record=("data", "fetch"), runtime=30,
           file=Wildcard(choices=tuple(_NAME_OF_FILE), in_command=False),
           name=Value(lambda w, config: _NAME_OF_FILE[w.file]),
           out=Out("data/raw/mnist/{file}"))(fetch)


@steps.step(step_name="prepare", command=("mnist",), runtime=15, mem_mb=2000,
            **{part: In(path) for part, path in MNIST_RAW.items()}, out=Out(MNIST))
def prepare(args, ctx) -> None:
    """the four MNIST IDX files -> one checked .npz (shared data)"""
    from dlrepro.core.io import write_npz
    from dlrepro.data.fetch import resolve_mirror, verified_raw
    from dlrepro.data.mnist import read_mnist

    mirror = resolve_mirror(ctx.params["mirror"])
    parts = [verified_raw(getattr(args, part), mirror) for part in MNIST_PARTS]
    data = read_mnist(*parts)
    write_npz(args.out, **{k: data[k] for k in MNIST_KEYS})
