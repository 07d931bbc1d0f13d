"""The project's one error type: every expected failure (bad params, corrupt input) raises it."""


class DlreproError(Exception):
    """A problem the user can fix; the CLI prints its message without a traceback."""
