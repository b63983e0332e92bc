"""Payment export files: deterministic bytes (so a batch can be re-created exactly), safe in
a spreadsheet, and staged beside their destination (surrender.staging) so a batch and its file
exist together.

The audit anchor travels inside the file: CSV has a last column `audit_anchor` (the same
line on every row, so a finance system that maps columns by name ignores it and the file is
still one header and one row per claim); JSON is `{"batch", "anchor", "claims": [...]}`.
Batches from before anchors (anchor None) keep their original layout, byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
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
