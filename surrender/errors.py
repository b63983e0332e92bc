"""Exceptions a user can cause. The CLI turns each into one line on stderr and exit 1."""

from __future__ import annotations

from pathlib import Path


class Refused(Exception):
    """The request breaks a rule, fails validation or is not allowed: nothing is written."""


class NotFound(Refused):
    """A reference, staff number, station or campaign that does not exist."""


class Forbidden(Refused):
    """The acting staff member's role or PIN does not allow the action."""


class BadLines(Refused):
    """Lines of a file a person handed us (a stock list, a remittance, a decisions file) that
    cannot be used, each naming its line. Told in one line: the count, where the whole list
    went (`written`, set by the CLI's cli/bad_lines.py) and the first few."""

    SHOWN = 5
    KEPT = 100_000  # problems listed in full (a million bad rows are counted, not all kept)

    def __init__(self, path: Path | str, problems: list[str], count: int | None = None, outcome: str = "nothing saved"):
        self.path, self.problems, self.outcome = Path(path), list(problems), outcome
        self.count = len(self.problems) if count is None else count
        self.written: Path | None = None
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.path}: {self.count:,} bad line(s), {self.outcome}"
        shown = self.problems[: self.SHOWN]
        if self.count <= len(shown):
            return f"{head}: " + " / ".join(shown)
        where = (
            f"all {self.count:,} are listed in {self.written}"
            if self.written
            else "the full list could not be written (give --errors FILE)"
        )
        return f"{head}; {where}; the first {len(shown)}: " + " / ".join(shown)
