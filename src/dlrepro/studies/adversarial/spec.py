"""The study's fixed vocabulary. Import-light: the workflow reads it at parse time."""

KINDS = ("uniform", "bootstrap")  # ensemble members: seeds only / bootstrap resamples too
