"""Builds results/report/ (HTML + Markdown) from study outputs."""
