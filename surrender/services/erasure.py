"""What purge does beyond the rows (issue 18.2): erased means erased in every copy the tool made.

Anonymising a row leaves the old bytes behind: in SQLite's free pages and write-ahead log, in
PostgreSQL's dead row versions and WAL, in the receipt PDFs on disk. After purge commits, a
SQLite database is vacuumed with `secure_delete` on and its log checkpointed and truncated;
the purged surrenders' receipts (first prints, reprints, tags) are overwritten and removed
(`surrender receipt REF` prints one again, without the person). What the tool cannot reach
(export files and claim packs already sent, backups, evidence taken out) is listed from what
it recorded when it made them, for the admin to expire by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from surrender import db
from surrender.errors import Refused
from surrender.store import retention

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

POSTGRES_ADVICE = (
    "PostgreSQL keeps the old row versions in its table files until they are rewritten: as the "
    "database owner run `VACUUM FULL claimant, surrender, item_line, claim, claim_dispute, payer_decision, "
    "evidence;` in a quiet hour. Neither VACUUM nor this purge reaches WAL archives, replicas, or pg_dump "
    "backups made before now: they hold the data until they expire."
)


@dataclass(frozen=True)
class DatabaseWipe:
    """What became of the purged bytes in the database's own files."""

    backend: str  # "sqlite" or "postgresql"
    vacuumed: bool = False  # SQLite: every page rewritten, none of the freed ones left
    wal: Path | None = None  # SQLite's write-ahead log file
    wal_emptied: bool = False  # False: another terminal was reading, so old frames may remain
    problem: str | None = None  # why the wipe could not run now


@dataclass(frozen=True)
class Copy:
    """A copy made before the purge that the tool cannot reach: an export, a claim pack, a
    backup or evidence files taken out; `where` is the path recorded, None if none was."""

    kind: str
    label: str
    made_at: dt.datetime
    where: str | None


def copies_out_of_reach(
    conn: Connection, surrender_ids: list[int], claimant_ids: list[int], references: dict[int, str]
) -> list[Copy]:
    """Every copy the tool recorded making of these surrenders' claimants."""
    copies = [
        Copy(
            "claim pack" if row.format == "pack" else "export",
            f"batch {row.id}" + (f" on {row.host}" if row.host else ""),
            row.created_at,
            row.path or row.filename,
        )
        for row in retention.batches_holding(conn, surrender_ids)
    ]
    since = retention.earliest_record(conn, claimant_ids)
    if since is None:
        return copies
    for row in retention.events_since(conn, "db.backed_up", since):
        detail = json.loads(row.detail)
        copies.append(Copy("backup", detail.get("file", "?"), row.at, detail.get("path")))
    for row in retention.events_since(conn, "evidence.extracted", since, [str(i) for i in surrender_ids]):
        copies.append(Copy("evidence files", references.get(int(row.entity_id), row.entity_id), row.at, None))
    return copies


def wipe_database(url: str) -> DatabaseWipe:
    """After the purge's commit: SQLite is vacuumed with secure_delete on and its log truncated;
    PostgreSQL is left to its owner (POSTGRES_ADVICE)."""
    from surrender.services.backup import sqlite_path

    try:
        path = sqlite_path(url)
    except Refused:  # in memory: nothing on disk
        return DatabaseWipe("sqlite", vacuumed=True, wal_emptied=True)
    if path is None:
        return DatabaseWipe("postgresql")
    wal = Path(f"{path}-wal")
    try:
        with closing(sqlite3.connect(path, isolation_level=None)) as conn:  # VACUUM runs outside a transaction
            conn.execute(f"PRAGMA busy_timeout={db.BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA secure_delete=ON")  # whatever the build's default: freed space is zeroed
            conn.execute("VACUUM")  # every page rewritten: no free page keeps an old row
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    except sqlite3.Error as exc:
        return DatabaseWipe("sqlite", wal=wal, problem=str(exc))
    emptied = not busy and (not wal.exists() or wal.stat().st_size == 0)
    return DatabaseWipe("sqlite", vacuumed=True, wal=wal, wal_emptied=emptied)


def remove_receipts(folder: Path, references: list[str]) -> list[Path]:
    """Overwrite and remove each receipt file of these references in `folder` (the first
    print, reprints, tags, and any half-written one left by a crash); the paths removed."""
    from surrender.receipts import receipt_path, tags_path

    removed = []
    for reference in references:
        for reprint in (False, True):
            receipt = receipt_path(folder, reference, reprint=reprint)
            for name in (receipt, tags_path(receipt)):
                for path in (name, *folder.glob(f".{name.name}.*.tmp")):
                    if path.is_file() and not path.is_symlink():
                        _shred(path)
                        removed.append(path)
    return removed


def _shred(path: Path) -> None:
    """Zeros over the bytes, synced, then unlinked: the file's blocks do not keep the person
    (on a copy-on-write or journalled-data file system, the old blocks are the disk's to reuse)."""
    size = path.stat().st_size
    with open(path, "r+b") as file:
        file.write(b"\0" * size)
        file.flush()
        os.fsync(file.fileno())
    path.unlink()
