"""Audit trail reads: the latest events (of one surrender, if given), staff numbers by id, and
whether any event vouches for records yet. Writing the chain is `services.audit`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from surrender import tables

event_c, staff_c = tables.audit_event.c, tables.staff.c


def latest_events(conn: Connection, limit: int, surrender: Row[Any] | None = None) -> list[Row[Any]]:
    """The latest `limit` events, newest first, each with its actor's staff `number`. With a
    surrender (found within the reader's scope): its own events and the batches naming it."""
    query = (
        select(tables.audit_event, staff_c.number)
        .select_from(tables.audit_event.outerjoin(tables.staff, staff_c.id == event_c.staff_id))
        .order_by(event_c.id.desc())
        .limit(limit)
    )
    if surrender is not None:
        in_batch = (event_c.entity == "batch") & event_c.detail.contains(f'"{surrender.reference}"')
        query = query.where(((event_c.entity == "surrender") & (event_c.entity_id == str(surrender.id))) | in_batch)
    return list(conn.execute(query).all())


def staff_numbers(conn: Connection) -> dict[int, str]:
    return {row.id: row.number for row in conn.execute(select(staff_c.id, staff_c.number))}


def vouches_for_records(conn: Connection) -> bool:
    """True once any event carries record digests."""
    return conn.execute(select(event_c.id).where(event_c.state.is_not(None)).limit(1)).first() is not None
