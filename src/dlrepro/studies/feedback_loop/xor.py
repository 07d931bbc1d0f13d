"""XOR with and without a hidden layer (the lesson: "a single layer network could not learn XOR
... Adding a single additional layer means that a network can learn any function").

Both nets are trained the same way (full-batch gradient descent on the mean binary
cross-entropy of the 4 points, same learning rate and epochs); the only difference is the
hidden layer:
- single layer: p = sigmoid(x . w + b) (logistic regression; a linear threshold on the inputs,
  so at most 3 of the 4 XOR points can be right, whatever the training);
- one hidden layer: p = sigmoid(tanh(x W1 + b1) . w2 + b2).
Every run is an independent initialisation; runs are trained side by side (one batch axis).
"""

from __future__ import annotations

import numpy as np

from dlrepro.core.repeats import describe, run_seed
from dlrepro.errors import DlreproError

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
NETS = ("single_layer", "hidden_layer")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for large |z|


def init(rngs: list[np.random.Generator], hidden: int, scale: float) -> dict[str, np.ndarray]:
    """Weights ~ N(0, scale^2), biases 0, one set per run (axis 0), each from its run's stream."""
    draws = [
        (rng.normal(0, scale, (2, hidden)), rng.normal(0, scale, hidden), rng.normal(0, scale, 2))
        for rng in rngs
    ]
    runs = len(rngs)
    return {
        "W1": np.stack([d[0] for d in draws]),  # [runs, 2, hidden]
        "b1": np.zeros((runs, hidden)),
        "w2": np.stack([d[1] for d in draws]),  # [runs, hidden]
        "b2": np.zeros(runs),
        "w": np.stack([d[2] for d in draws]),  # single layer [runs, 2]
        "b": np.zeros(runs),
    }


def logits(net: str, w: dict[str, np.ndarray], x: np.ndarray = X) -> np.ndarray:
    """[runs, points] pre-sigmoid outputs."""
    if net == "single_layer":
        return np.einsum("pi,ri->rp", x, w["w"]) + w["b"][:, None]
    h = np.tanh(np.einsum("pi,rih->rph", x, w["W1"]) + w["b1"][:, None, :])
    return np.einsum("rph,rh->rp", h, w["w2"]) + w["b2"][:, None]


def _step(net: str, w: dict[str, np.ndarray], lr: float) -> None:
    """One full-batch gradient step on the mean cross-entropy, every run at once (in place)."""
    err = (_sigmoid(logits(net, w)) - Y) / len(Y)  # d loss / d logit, [runs, points]
    if net == "single_layer":
        w["w"] -= lr * np.einsum("rp,pi->ri", err, X)
        w["b"] -= lr * err.sum(axis=1)
        return
    h = np.tanh(np.einsum("pi,rih->rph", X, w["W1"]) + w["b1"][:, None, :])
    dh = err[:, :, None] * w["w2"][:, None, :] * (1.0 - h**2)  # [runs, points, hidden]
    w["w2"] -= lr * np.einsum("rp,rph->rh", err, h)
    w["b2"] -= lr * err.sum(axis=1)
    w["W1"] -= lr * np.einsum("pi,rph->rih", X, dh)
    w["b1"] -= lr * dh.sum(axis=1)


def accuracy(z: np.ndarray) -> np.ndarray:
    """Share of the 4 points right per run (class 1 where the logit is > 0)."""
    return ((z > 0) == (Y > 0.5)).mean(axis=-1)


def train(p: dict, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """Both nets over p['runs'] runs: final accuracy and loss per run."""
    if p["runs"] < 1 or p["epochs"] < 1:
        raise DlreproError(f"feedback_loop xor: runs and epochs must be >= 1, got {p}")
    rngs = [
        np.random.default_rng(run_seed(seed, "feedback_loop", r, "xor")) for r in range(p["runs"])
    ]
    w = init(rngs, p["hidden"], p["init_scale"])
    out = {}
    for net in NETS:
        for _ in range(p["epochs"]):
            _step(net, w, p["lr"])
        z = logits(net, w)
        prob = np.clip(_sigmoid(z), 1e-12, 1 - 1e-12)
        loss = -(Y * np.log(prob) + (1 - Y) * np.log(1 - prob)).mean(axis=1)
        out[net] = {"accuracy": accuracy(z), "loss": loss}
    return out


def summarise(result: dict[str, dict[str, np.ndarray]], p: dict) -> dict:
    """Per net: accuracy and loss described over the runs (every run kept, in run order), and
    the share of runs with all 4 points right."""
    return {
        "runs": p["runs"],
        **{
            net: {
                "accuracy": describe(r["accuracy"].tolist()),
                "final_loss": describe(r["loss"].tolist()),
                "share_of_runs_all_four_right": float((r["accuracy"] == 1.0).mean()),
            }
            for net, r in result.items()
        },
    }
