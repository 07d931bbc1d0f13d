"""The semi-supervised variants, named without importing torch (cli.py builds the CLI from
them, and building the CLI must stay light)."""

VARIANTS = ("supervised", "gumbel_m2")
