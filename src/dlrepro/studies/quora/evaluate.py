"""Test scores of trained models recomputed from their saved weights, two ways of BatchNorm.

Cheap (no training): a model is rebuilt from its spec, loaded, and scored on its test pairs
- with BN running averages (PyTorch eval mode: how every variant of ours is reported unless
  its spec says bn_test: batch), and
- with each test batch's own statistics, in shuffled batches of 128 (Keras 1 BN mode=2, what
  the linked code's `net.predict(..., batch_size=128)` did).
Per way: accuracy, the share called duplicate, and the linked code's number
`labels[distance < 0.5].mean()` (train.test_scores), the precision of the "duplicate" calls.
For the FC-head models (fc_head, birnn_conv), whose output is a logit and not a distance, the
analogue is the precision of logit > 0 (probability > 0.5), the same rule that scores their
accuracy. The run's own way (its spec's bn_test) reproduces the train step's metrics.
"""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.core.torch_utils import load_weights
from dlrepro.studies.quora import models
from dlrepro.studies.quora.train import majority_accuracy, order_seed, test_scores, to_tensors

WAYS = models.BN_TEST  # ("running", "batch")


def has_batchnorm(model: torch.nn.Module) -> bool:
    return any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())


def score_run(model: models.SiameseNet, test: tuple, seed: int) -> dict[str, torch.Tensor]:
    """{way: float scores of the test pairs in their order} for both BN ways."""
    a, b, _ = test
    return {
        "running": models.scores(model, a, b, bn="running"),
        "batch": models.scores(model, a, b, bn="batch", order_seed=order_seed(seed)),
    }


def evaluate_variant(
    spec: dict, data: dict, weights: list, seeds: list[int], embeddings=None
) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Per run (weights[r] trained with run seed seeds[r]): its test scores both ways.

    Returns (records, arrays): a record per run {run, bn_test (the spec's: how the run is
    reported), has_batchnorm, test_majority_acc,
    running: {test_acc, test_positive_rate, test_precision}, batch: {...}}; arrays: "y" and
    "test_rows" (row of each test pair in the features file) once, "{run}_{way}" the scores."""
    spec = models.validate_spec(spec)
    splits = to_tensors(spec, data, torch.device("cpu"), embeddings)
    y = splits["test"][2]
    arrays = {
        "y": y.numpy().astype(np.int8),
        "test_rows": np.flatnonzero(~np.asarray(data["is_train"], dtype=bool)).astype(np.int32),
    }
    records = []
    for run, (path, seed) in enumerate(zip(weights, seeds)):
        model = load_weights(path, models.build_model(spec, embeddings))
        record = {
            "run": run,
            "bn_test": spec["bn_test"],
            "has_batchnorm": has_batchnorm(model),
            "test_majority_acc": majority_accuracy(splits),
        }
        for way, s in score_run(model, splits["test"], seed).items():
            record[way] = test_scores(model.decide(s).long(), y)
            arrays[f"{run}_{way}"] = s.numpy().astype(np.float32)
        records.append(record)
    return records, arrays
