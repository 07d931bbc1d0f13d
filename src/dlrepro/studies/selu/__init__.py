"""SELU study ("Paper Review: Self-Normalizing Neural Networks", post 003)."""
