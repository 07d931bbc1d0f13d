"""What "trainable params" of a random forest could count: candidates measured, not fitted.

The post gives 9,183 for its Random Forest and no code. One forest of the largest size asked
for is grown with the pipeline's own estimator and seed (models.make_sklearn, the run's
"random_forest" stream): scikit-learn seeds tree i from the forest's seed in order, so its
first n_estimators trees are exactly the trees of the pipeline's model, and the first k trees
are what a forest of k trees would have grown. For each k we count the trees' nodes, leaves
and split (internal) nodes, summed over the k trees.
"""

from __future__ import annotations

import numpy as np

from dlrepro.core.determinism import stream_seed
from dlrepro.studies.slash import models


def forest_sizes(x_train: np.ndarray, y_train: np.ndarray, hp: dict, trees: list[int], seed: int):
    """{"trees_<k>": {nodes, leaves, splits}} for each k in `trees`, and nodes_per_tree (mean
    over the largest forest's trees). `hp`: the pipeline's random_forest params; `seed`: the
    run's base seed, as train.fit_sklearn takes it."""
    n = max(trees)
    model = models.make_sklearn(
        "random_forest", {**hp, "n_estimators": n}, stream_seed(seed, "slash", "random_forest")
    )
    model.fit(x_train.reshape(len(x_train), -1), y_train)
    nodes = np.array([t.tree_.node_count for t in model.estimators_])
    leaves = np.array([t.tree_.n_leaves for t in model.estimators_])
    out = {
        f"trees_{k}": {
            "nodes": int(nodes[:k].sum()),
            "leaves": int(leaves[:k].sum()),
            "splits": int(nodes[:k].sum() - leaves[:k].sum()),
        }
        for k in sorted(set(trees))
    }
    out["nodes_per_tree"] = float(nodes.mean())
    return out
