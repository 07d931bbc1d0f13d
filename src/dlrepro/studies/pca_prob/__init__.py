"""PCA as a probability distribution (probabilistic PCA) on MNIST: samples and outliers."""
