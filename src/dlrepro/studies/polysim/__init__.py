"""A shape-based distance between polynomial curves vs the distance of their coefficients."""
