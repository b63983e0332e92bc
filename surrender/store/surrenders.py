"""Surrender queries: finding one by reference within what the reader may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import NotFound
from surrender.rules.references import normalise_reference
from surrender.store.scope import Scope


def find_surrender(conn: Connection, reference: str, scope: Scope, lock: bool = False) -> Row:
    """The surrender with this reference (any spelling `normalise_reference` accepts), if the
    scope covers its station; one outside it reads as unknown, so a reference is no key to
    another station's records. `lock` holds the row to the end of the transaction."""
    ref = normalise_reference(reference)
    s = tables.surrender
    query = select(s).where(s.c.reference == ref, scope.station_filter(s.c.station_code))
    surrender = conn.execute(query.with_for_update() if lock else query).one_or_none()
    if surrender is None:
        raise NotFound(f"no surrender with reference {ref}")
    return surrender


def void_mark(conn: Connection, surrender_id: int) -> Row:
    """The surrender's void mark as committed now: read again after locking its claim, so a void
    another terminal committed meanwhile is seen."""
    s = tables.surrender.c
    return conn.execute(select(s.voided_at, s.void_reason).where(s.id == surrender_id)).one()
