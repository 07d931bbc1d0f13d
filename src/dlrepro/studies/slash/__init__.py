"""Slash dataset (Sophie Searcy): a toy set that stymies most non-convolutional models."""
