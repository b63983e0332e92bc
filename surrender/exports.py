"""Payment export files: deterministic bytes (so a batch can be re-created exactly), safe in
a spreadsheet, written atomically with owner-only permissions."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

COLUMNS = ("batch", "reference", "station", "surrendered_at", "claimant_name", "business_name", "address",
           "postcode", "account_name", "sort_code", "account_number", "items", "amount")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render(rows: list[dict], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps([{k: row[k] for k in COLUMNS} for row in rows], indent=2, ensure_ascii=False) + "\n").encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise(row[k]) for k in COLUMNS])
    return buffer.getvalue().encode("utf-8")


class StagedFile:
    """Written and synced beside its destination, owner-only; moved into place by `commit`."""

    def __init__(self, destination: Path, content: bytes):
        self.destination = destination
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
        self.temp = Path(name)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)

    def commit(self) -> None:
        os.replace(self.temp, self.destination)

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)
