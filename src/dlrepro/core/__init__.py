"""Shared machinery: params, determinism, atomic I/O, torch helpers, plotting, provenance."""
