"""Retention queries: which claimants of closed claims may be anonymised, and doing it.

Closed is the lifecycle's CLOSED_STATUSES, a surrender voided before export, or no claim at
all; everything is read through the one claim base, over every station (purging is an admin's
whole-database act).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select, update
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
    """(id, claimant_id) of surrenders before `before` whose claim is closed (or void, or absent)
    and whose claimant still holds personal data; those claimants are locked to the end of the
    transaction."""
    closed = or_(claim_c.id.is_(None), claim_c.status.in_(_CLOSED), surrender_c.voided_at.is_not(None))
    rows = conn.execute(
        base(scope, claims_only=False)
        .add_columns(surrender_c.id, surrender_c.claimant_id)
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
