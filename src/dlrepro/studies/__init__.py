"""One package per reproduced post, each in the same shape (see README "Adding a study").

STUDIES is the registry: the Snakefile, the `dlrepro` CLI, the report, the SLURM profile and
the tests all derive from it, and tests/architecture/test_conformance.py checks that every package here is
registered and complete."""

STUDIES = (  # report page order: the issues' order
    "slash",
    "quora",
    "adversarial",
    "kernels",
    "correlation",
    "dilation",
    "random_dilation",
    "selu",
    "shattered",
    "memorization",
    "pca_prob",
    "skm",
    "corrviz",
    "polysim",
    "feedback_loop",
    "multi_residual",
    "gumbel_softmax",
    "spatial_contrasting",
)
