"""The nine models of the post's table: seven scikit-learn estimators and two small CNNs.

Defaults of the post's era (scikit-learn < 0.22) are pinned explicitly in params.yaml:
SVC(gamma='auto'), RandomForestClassifier(n_estimators=10), LogisticRegression(solver='liblinear').
"""

from __future__ import annotations

import torch
from torch import nn

# shared: the kernels study reads this net's trained weights
from dlrepro.classifier.vanilla_cnn import VanillaCNN


def make_sklearn(name: str, hp: dict, seed: int):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    if name == "random_forest":
        return RandomForestClassifier(random_state=seed, **hp)
    if name.startswith("svm_"):
        return SVC(random_state=seed, **hp)
    if name == "logistic_regression":
        return LogisticRegression(random_state=seed, **hp)
    if name.startswith("knn_"):
        return KNeighborsClassifier(**hp)
    raise KeyError(name)


def stored_parameters(model) -> int:
    """Count "trainable params" the way the post does: what the fitted model stores.

    Random forest: tree nodes; SVMs: support vectors x features; logistic regression:
    weights + bias; k-NN: every stored training value (n_train x features).
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    if isinstance(model, RandomForestClassifier):
        return int(sum(tree.tree_.node_count for tree in model.estimators_))
    if isinstance(model, SVC):
        return int(model.support_vectors_.size)
    if isinstance(model, LogisticRegression):
        return int(model.coef_.size + model.intercept_.size)
    if isinstance(model, KNeighborsClassifier):
        return int(model.n_samples_fit_ * model.n_features_in_)
    raise TypeError(type(model).__name__)


class CustomCNN(nn.Module):
    """A matched-filter net: `filters` kernels the size of a slash, global max pool, one logit.

    The post gives only its size (80 parameters); this is our own design under that budget:
    filters x (k*k + 1) + filters + 1 parameters (37 for 2 filters of 4x4).
    """

    def __init__(self, filters: int = 2, kernel: int = 4, padding: int = 0):
        super().__init__()
        # Zero padding of the ink image means "white beyond the border", so a filter that
        # learned a piece of a slash still finds it when the slash touches the border.
        self.conv = nn.Conv2d(1, filters, kernel, padding=padding)
        self.pool = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten())
        self.head = nn.Linear(filters, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # ink = 1 - brightness, so a slash is a bright pattern on a dark field
        return self.head(self.pool(self.conv(1.0 - x)))

    @property
    def first_layer(self) -> nn.Conv2d:
        return self.conv


def make_cnn(name: str, hp: dict) -> nn.Module:
    if name == "vanilla_cnn":
        return VanillaCNN(channels=hp["channels"])
    if name == "custom_cnn":
        return CustomCNN(filters=hp["filters"], kernel=hp["kernel"], padding=hp["padding"])
    raise KeyError(name)
