"""Audit trail reads: each force's chain (its events, head and tip; the national chain is force
None), which chain an event joins, the latest events (of one surrender, if given), staff
numbers by id, and whether any event vouches for records yet. Writing the chain is
`services.audit`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from surrender import tables

event_c, staff_c, head_c = tables.audit_event.c, tables.staff.c, tables.audit_head.c
GENESIS = "0" * 64

# The tables of the records events vouch for (`kind:id` keys), each carrying its force.
OWNER_TABLES = {
    "surrender": tables.surrender,
    "staff": tables.staff,
    "batch": tables.export_batch,
    "evidence": tables.evidence,
    "destruction": tables.destruction_batch,
}


def of_chain(force_column: Any, force: str | None) -> ColumnElement[bool]:
    """SQL: the row belongs to `force`'s chain (None: the national chain)."""
    found: ColumnElement[bool] = force_column.is_(None) if force is None else force_column == force
    return found


def chain_of(conn: Connection, keys: list[str], staff_id: int | None) -> str | None:
    """The chain an event joins: the force owning the first record it covers, else its actor's
    force; None (the national chain) for national staff's records and actors with no force."""
    if keys:
        kind, _, ident = keys[0].partition(":")
        owner = OWNER_TABLES[kind]
        return conn.execute(select(owner.c.force_code).where(owner.c.id == int(ident))).scalar()
    if staff_id is None:
        return None
    return conn.execute(select(staff_c.force_code).where(staff_c.id == staff_id)).scalar()


def lock_head(conn: Connection, force: str | None) -> tuple[int, str]:
    """Lock `force`'s head row (only this chain's appends wait) and return (its id, the tip's
    hash). A force added behind `force add` gets its head on its first event."""
    found = conn.execute(
        select(head_c.id, head_c.last_hash).where(of_chain(head_c.force_code, force)).with_for_update()
    ).first()
    if found is not None:
        return int(found.id), str(found.last_hash)
    return create_head(conn, force), GENESIS


def create_head(conn: Connection, force: str | None) -> int:
    """A new, empty chain for `force` (in the transaction that adds the force)."""
    return int(
        conn.execute(
            insert(tables.audit_head).values(last_hash=GENESIS, force_code=force).returning(head_c.id)
        ).scalar_one()
    )


def head_hash(conn: Connection, force: str | None) -> str | None:
    return conn.execute(select(head_c.last_hash).where(of_chain(head_c.force_code, force))).scalar()


def chain_events(force: str | None) -> Select[Any]:
    """`force`'s chain, oldest first (index `ix_audit_event_force_code_id`)."""
    return select(tables.audit_event).where(of_chain(event_c.force_code, force)).order_by(event_c.id)


def chain_tip(conn: Connection, force: str | None) -> tuple[int, str | None]:
    """How many events `force`'s chain holds and its last event's hash (None: no event yet)."""
    mine = of_chain(event_c.force_code, force)
    count = conn.execute(select(func.count()).select_from(tables.audit_event).where(mine)).scalar_one()
    last = conn.execute(select(event_c.hash).where(mine).order_by(event_c.id.desc()).limit(1)).scalar()
    return int(count), last


def chains(conn: Connection) -> list[str | None]:
    """Every chain in the database: each force's (by code), then the national chain."""
    forces = conn.execute(select(tables.force.c.code).order_by(tables.force.c.code)).scalars().all()
    return [*forces, None]


def records_of(conn: Connection, force: str | None) -> set[str]:
    """The keys (`kind:id`) of every tracked record `force` owns: what its chain vouches for."""
    keys: set[str] = set()
    for kind, owner in OWNER_TABLES.items():
        ids = conn.execute(select(owner.c.id).where(of_chain(owner.c.force_code, force))).scalars()
        keys.update(f"{kind}:{ident}" for ident in ids)
    return keys


def latest_events(conn: Connection, limit: int, force: str | None, surrender: Row[Any] | None = None) -> list[Row[Any]]:
    """The latest `limit` events of `force`'s chain, newest first, each with its actor's staff
    `number`. With a surrender (found within the reader's scope): its own events and the
    batches naming it."""
    query = (
        select(tables.audit_event, staff_c.number)
        .select_from(tables.audit_event.outerjoin(tables.staff, staff_c.id == event_c.staff_id))
        .where(of_chain(event_c.force_code, force))
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
