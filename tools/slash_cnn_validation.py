"""Model selection for the slash CNNs WITHOUT the test set.

Trains each candidate configuration on the pipeline's 750 training images (run 0's split of the
pipeline) for several init seeds and scores it on a fresh validation set drawn from the
generator with a seed stream the pipeline never uses. Prints mean/min validation accuracy.

    python tools/slash_cnn_validation.py [--seeds 5] [--n-val 2000]
"""

from __future__ import annotations

import argparse

import torch
import yaml

from dlrepro.core.determinism import configure, configure_torch, rng, stream_seed
from dlrepro.core.repeats import run_seed
from dlrepro.studies.slash.data import make_slash, stratified_split
from dlrepro.studies.slash.train import train_cnn

CANDIDATES = {
    "vanilla_cnn": [{}],
    # padding 0 was the first design: its validation errors were all slashes at the border
    "custom_cnn": [
        {"padding": 0},
        {},
        {"padding": 1},
        {"padding": 0, "filters": 4},
        {"filters": 4},
    ],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--n-val", type=int, default=2000)
    ap.add_argument("--models", nargs="+", default=list(CANDIDATES))
    args = ap.parse_args()
    params = yaml.safe_load(open("params/slash.yaml"))
    seed, d = params["seed"], params["slash"]["data"]
    configure(seed, params["threads"])
    x, y = make_slash(
        d["n_per_class"], d["size"], d["length"], d["noise"], rng(seed, "slash", "generate")
    )
    train, _ = stratified_split(
        y,
        params["slash"]["split"]["test_size"],
        stream_seed(run_seed(seed, "slash", 0), "slash", "split"),
    )
    xv, yv = make_slash(
        args.n_val // 2, d["size"], d["length"], d["noise"], rng(seed, "slash", "validation")
    )
    split = {"x_train": x[train], "y_train": y[train], "x_test": xv, "y_test": yv}
    for name in args.models:
        for change in CANDIDATES[name]:
            hp = {**params["slash"]["models"][name], **change}
            accs = []
            for s in range(args.seeds):
                configure_torch(s, params["threads"])
                _, m, _ = train_cnn(name, hp, split, s, torch.device("cpu"))
                accs.append(m["test_acc"])  # "test" here is the fresh validation set
            print(
                f"{name} {change or 'params.yaml'}: params {m['trainable_params']}, "
                f"val acc mean {sum(accs) / len(accs):.4f} min {min(accs):.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
