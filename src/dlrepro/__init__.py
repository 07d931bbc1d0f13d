"""dlrepro: rebuild deep-learning blog posts' tables and figures from raw data."""

__version__ = "0.1.0"
