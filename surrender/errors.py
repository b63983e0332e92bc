"""Exceptions a user can cause. The CLI turns each into one line on stderr and exit 1."""


class Refused(Exception):
    """The request breaks a rule, fails validation or is not allowed: nothing is written."""


class NotFound(Refused):
    """A reference, staff number, station or campaign that does not exist."""


class Forbidden(Refused):
    """The acting staff member's role or PIN does not allow the action."""
