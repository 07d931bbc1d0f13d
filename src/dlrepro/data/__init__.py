"""Raw data: a registry of sha256-pinned files (fetch.py) and format readers (quora.py).

Every raw file enters through `fetch`, copied from a local mirror or downloaded, and is
verified before it appears under its final name, so a reader never sees an unverified byte.
"""
