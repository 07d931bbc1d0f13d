"""The study's fixed vocabulary. Import-light: the Snakefile reads it at parse time."""

from __future__ import annotations

# Where the images come from (params `slash.data.source`: one of these, or a list of them):
# the post's own file (soph.info/data/slash_data.npz) or our generator. Published first: the
# post's numbers were measured on it, so its rows are the headline.
SOURCES = ("published", "generated")
# the published file in the raw-file registry (dlrepro.data.fetch.REGISTRY) and its local copy
RAW_FILE = "slash_published"
RAW = "data/raw/slash/slash_data.npz"

# Table order of the post ("1 4 5 6 2 3 0 7 8" row), keyed by our model names.
SKLEARN_MODELS = (
    "random_forest",
    "svm_linear",
    "svm_rbf",
    "svm_poly",
    "logistic_regression",
    "knn_default",
    "knn_k1",
)
CNN_MODELS = ("vanilla_cnn", "custom_cnn")
MODELS = SKLEARN_MODELS + CNN_MODELS

LABELS = {
    "random_forest": "Random Forest",
    "svm_linear": "SVM - Linear",
    "svm_rbf": "SVM - RBF kernel",
    "svm_poly": "SVM - Polynomial kernel",
    "logistic_regression": "Logistic Regression",
    "knn_default": "K Nearest Neighbors",
    "knn_k1": "KNN, k=1",
    "vanilla_cnn": "Vanilla CNN",
    "custom_cnn": "Custom CNN",
}

CLASS_NAMES = ("backslash \\", "slash /")  # y = 0, y = 1


def sources(config: dict) -> list[str]:
    """The configured sources as a list in SOURCES order (a single string is one source)."""
    chosen = config["slash"]["data"]["source"]
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    return [s for s in SOURCES if s in chosen]
