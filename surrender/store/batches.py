"""Export batch queries: one batch, the next number, every batch with what is paid of it, and
the staged files and unsettled batches an interrupted export leaves on a machine.

A batch belongs to one force and spans its stations: it is scoped by force, and what is summed
of its claims by the reader's scope. People see and type a batch's per-force `number`; its `id`
is what claims point at.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import NotFound
from surrender.rules.lifecycle import ClaimStatus
from surrender.store.claims import base
from surrender.store.scope import Scope

batch_c, claim_c, staff_c, staging_c = tables.export_batch.c, tables.claim.c, tables.staff.c, tables.export_staging.c


def find_batch(conn: Connection, number: int, scope: Scope) -> Row[Any]:
    """The scope's force's batch with this number."""
    query = select(tables.export_batch).where(batch_c.number == number, scope.force_filter(batch_c.force_code))
    batch = conn.execute(query).one_or_none()
    if batch is None:
        raise NotFound(f"no export batch {number}")
    return batch


def next_batch_id(conn: Connection) -> int:
    """The new batch's id, taken before its row is written. On PostgreSQL from the table's own
    sequence: row security hides the other forces' batches, so max(id) + 1 would collide with
    theirs (migration 0013 set the sequence past the ids taken by max + 1 until then)."""
    if conn.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(tables.export_batch.name, batch_c.id.name)
        taken: int = conn.execute(select(func.nextval(sequence))).scalar_one()
        return taken
    return (conn.execute(select(func.max(batch_c.id))).scalar() or 0) + 1


def next_batch_number(conn: Connection, force: str) -> int:
    """The force's next batch number (1 for its first): unique (force, number) keeps two
    terminals from both taking it."""
    return (conn.execute(select(func.max(batch_c.number)).where(batch_c.force_code == force)).scalar() or 0) + 1


def batch_numbers(conn: Connection, batch_ids: set[int]) -> list[int]:
    """The numbers people know the batches with these ids by, in order."""
    return sorted(conn.execute(select(batch_c.number).where(batch_c.id.in_(sorted(batch_ids)))).scalars())


def summaries(scope: Scope) -> Select[Any]:
    """Every batch (oldest first) with who exported it and its paid claims' count and pence."""
    paid = claim_c.status == ClaimStatus.PAID
    settled = (
        base(scope)
        .add_columns(
            claim_c.batch_id,
            func.count().filter(paid).label("paid_count"),
            func.sum(case((paid, claim_c.payable_pence), else_=0)).label("paid_pence"),
        )
        .where(claim_c.batch_id.is_not(None))
        .group_by(claim_c.batch_id)
        .subquery()
    )
    return (
        select(
            batch_c.id,
            batch_c.number.label("batch_number"),
            batch_c.created_at,
            batch_c.claim_count,
            batch_c.total_pence,
            batch_c.format,
            batch_c.sha256,
            batch_c.filename,
            staff_c.number,
            staff_c.name,
            func.coalesce(settled.c.paid_count, 0).label("paid_count"),
            func.coalesce(settled.c.paid_pence, 0).label("paid_pence"),
        )
        .select_from(
            tables.export_batch.join(tables.staff, staff_c.id == batch_c.staff_id).outerjoin(
                settled, settled.c.batch_id == batch_c.id
            )
        )
        .where(scope.force_filter(batch_c.force_code))
        .order_by(batch_c.id)
    )


# --- what an interrupted export left --------------------------------------------------------------


def staged_on(conn: Connection, host: str) -> list[Row[Any]]:
    """This machine's staging rows nobody else is tidying (their batch never committed)."""
    return list(
        conn.execute(select(tables.export_staging).where(staging_c.host == host).with_for_update(skip_locked=True))
    )


def unsettled_on(conn: Connection, host: str) -> list[Row[Any]]:
    """This machine's committed batches whose file may not be in place yet, oldest first."""
    return list(
        conn.execute(
            select(tables.export_batch)
            .where(batch_c.host == host, batch_c.settled_at.is_(None))
            .order_by(batch_c.id)
            .with_for_update(skip_locked=True)
        )
    )


def pending_paths(conn: Connection) -> set[str]:
    """Staged file paths some export (on any machine) still answers for."""
    staged = conn.execute(select(staging_c.staged_path)).scalars()
    batches = conn.execute(select(batch_c.staged_path).where(batch_c.settled_at.is_(None))).scalars()
    return {p for p in (*staged, *batches) if p}
