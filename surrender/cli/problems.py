"""A file refused for many bad lines, told so a person can act on it: the count, the first few,
and every one of them in a file beside the one refused (its path in the message).

A remittance re-sent after payment has one problem per line: 54 of them on one line, cut at a
thousand characters, told nobody which lines to fix.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from surrender.errors import BadLines, Refused

SHOWN = 5  # problems quoted in the message; the rest are in the file


def describe(refusal: Refused) -> str:
    """The refusal as the CLI says it; a long list of bad lines summarised (`BadLines`)."""
    if not isinstance(refusal, BadLines) or len(refusal.problems) <= SHOWN:
        return str(refusal)
    where = write_problems(refusal)
    first = " / ".join(refusal.problems[:SHOWN])
    return f"{refusal.heading}; all {len(refusal.problems):,} are listed in {where}; the first {SHOWN}: {first}"


def problems_path(source: Path, attempt: int) -> Path:
    """`remit.csv` -> `remit-problems.txt`, then `remit-problems-2.txt`, ...: never overwritten."""
    suffix = "" if attempt == 1 else f"-{attempt}"
    return source.with_name(f"{source.stem}-problems{suffix}.txt")


def write_problems(refusal: BadLines) -> Path:
    """Every problem, one a line, in a new owner-only file beside the refused one (or in the
    temporary folder when that folder takes no new files)."""
    from surrender.outfiles import write_new

    text = "\n".join([refusal.heading + ":", *refusal.problems]) + "\n"
    source = Path(refusal.source or "problems")
    folders = [source.parent, Path(tempfile.gettempdir())] if refusal.source else [Path(tempfile.gettempdir())]
    for folder in folders:
        for attempt in range(1, 1000):
            out = problems_path(folder / source.name, attempt)
            if out.exists() or out.is_symlink():
                continue
            try:
                return write_new(out, text.encode())
            except Refused:  # appeared meanwhile: the next name
                continue
            except OSError:  # a read-only folder: the next folder
                break
    raise Refused(f"{refusal.heading}; {len(refusal.problems):,} problems, and nowhere to write their list")
