"""National figures from the forces' scheme returns (issue 15 point 6). Each force's return is
made on its own database (`report return`); merging reads only the files, so it needs no
database and no sign-in: the figures in a return hold no personal data, and its digest and
anchor say whether it is what the force wrote. Every file is checked before anything is shown."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from surrender.errors import Refused
from surrender.return_files import read_return
from surrender.rules.returns import National, SchemeReturn, digest, merge
from surrender.services.audit import parse_anchor


def checked_return(path: Path) -> SchemeReturn:
    """The return in `path`, refused if its digest does not match its content or its anchor
    line is not one `audit anchor` prints."""
    scheme_return, stated = read_return(path)
    if digest(scheme_return) != stated:
        raise Refused(
            f"{path}: the digest does not match the content (changed since `report return` wrote it); "
            "ask the force for its return again"
        )
    try:
        anchor = parse_anchor(scheme_return.anchor)
    except Refused:
        raise Refused(
            f"{path}: the anchor line {scheme_return.anchor[:100]!r} is not "
            "`surrender-anchor force=CODE events=N head=<64 hex digits>`"
        ) from None
    if anchor.named and anchor.force != scheme_return.force:
        raise Refused(f"{path}: its anchor is another chain's ({anchor.force}), not {scheme_return.force}'s")
    return scheme_return


def national(paths: Sequence[Path]) -> National:
    """The national table merged from these return files (each force once, one campaign)."""
    return merge([(str(path), checked_return(path)) for path in paths])
