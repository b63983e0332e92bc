"""Files the tool writes for people (reports, certificates): new files only, owner-only, put
in place whole, so a half-written or replaced file can never be mistaken for the real one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from surrender.errors import Refused


def check_new(out: Path, what: str, example: str) -> None:
    """Refuse a destination that exists or is a folder, before any work is done."""
    if out.is_dir():
        raise Refused(f"{out} is a folder: give a file name for the {what}, e.g. --out {example}")
    if out.exists() or out.is_symlink():
        raise Refused(f"{out} exists already: choose a new file name (a {what} is never overwritten)")


def write_replacing(out: Path, data: bytes) -> Path:
    """Put `data` at `out` owner-only and whole, replacing an older copy (a list the tool
    regenerates, such as the bad lines of a file being corrected)."""
    temp = _staged(out, data)
    try:
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return out


def _staged(out: Path, data: bytes) -> Path:
    """`data` in a new owner-only file beside `out`, synced: what either writer puts in place."""
    fd, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def write_new(out: Path, data: bytes) -> Path:
    """Put `data` at `out` owner-only and atomically (staged beside it, synced, then linked into
    place), never replacing a file that appeared meanwhile."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = _staged(out, data)
    try:
        os.link(temp, out)  # fails if `out` appeared meanwhile: nothing is overwritten
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            raise Refused(f"{out} exists already: choose a new file name") from None
        raise
    finally:
        temp.unlink(missing_ok=True)
    return out
