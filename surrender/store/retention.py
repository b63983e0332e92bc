"""Retention queries: which claimants of closed claims may be anonymised, and doing it.

Closed is the lifecycle's CLOSED_STATUSES, a surrender voided before export, or no claim at
all; everything is read through the one claim base, over every station (purging is an admin's
whole-database act).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.rules.lifecycle import CLOSED_STATUSES
from surrender.store.claims import base
from surrender.store.scope import Scope

surrender_c, claim_c, claimant_c = tables.surrender.c, tables.claim.c, tables.claimant.c
_CLOSED = sorted(CLOSED_STATUSES)


def open_claims_before(conn: Connection, scope: Scope, before: dt.date) -> list[Row[Any]]:
    """(reference, status) of live claims surrendered before `before` that are not closed yet."""
    return list(
        conn.execute(
            base(scope)
            .add_columns(surrender_c.reference, claim_c.status)
            .where(surrender_c.surrendered_on < before, surrender_c.voided_at.is_(None), claim_c.status.not_in(_CLOSED))
            .order_by(surrender_c.surrendered_at, surrender_c.reference)
        ).all()
    )


def closed_before(conn: Connection, scope: Scope, before: dt.date) -> list[Row[Any]]:
    """(id, claimant_id, reference) of surrenders before `before` whose claim is closed (or void, or absent)
    and whose claimant still holds personal data; those claimants are locked to the end of the
    transaction."""
    closed = or_(claim_c.id.is_(None), claim_c.status.in_(_CLOSED), surrender_c.voided_at.is_not(None))
    rows = conn.execute(
        base(scope, claims_only=False)
        .add_columns(surrender_c.id, surrender_c.claimant_id, surrender_c.reference)
        .where(surrender_c.surrendered_on < before, closed, claimant_c.id.is_not(None), claimant_c.purged_at.is_(None))
        .order_by(surrender_c.id)
    ).all()
    ids = sorted({r.claimant_id for r in rows})
    for start in range(0, len(ids), 500):  # the claimant rows are the nullable side of base's join
        conn.execute(
            select(claimant_c.id)
            .where(claimant_c.id.in_(ids[start : start + 500]))
            .order_by(claimant_c.id)
            .with_for_update()
        ).all()
    return list(rows)


def anonymise(conn: Connection, claimant_ids: list[int], values: dict[str, Any]) -> None:
    """Overwrite these claimants' personal data with `values`, 500 at a time."""
    for start in range(0, len(claimant_ids), 500):
        conn.execute(
            update(tables.claimant).where(claimant_c.id.in_(claimant_ids[start : start + 500])).values(**values)
        )


def erase_free_text(conn: Connection, surrender_ids: list[int], marker: str) -> int:
    """Overwrite what staff typed about these surrenders (void reasons, item descriptions,
    decision and approval notes, dispute notes and outcomes, the payer's reasons) with `marker`:
    a name or phone number typed there would outlive the claimant's details. Returns how many
    texts were erased."""
    dispute_c, decision_c, line_c = tables.claim_dispute.c, tables.payer_decision.c, tables.item_line.c
    erased = 0
    for start in range(0, len(surrender_ids), 500):
        ids = surrender_ids[start : start + 500]
        claims = select(claim_c.id).where(claim_c.surrender_id.in_(ids)).scalar_subquery()
        changes = [
            update(tables.surrender)
            .where(surrender_c.id.in_(ids), surrender_c.void_reason.is_not(None), surrender_c.void_reason != marker)
            .values(void_reason=marker),
            update(tables.item_line)
            .where(line_c.surrender_id.in_(ids), line_c.description != "", line_c.description != marker)
            .values(description=marker),
            update(tables.claim)
            .where(claim_c.surrender_id.in_(ids), claim_c.decision_note.is_not(None), claim_c.decision_note != marker)
            .values(decision_note=marker),
            update(tables.claim_dispute)
            .where(dispute_c.claim_id.in_(claims), dispute_c.note != marker)
            .values(note=marker),
            update(tables.claim_dispute)
            .where(
                dispute_c.claim_id.in_(claims), dispute_c.outcome_note.is_not(None), dispute_c.outcome_note != marker
            )
            .values(outcome_note=marker),
            update(tables.payer_decision)
            .where(decision_c.claim_id.in_(claims), decision_c.reason.is_not(None), decision_c.reason != marker)
            .values(reason=marker),
        ]
        erased += sum(conn.execute(change).rowcount for change in changes)
    return erased


def batches_holding(conn: Connection, surrender_ids: list[int]) -> list[Row[Any]]:
    """The export_batch row of every export or claim pack that carried a claim of these surrenders: files already sent, beyond the database's reach."""
    batch_c = tables.export_batch.c
    found: dict[int, Row[Any]] = {}
    for start in range(0, len(surrender_ids), 500):
        held = select(claim_c.batch_id).where(
            claim_c.surrender_id.in_(surrender_ids[start : start + 500]), claim_c.batch_id.is_not(None)
        )
        for row in conn.execute(select(tables.export_batch).where(batch_c.id.in_(held))):
            found[row.id] = row
    return [found[key] for key in sorted(found)]


def events_since(
    conn: Connection, action: str, since: dt.datetime, entity_ids: list[str] | None = None
) -> list[Row[Any]]:
    """The audit events of `action` from `since` on (optionally only
    about these entity ids): where the tool recorded copies it made (backups, evidence taken out)."""
    event_c = tables.audit_event.c
    query = select(tables.audit_event).where(event_c.action == action, event_c.at >= since)
    if entity_ids is None:
        return list(conn.execute(query.order_by(event_c.id)).all())
    found: list[Row[Any]] = []
    for start in range(0, len(entity_ids), 500):
        found += conn.execute(query.where(event_c.entity_id.in_(entity_ids[start : start + 500]))).all()
    return sorted(found, key=lambda row: row.id)


def earliest_record(conn: Connection, claimant_ids: list[int]) -> dt.datetime | None:
    """When the first of these claimants was recorded: copies made before then never held them."""
    firsts = [
        conn.execute(
            select(func.min(claimant_c.created_at)).where(claimant_c.id.in_(claimant_ids[start : start + 500]))
        ).scalar()
        for start in range(0, len(claimant_ids), 500)
    ]
    return min((at for at in firsts if at is not None), default=None)
