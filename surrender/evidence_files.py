"""Reading the evidence files people hand us (beside `userfiles.py`, which reads their text
files): a regular file only, its size checked before a byte is read and again as it is read
(a file that grows, or claims one size and holds another, is refused), then sniffed by
`rules.evidence`. A 2 GB file costs a `stat`, never a read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from surrender.errors import Refused
from surrender.rules.evidence import MAX_FILE_BYTES, EvidenceFile, check_size, evidence_from_bytes, tidy_name


def read_evidence(path: Path | str) -> EvidenceFile:
    path = Path(path)
    what = f"evidence file {tidy_name(str(path))}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        raise Refused(f"cannot read {what}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise Refused(f"{what} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{what} is not a regular file (a device, pipe or socket)")
        check_size(info.st_size, what)
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                check_size(total, what)
    except OSError as exc:
        raise Refused(f"cannot read {what}: {exc.strerror}") from None
    finally:
        os.close(fd)
    return evidence_from_bytes(str(path), b"".join(chunks), what)


def read_all(paths: list[Path] | tuple[Path, ...] | None) -> tuple[EvidenceFile, ...]:
    """Every file given, in order; the same content twice is refused (one copy is enough)."""
    files: list[EvidenceFile] = []
    for path in paths or ():
        file = read_evidence(path)
        if any(f.sha256 == file.sha256 for f in files):
            raise Refused(f"evidence file {file.name} is given twice (same content)")
        files.append(file)
    return tuple(files)
