"""Exceptions a user can cause. The CLI turns each into one line on stderr and exit 1."""


class Refused(Exception):
    """The request breaks a rule, fails validation or is not allowed: nothing is written."""


class NotFound(Refused):
    """A reference, staff number, station or campaign that does not exist."""


class Forbidden(Refused):
    """The acting staff member's role or PIN does not allow the action."""


class BadLines(Refused):
    """A file refused for its lines (a remittance, a decisions file): `heading` says what was
    refused and why, `problems` each bad line. The whole list is the message; the CLI shows
    the count and the first few and writes the rest to a file (cli/problems.py)."""

    def __init__(self, heading: str, problems: list[str], source: str | None = None):
        self.heading, self.problems, self.source = heading, list(problems), source
        super().__init__(heading + ":\n  " + "\n  ".join(self.problems))
