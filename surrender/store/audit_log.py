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


def vouches_for_fields(conn: Connection) -> bool:
    """True once any event carries field digests (issue 18's layout: `table.column` names)."""
    return conn.execute(select(event_c.id).where(event_c.state.contains(".")).limit(1)).first() is not None


def salt_of(conn: Connection, surrender_id: int) -> str | None:
    """The salt free-text digests of a surrender take: its claimant's (None: anonymous or purged)."""
    s_t, p_t = tables.surrender, tables.claimant
    return conn.execute(
        select(p_t.c.salt).join(s_t, s_t.c.claimant_id == p_t.c.id).where(s_t.c.id == surrender_id)
    ).scalar()


def bank_changes(conn: Connection, surrender_ids: list[int]) -> dict[int, set[int]]:
    """Who changed each surrender's bank details (staff ids), from the audit trail."""
    found: dict[int, set[int]] = {}
    if not surrender_ids:
        return found
    rows = conn.execute(
        select(event_c.entity_id, event_c.staff_id).where(
            event_c.action == "claim.payment_details_set",
            event_c.entity == "surrender",
            event_c.entity_id.in_([str(i) for i in surrender_ids]),
        )
    )
    for entity_id, staff_id in rows:
        found.setdefault(int(entity_id), set()).add(staff_id)
    return found


def changed_bank_since_approval(conn: Connection, surrender_id: int) -> set[int]:
    """Who changed a surrender's bank details since its claim was last approved (none if never approved)."""
    e = event_c
    mine = (e.entity == "surrender") & (e.entity_id == str(surrender_id))
    approved = conn.execute(
        select(e.id).where(mine, e.action == "claim.approved").order_by(e.id.desc()).limit(1)
    ).scalar()
    sent_back = conn.execute(
        select(e.id).where(mine, e.action == "claim.sent_back").order_by(e.id.desc()).limit(1)
    ).scalar()
    if sent_back is None or (approved is not None and approved > sent_back):
        return set()
    since = approved or 0
    rows = conn.execute(select(e.staff_id).where(mine, e.action == "claim.payment_details_set", e.id > since))
    return {staff_id for (staff_id,) in rows}
