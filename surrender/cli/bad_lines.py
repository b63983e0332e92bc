"""Where the whole list of a file's bad lines goes when the refusal shows only the first few:
`--errors FILE`, else `NAME.errors.txt` beside the file, else the temporary folder."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from surrender.errors import BadLines, Refused
from surrender.outfiles import write_replacing


def write_list(exc: BadLines, to: Path | None = None) -> BadLines:
    """Write every problem, one a line, and note where on `exc` (told by its message); a list
    short enough to be shown whole is not written."""
    if exc.count <= exc.SHOWN:
        return exc
    text = f"{exc.path}: {exc.count:,} bad line(s), {exc.outcome}:\n" + "".join(
        f"{problem}\n" for problem in exc.problems
    )
    if exc.count > len(exc.problems):
        text += f"... and {exc.count - len(exc.problems):,} more bad lines\n"
    name = f"{exc.path.name}.errors.txt"
    places = [to] if to is not None else [exc.path.parent / name, Path(tempfile.gettempdir()) / name]
    for place in places:
        try:
            exc.written = write_replacing(place.expanduser().absolute(), text.encode())
            break
        except OSError:
            continue
    return exc


def told(refusal: Refused) -> str:
    """A refusal as the CLI says it: a long list of bad lines is written out first, so its
    one line can say where."""
    if isinstance(refusal, BadLines) and refusal.written is None:
        write_list(refusal)
    return str(refusal)


@contextlib.contextmanager
def listed_in(to: Path | None) -> Iterator[None]:
    """Around reading a file: its bad lines, if refused, are written out before the refusal is told."""
    try:
        yield
    except BadLines as exc:
        write_list(exc, to)
        raise
