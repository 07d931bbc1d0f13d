"""Quora question pairs (post 003): duplicate-question detection with Siamese networks."""
