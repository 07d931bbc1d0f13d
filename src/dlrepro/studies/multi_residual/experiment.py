"""One run seed of the study: train the ResNet, the plain net and the multi-residual net; lesion
the ResNet and the plain net block by block; measure the ResNet's gradient per path length and
its effective range; train a ResNet on sampled paths in that range. Every net of a run sees the
same mini-batch order (paired runs); each net has its own init seed."""

from __future__ import annotations

import torch

from dlrepro.classifier.train import train_classifier
from dlrepro.core.repeats import run_seed
from dlrepro.core.torch_utils import trainable_parameters
from dlrepro.errors import DlreproError
from dlrepro.studies.multi_residual import lesion, paths
from dlrepro.studies.multi_residual.models import BlockNet, block_sampler

STUDY = "multi_residual"


def _net(p: dict, inputs: int, variant: str) -> BlockNet:
    n, k = p["blocks"], p["functions"]
    if n % k:
        raise DlreproError(f"params {STUDY}.model: blocks {n} is not a multiple of functions {k}")
    if variant == "multi":  # n/k blocks of k functions: the ResNet's parameters, 1/k its depth
        return BlockNet(inputs, p["width"], n // k, functions=k)
    return BlockNet(inputs, p["width"], n, residual=variant != "plain")


def run_experiment(d: dict, p: dict, seed: int, run: int, device: torch.device) -> dict:
    t = p["training"]
    batches = run_seed(seed, STUDY, run, "batches")

    def train(variant: str, model_seed_name: str, configure=None) -> tuple[BlockNet, dict]:
        torch.manual_seed(run_seed(seed, STUDY, run, "init", model_seed_name))
        model = _net(p["model"], d["x_train"].shape[1], variant)
        if configure is not None:
            configure(model)
        history = train_classifier(
            model, d["x_train"], d["y_train"], epochs=t["epochs"], batch_size=t["batch_size"],
            lr=t["lr"], seed=batches, device=device, desc=f"{STUDY}-{model_seed_name}-{run}",
        )  # fmt: skip
        return model.cpu(), {"train_acc": history[-1]["train_acc"], "history": history}

    nets, out = {}, {"run": run, "test_acc": {}, "train": {}, "parameters": {}}
    for variant in ("resnet", "plain", "multi"):
        nets[variant], out["train"][variant] = train(variant, variant)
        out["test_acc"][variant] = lesion.test_accuracy(nets[variant], d["x_test"], d["y_test"])
        out["parameters"][variant] = trainable_parameters(nets[variant])
    out["lesion"] = {
        v: lesion.accuracy_without_each_block(nets[v], d["x_test"], d["y_test"])
        for v in ("resnet", "plain")
    }

    # gradient per path length on held-out training-split images (never the test set)
    g = p["gradient"]
    norms = paths.gradient_norm_per_length(
        nets["resnet"], d["x_val"][: g["examples"]], d["y_val"][: g["examples"]], g["samples"],
        torch.Generator().manual_seed(run_seed(seed, STUDY, run, "paths")),
    )  # fmt: skip
    shares = paths.contribution(norms)
    low, high = paths.effective_range(shares, g["mass"])
    out["gradient"] = {"norms": norms, "shares": shares, "low": low, "high": high}

    # training on the effective paths only: per mini-batch k blocks kept, k uniform in the
    # range (at least one block); at test every block, scaled by the expected kept share
    kept_low = max(low, 1)
    sampler = torch.Generator().manual_seed(run_seed(seed, STUDY, run, "sampler"))

    def sample_paths(model: BlockNet) -> None:
        model.sampler = block_sampler(model.n_blocks, kept_low, high, sampler)

    nets["effective"], out["train"]["effective"] = train("resnet", "effective", sample_paths)
    scale = (kept_low + high) / 2 / p["model"]["blocks"]
    out["effective"] = {"kept_low": kept_low, "kept_high": high, "scale": scale}
    nets["effective"].residual_scale = scale
    out["test_acc"]["effective"] = lesion.test_accuracy(nets["effective"], d["x_test"], d["y_test"])
    nets["effective"].residual_scale = 1.0
    out["test_acc"]["effective_unscaled"] = lesion.test_accuracy(
        nets["effective"], d["x_test"], d["y_test"]
    )
    return out
