"""Queries for claims a payer decides: what a claim pack takes, a claim as its decision is
checked, the decisions and disputes recorded, and where a claim stands with its payer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import NotFound
from surrender.rules.lifecycle import APPROVED
from surrender.rules.payer import LineDecision
from surrender.store.claims import PACK_COLUMNS, claim_rows
from surrender.store.forces import force_of, station_rows
from surrender.store.scope import Scope
from surrender.store.surrenders import find_surrender

surrender_c, claim_c, batch_c = tables.surrender.c, tables.claim.c, tables.export_batch.c
line_c, decision_c, dispute_c = tables.item_line.c, tables.payer_decision.c, tables.claim_dispute.c

PACK_FORMAT = "pack"  # export_batch.format of a claim pack (csv and json are `claims export` files)


def campaign_sources(conn: Connection) -> list[Row[Any]]:
    """(code, source) of every registered campaign."""
    c = tables.campaign.c
    return list(conn.execute(select(c.code, c.source).order_by(c.code)))


def pack_ready(scope: Scope, campaign_codes: Iterable[str]) -> Select[Any]:
    """Approved claims not yet in any batch, not void, of these campaigns, with what a pack
    carries; oldest reference first."""
    return (
        claim_rows(scope, True, *PACK_COLUMNS)
        .where(
            claim_c.status == str(APPROVED),
            claim_c.batch_id.is_(None),
            surrender_c.voided_at.is_(None),
            surrender_c.campaign_code.in_(sorted(campaign_codes)),
        )
        .order_by(surrender_c.reference)
    )


def in_pack(scope: Scope, batch_id: int) -> Select[Any]:
    """A past claim pack's claims with what a pack carries, in the order it lists them."""
    return claim_rows(scope, True, *PACK_COLUMNS).where(claim_c.batch_id == batch_id).order_by(surrender_c.reference)


def lines_of(conn: Connection, surrender_id: int) -> list[Row[Any]]:
    return list(
        conn.execute(select(tables.item_line).where(line_c.surrender_id == surrender_id).order_by(line_c.number))
    )


def staff_names(conn: Connection, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """id -> (number, name)."""
    s = tables.staff.c
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {r.id: (r.number, r.name) for r in conn.execute(select(s.id, s.number, s.name).where(s.id.in_(wanted)))}


def station_of(conn: Connection, code: str) -> Row[Any]:
    """The station with its force's name (a claim form names both)."""
    return conn.execute(station_rows(Scope.everything()).where(tables.station.c.code == code)).one()


@dataclass(frozen=True)
class ClaimForDecision:
    reference: str
    surrender_id: int
    claim_id: int | None  # None: the surrender has no claim
    status: str | None
    claimed_pence: int
    payable_pence: int
    voided: bool
    batch_id: int | None
    batch_format: str | None
    batch_at: dt.datetime | None
    lines: dict[int, int]  # item line number -> pence claimed on it


def claim_for_decision(conn: Connection, scope: Scope, reference: str, lock: bool = False) -> ClaimForDecision | None:
    """The claim behind `reference` as a payer's decision is checked against it, if the scope
    covers its station (else None, as for an unknown reference); `lock` holds the claim row."""
    try:
        found = find_surrender(conn, reference, scope)
    except NotFound:
        return None
    query = select(claim_c.id, claim_c.status, claim_c.claimed_pence, claim_c.payable_pence, claim_c.batch_id).where(
        claim_c.surrender_id == found.id
    )
    claim = conn.execute(query.with_for_update() if lock else query).one_or_none()
    # The void mark is read after the claim's lock: a void committed meanwhile is seen.
    voided = conn.execute(select(surrender_c.voided_at).where(surrender_c.id == found.id)).scalar() is not None
    if claim is None:
        return ClaimForDecision(found.reference, found.id, None, None, 0, 0, voided, None, None, None, {})
    row = claim
    batch = None
    if row.batch_id is not None:
        batch = conn.execute(select(batch_c.format, batch_c.created_at).where(batch_c.id == row.batch_id)).one()
    lines = dict(
        conn.execute(
            select(line_c.number, line_c.claimed_pence).where(line_c.surrender_id == found.id).order_by(line_c.number)
        ).all()
    )
    return ClaimForDecision(
        found.reference,
        found.id,
        row.id,
        row.status,
        row.claimed_pence,
        row.payable_pence,
        voided,
        row.batch_id,
        batch.format if batch else None,
        batch.created_at if batch else None,
        lines,
    )


def next_round(conn: Connection, claim_id: int) -> int:
    return (
        int(
            conn.execute(
                select(func.coalesce(func.max(decision_c.round), 0)).where(decision_c.claim_id == claim_id)
            ).scalar_one()
        )
        + 1
    )


def add_decisions(
    conn: Connection,
    claim_id: int,
    round_: int,
    decisions: Iterable[LineDecision],
    assessed: int,
    staff_id: int,
    now: dt.datetime,
    file_sha256: str,
) -> None:
    conn.execute(
        insert(tables.payer_decision).values(force_code=force_of(tables.claim, claim_id)),
        [
            {
                "claim_id": claim_id,
                "round": round_,
                "line": d.line,
                "claimed_pence": d.claimed_pence,
                "allowed_pence": d.allowed_pence,
                "reason": d.reason,
                "assessed_pence": assessed,
                "recorded_at": now,
                "recorded_by": staff_id,
                "file_sha256": file_sha256,
            }
            for d in decisions
        ],
    )


def set_claim(conn: Connection, claim_id: int, **values: Any) -> None:
    conn.execute(update(tables.claim).where(claim_c.id == claim_id).values(**values))


def open_dispute(conn: Connection, claim_id: int) -> Row[Any] | None:
    return conn.execute(
        select(tables.claim_dispute).where(dispute_c.claim_id == claim_id, dispute_c.closed_at.is_(None))
    ).one_or_none()


def add_dispute(conn: Connection, claim_id: int, note: str, staff_id: int, now: dt.datetime) -> int:
    return int(
        conn.execute(
            insert(tables.claim_dispute)
            .values(
                claim_id=claim_id,
                force_code=force_of(tables.claim, claim_id),
                opened_at=now,
                opened_by=staff_id,
                note=note,
            )
            .returning(dispute_c.id)
        ).scalar_one()
    )


def close_dispute(conn: Connection, dispute_id: int, outcome: str, note: str, staff_id: int, now: dt.datetime) -> None:
    conn.execute(
        update(tables.claim_dispute)
        .where(dispute_c.id == dispute_id)
        .values(outcome=outcome, outcome_note=note, closed_at=now, closed_by=staff_id)
    )


@dataclass(frozen=True)
class PayerProgress:
    """Where a claim stands with its payer, for `claims status`: the pack it went in, the
    latest decision and any open dispute (times UTC)."""

    in_pack: bool
    sent_at: dt.datetime | None  # the pack's batch time
    decided_at: dt.datetime | None  # the latest decision's recording
    allowed_pence: int | None  # what the latest decision allowed
    disputed_since: dt.datetime | None


def payer_progress(conn: Connection, scope: Scope, surrender_id: int) -> PayerProgress | None:
    """The claim of `surrender_id` with its payer, if the scope covers it."""
    row = conn.execute(
        select(claim_c.id, claim_c.batch_id)
        .select_from(tables.claim.join(tables.surrender, surrender_c.id == claim_c.surrender_id))
        .where(claim_c.surrender_id == surrender_id, scope.station_filter(surrender_c.station_code))
    ).one_or_none()
    if row is None:
        return None
    batch = None
    if row.batch_id is not None:
        batch = conn.execute(select(batch_c.format, batch_c.created_at).where(batch_c.id == row.batch_id)).one()
    latest = conn.execute(select(func.max(decision_c.round)).where(decision_c.claim_id == row.id)).scalar()
    decided_at = allowed = None
    if latest is not None:
        decided = conn.execute(
            select(func.max(decision_c.recorded_at), func.sum(decision_c.allowed_pence)).where(
                decision_c.claim_id == row.id, decision_c.round == latest
            )
        ).one()
        decided_at, allowed = decided[0], int(decided[1])
    dispute = open_dispute(conn, row.id)
    in_pack = batch is not None and batch.format == PACK_FORMAT
    return PayerProgress(
        in_pack,
        batch.created_at if in_pack and batch else None,
        decided_at,
        allowed,
        dispute.opened_at if dispute else None,
    )
