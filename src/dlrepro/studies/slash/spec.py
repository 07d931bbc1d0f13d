"""The study's fixed vocabulary. Import-light: the Snakefile reads it at parse time."""

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
