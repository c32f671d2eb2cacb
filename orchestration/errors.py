"""The one kind of error a command turns into one line for its user."""


class UserError(Exception):
    """A problem the user can fix; printed as one line, no traceback."""
