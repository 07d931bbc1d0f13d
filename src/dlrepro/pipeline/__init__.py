"""The step layer: declarations, their Snakemake rules, computed code inputs."""
