"""`claims status` misses: counted per member and per terminal over the last hour, kept a day.

Not station data (a miss names no claim), so read whole; the caller holds the member's staff
row locked, so two terminals of one member count in turn."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from surrender import tables

miss_c = tables.status_miss.c
KEPT = dt.timedelta(days=1)


def latest_misses(
    conn: Connection, since: dt.datetime, limit: int, staff_id: int, terminal: str
) -> dict[str, list[dt.datetime]]:
    """The times of the `limit` latest misses after `since`, by this member and from this
    terminal; the member's staff row is locked first, so their parallel lookups count in turn."""
    conn.execute(select(tables.staff.c.id).where(tables.staff.c.id == staff_id).with_for_update()).all()

    def latest(where: ColumnElement[bool]) -> list[dt.datetime]:
        query = select(miss_c.at).where(miss_c.at > since, where).order_by(miss_c.at.desc()).limit(limit)
        return list(conn.execute(query).scalars())

    return {"member": latest(miss_c.staff_id == staff_id), "terminal": latest(miss_c.terminal == terminal)}


def member_misses_since(conn: Connection, staff_id: int, since: dt.datetime) -> int:
    return conn.execute(
        select(func.count()).select_from(tables.status_miss).where(miss_c.staff_id == staff_id, miss_c.at >= since)
    ).scalar_one()


def add_miss(conn: Connection, at: dt.datetime, staff_id: int, terminal: str, reference: str) -> None:
    """Record one miss, and forget those older than KEPT (the bound looks back an hour)."""
    conn.execute(delete(tables.status_miss).where(miss_c.at < at - KEPT))
    force = select(tables.staff.c.force_code).where(tables.staff.c.id == staff_id).scalar_subquery()
    conn.execute(
        insert(tables.status_miss).values(
            at=at, staff_id=staff_id, terminal=terminal, reference=reference, force_code=force
        )
    )
