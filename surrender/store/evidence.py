"""Evidence queries: the files kept with a surrender's claim, read within what the reader may
see. Listing never reads the bytes; `contents` streams them one file at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.rules.evidence import EvidenceFile
from surrender.store.forces import force_of
from surrender.store.scope import Scope

evidence_c, surrender_c, staff_c = tables.evidence.c, tables.surrender.c, tables.staff.c

# Everything about a file but its bytes.
META_COLUMNS = (
    evidence_c.id,
    evidence_c.surrender_id,
    evidence_c.number,
    evidence_c.media_type,
    evidence_c.size,
    evidence_c.sha256,
    evidence_c.name,
    evidence_c.added_at,
    evidence_c.purged_at,
    surrender_c.reference,
    staff_c.number.label("added_by_number"),
    staff_c.name.label("added_by_name"),
)


def _joined() -> Any:
    return tables.evidence.join(tables.surrender, surrender_c.id == evidence_c.surrender_id).join(
        tables.staff, staff_c.id == evidence_c.added_by
    )


def files_of(conn: Connection, scope: Scope, surrender_ids: Iterable[int]) -> list[Row[Any]]:
    """The files of these surrenders (metadata only), by surrender then number."""
    ids = sorted(set(surrender_ids))
    if not ids:
        return []
    query = (
        select(*META_COLUMNS)
        .select_from(_joined())
        .where(evidence_c.surrender_id.in_(ids), scope.station_filter(surrender_c.station_code))
        .order_by(evidence_c.surrender_id, evidence_c.number)
    )
    return list(conn.execute(query))


def held(conn: Connection, surrender_id: int) -> tuple[int, int]:
    """(files, bytes) a surrender's claim holds now (purged files count: their number stays taken)."""
    row = conn.execute(
        select(func.count(), func.coalesce(func.sum(evidence_c.size), 0)).where(evidence_c.surrender_id == surrender_id)
    ).one()
    return int(row[0]), int(row[1])


def next_number(conn: Connection, surrender_id: int) -> int:
    return (
        int(
            conn.execute(
                select(func.coalesce(func.max(evidence_c.number), 0)).where(evidence_c.surrender_id == surrender_id)
            ).scalar_one()
        )
        + 1
    )


def add(conn: Connection, surrender_id: int, number: int, file: EvidenceFile, staff_id: int, now: dt.datetime) -> int:
    return int(
        conn.execute(
            insert(tables.evidence)
            .values(
                surrender_id=surrender_id,
                force_code=force_of(tables.surrender, surrender_id),
                number=number,
                media_type=str(file.media_type),
                size=file.size,
                sha256=file.sha256,
                name=file.name,
                content=file.content,
                added_at=now,
                added_by=staff_id,
            )
            .returning(evidence_c.id)
        ).scalar_one()
    )


def contents(conn: Connection, scope: Scope, surrender_ids: Iterable[int]) -> Iterator[Any]:
    """(id, surrender_id, number, media_type, sha256, content) of each unpurged file, one at a
    time: a pack of many claims never holds more than one file's bytes."""
    for row in files_of(conn, scope, surrender_ids):
        if row.purged_at is not None:
            continue
        yield conn.execute(
            select(
                evidence_c.id,
                evidence_c.surrender_id,
                evidence_c.number,
                evidence_c.media_type,
                evidence_c.sha256,
                evidence_c.content,
            ).where(evidence_c.id == row.id)
        ).one()


def purge(conn: Connection, scope: Scope, surrender_ids: Iterable[int], now: dt.datetime) -> list[int]:
    """Wipe the bytes and given names of these surrenders' files (the digest, size and type
    stay); the ids of the files wiped."""
    ids = [r.id for r in files_of(conn, scope, surrender_ids) if r.purged_at is None]
    for start in range(0, len(ids), 500):
        conn.execute(
            update(tables.evidence)
            .where(evidence_c.id.in_(ids[start : start + 500]))
            .values(content=None, name=None, purged_at=now)
        )
    return ids
