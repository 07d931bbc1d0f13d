"""The five correlation-matrix heat-map rules of "Tips for Visualizing Correlation Matrices"."""
