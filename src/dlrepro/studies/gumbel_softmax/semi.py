"""Semi-supervised MNIST with few labels: the data split and both training loops.

Split (params `semi.data`): images downsampled by average pooling and flattened; labelled images:
`per_class` per class drawn per run from the first `unlabelled` training images, which (without
labels) are the unlabelled set; the next `validation` training images (with labels) choose the
checkpoint; the test set is used once, for the checkpoint the validation set chose. Only the
images used are converted (a smoke job must not pay for all 60,000)."""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F

from dlrepro.classifier.labels import balanced_indices
from dlrepro.classifier.mnist import load_mnist
from dlrepro.errors import DlreproError
from dlrepro.studies.gumbel_softmax.models import M2, classifier
from dlrepro.studies.gumbel_softmax.variants import VARIANTS


def prepare(path, d: dict, rng: np.random.Generator) -> dict[str, torch.Tensor]:
    n_train = d["unlabelled"] + d["validation"]
    if n_train > 60000:
        raise DlreproError(f"semi.data: unlabelled + validation = {n_train} > 60000 images")
    m = load_mnist(path, {"train_size": n_train, "test_size": d["test_size"]})

    def flat(x):
        return F.avg_pool2d(x, d["downsample"]).flatten(1) if d["downsample"] > 1 else x.flatten(1)

    x, y = flat(m["x_train"]), m["y_train"]
    unl = slice(0, d["unlabelled"])
    labelled = torch.from_numpy(balanced_indices(y[unl].numpy(), d["per_class"], rng))
    return {
        "x_unlabelled": x[unl],
        "x_labelled": x[labelled],
        "y_labelled": y[labelled],
        "x_val": x[d["unlabelled"] :],
        "y_val": y[d["unlabelled"] :],
        "x_test": flat(m["x_test"]),
        "y_test": m["y_test"],
    }


def temperature(step: int, steps: int, start: float, end: float) -> float:
    """Geometric annealing from `start` at step 0 to `end` at the last step."""
    return start * (end / start) ** (step / max(steps - 1, 1))


@torch.no_grad()
def accuracy(net, x, y) -> float:
    net.eval()
    acc = float((net(x).argmax(1) == y).double().mean())
    net.train()
    return acc


def train(variant: str, data: dict, p: dict, seeds: dict, device=None) -> dict:
    """Train one variant; every `eval_every` steps, validation accuracy; the classifier of the
    best validation step (first of ties) is the one tested. seeds: init, batches, noise."""
    if variant not in VARIANTS:
        raise DlreproError(f"unknown variant {variant!r} (one of {', '.join(VARIANTS)})")
    inputs = data["x_labelled"].shape[1]
    torch.manual_seed(seeds["init"])  # the same classifier init in both variants (paired runs)
    net = classifier(inputs, p["hidden"])
    if variant == "gumbel_m2":
        model = M2(inputs, p["hidden"], p["latent"])
        model.classify = net
    else:
        model = net
    model.to(device or "cpu")
    optimiser = torch.optim.Adam(model.parameters(), lr=p["lr"])
    order = torch.Generator().manual_seed(seeds["batches"])
    torch.manual_seed(seeds["noise"])  # Gumbel and Gaussian noise of the M2 losses
    xl, yl, xu = data["x_labelled"], data["y_labelled"], data["x_unlabelled"]
    best, history, perm, at = (-1.0, 0, None), [], torch.empty(0, dtype=torch.long), 0
    for step in range(p["steps"]):
        if variant == "supervised":
            loss = F.cross_entropy(net(xl), yl)
        else:
            if at + p["batch_size"] > len(perm):
                perm, at = torch.randperm(len(xu), generator=order).to(xu.device), 0
            xb = xu[perm[at : at + p["batch_size"]]]
            at += p["batch_size"]
            tau = temperature(step, p["steps"], p["tau_start"], p["tau_end"])
            loss = model.labelled_loss(xl, yl, p["alpha"]) + model.unlabelled_loss(xb, tau)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if (step + 1) % p["eval_every"] == 0 or step + 1 == p["steps"]:
            val = accuracy(net, data["x_val"], data["y_val"])
            history.append({"step": step + 1, "loss": loss.item(), "val_acc": val})
            if val > best[0]:
                best = (val, step + 1, copy.deepcopy(net.state_dict()))
    net.load_state_dict(best[2])
    return {
        "val_acc": best[0],
        "best_step": best[1],
        "test_acc": accuracy(net, data["x_test"], data["y_test"]),
        "train_acc": accuracy(net, xl, yl),
        "history": history,
    }
