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
    """Lines of a file a person handed us that cannot be read, each naming its line: told as
    the count and the first few; the CLI writes the whole list to a file (`written`)."""

    SHOWN = 5
    KEPT = 100_000  # problems listed in full (a million bad rows are counted, not all kept)

    def __init__(self, path: Path, problems: list[str], count: int | None = None, outcome: str = "nothing saved"):
        self.path, self.problems, self.outcome = Path(path), problems, outcome
        self.count = len(problems) if count is None else count
        self.written: Path | None = None
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = self.problems[: self.SHOWN]
        first = f"; the first {len(shown)}" if self.count > len(shown) else ""
        lines = [f"{self.path}: {self.count:,} bad line(s), {self.outcome}{first}:", *(f"  {p}" for p in shown)]
        if self.count > len(shown):
            lines.append(
                f"All {self.count:,} are listed in {self.written}"
                if self.written
                else "The full list could not be written: give --errors FILE"
            )
        return "\n".join(lines)
