"""Payment export files: deterministic bytes (so a batch can be re-created exactly), safe in
a spreadsheet, and staged beside their destination so a batch and its file exist together.

The audit anchor travels inside the file: CSV has a last column `audit_anchor` (the same
line on every row, so a finance system that maps columns by name ignores it and the file is
still one header and one row per claim); JSON is `{"batch", "anchor", "claims": [...]}`.
Batches from before anchors (anchor None) keep their original layout, byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import fcntl
import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from surrender.clock import iso
from surrender.rules.money import format_pence

COLUMNS = (
    "batch",
    "reference",
    "station",
    "surrendered_at",
    "claimant_name",
    "business_name",
    "address",
    "postcode",
    "account_name",
    "sort_code",
    "account_number",
    "items",
    "amount",
)
ANCHOR_COLUMN = "audit_anchor"
FORMATS = ("csv", "json")
STAGED_MARK = ".surrender-staged-"  # in every staged file's name, so a later run can recognise it
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class ExportRow:
    """One claim in a payment file, as the services read it (pence, an aware datetime)."""

    batch: int | None  # None in a dry run
    reference: str
    station: str
    surrendered_at: dt.datetime
    claimant_name: str
    business_name: str | None
    address: str
    postcode: str
    account_name: str | None
    sort_code: str | None
    account_number: str | None
    items: int
    amount_pence: int

    def cells(self) -> dict[str, object]:
        """The file's values for this claim, by column: money as `1234.50`, times local ISO."""
        return {
            "batch": self.batch,
            "reference": self.reference,
            "station": self.station,
            "surrendered_at": iso(self.surrendered_at),
            "claimant_name": self.claimant_name,
            "business_name": self.business_name or "",
            "address": self.address,
            "postcode": self.postcode,
            "account_name": self.account_name or "",
            "sort_code": self.sort_code or "",
            "account_number": self.account_number or "",
            "items": self.items,
            "amount": format_pence(self.amount_pence),
        }


def neutralise(value: object) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_rows(rows: list[ExportRow], fmt: str, batch: int | None = None, anchor: str | None = None) -> bytes:
    """The file of these claims."""
    return render([row.cells() for row in rows], fmt, batch, anchor)


def render(rows: list[dict[str, object]], fmt: str, batch: int | None = None, anchor: str | None = None) -> bytes:
    """The file's exact bytes from each row's cells (`ExportRow.cells`); with `anchor`, the
    anchor line is carried as described above."""
    if fmt == "json":
        claims = [{k: row[k] for k in COLUMNS} for row in rows]
        document = claims if anchor is None else {"batch": batch, "anchor": anchor, "claims": claims}
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    extra = () if anchor is None else (ANCHOR_COLUMN,)
    writer.writerow(COLUMNS + extra)
    for row in rows:
        writer.writerow([neutralise(row[k]) for k in COLUMNS] + ([anchor] if anchor is not None else []))
    return buffer.getvalue().encode("utf-8")


def sha256_of(path: Path) -> str | None:
    """The file's SHA-256, or None if it is not there."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def staged_path(destination: Path, token: str) -> Path:
    return destination.parent / f".{destination.name}{STAGED_MARK}{token}"


def is_staged_name(name: str) -> bool:
    return name.startswith(".") and STAGED_MARK in name


def _no_checkpoint(stage: str) -> None:
    """The default for `place`: no crash point between the stages."""


def sync_folder(folder: Path) -> None:
    """Make a file's creation, link or removal in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StagedFile:
    """An owner-only file beside its destination, created empty and held under an exclusive
    lock for as long as this process works on it: a lock a later run can take means the
    process that made the file is gone (the kernel drops it with the process)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        sync_folder(path.parent)

    def _open_fd(self) -> int:
        if self.fd is None:
            raise ValueError(f"staged file {self.path} is already closed")
        return self.fd

    def fill(self, content: bytes) -> None:
        """Write the whole content and sync it (again from the start if called again)."""
        fd = self._open_fd()
        os.ftruncate(fd, 0)
        view, offset = memoryview(content), 0
        while offset < len(view):
            offset += os.pwrite(fd, view[offset:], offset)
        os.fsync(fd)

    def place(self, destination: Path, checkpoint: Callable[[str], None] = _no_checkpoint) -> None:
        """Link into place, never over an existing file, then drop the staged name."""
        place(self.path, destination, checkpoint)

    def discard(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
            sync_folder(self.path.parent)
        finally:
            self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def place(staged: Path, destination: Path, checkpoint: Callable[[str], None] = _no_checkpoint) -> None:
    os.link(staged, destination)  # FileExistsError if anything is there: nothing is replaced
    sync_folder(destination.parent)
    checkpoint("linked")
    staged.unlink()
    sync_folder(staged.parent)


MISSING, BUSY = -1, -2


def claim_abandoned(path: Path) -> int:
    """An open descriptor holding the lock of a staged file whose maker has gone; MISSING if
    there is no such file, BUSY if its maker is still at work on it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return MISSING
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return BUSY
        raise
    return fd
