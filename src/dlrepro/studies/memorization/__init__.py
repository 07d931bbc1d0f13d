"""Memorization study ("Understanding deep learning requires rethinking generalization", post 003)."""
