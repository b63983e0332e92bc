"""Retention: anonymise the claimants of closed claims once the retention date has passed.

Closed means nothing more can happen to the money: the claim is paid, rejected or not
payable, the surrender was voided before export, or there never was a claim (`--no-claim`
with contact details). A claim still pending, approved or exported before the date refuses
the whole purge, so nobody purges a claimant finance still has to pay. Surrenders, items,
claims and their amounts stay, so totals do not move; the audit event holds the count only,
plus the new digests of the records it changed (`claimants.purged`), so `audit verify` holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from surrender.clock import local
from surrender.errors import Refused
from surrender.models import Claim, Claimant, Staff, Surrender
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.rules.lifecycle import CLOSED_STATUSES

CLOSED = tuple(sorted(CLOSED_STATUSES))  # paid, rejected, not payable, refused by the payer
ANONYMOUS = {"name": "", "address": "", "postcode": "", "phone": None, "email": None, "business_name": None,
             "account_name": None, "sort_code": None, "account_number": None, "salt": None}


@dataclass(frozen=True)
class PurgeResult:
    before: dt.date
    claimants: int


def purge(ctx: Context, before: dt.date) -> PurgeResult:
    """Anonymise every unpurged claimant of a closed claim surrendered before `before` (a local date)."""
    def work(session: Session, admin: Staff) -> PurgeResult:
        now = ctx.now()
        if before > local(now).date():
            raise Refused(f"--before {before.isoformat()} is in the future: retention dates are in the past")
        earlier = Surrender.surrendered_on < before
        still_open = session.execute(
            select(Surrender.reference, Claim.status).join(Claim, Claim.surrender_id == Surrender.id)
            .where(earlier, Surrender.voided_at.is_(None), Claim.status.not_in(CLOSED))
            .order_by(Surrender.surrendered_at, Surrender.reference)).all()
        if still_open:
            first = still_open[0]
            raise Refused(f"{len(still_open)} claim(s) surrendered before {before.isoformat()} are still open "
                          f"(first: {first.reference}, {first.status}): settle them or choose an earlier date")
        closed = or_(Claim.id.is_(None), Claim.status.in_(CLOSED), Surrender.voided_at.is_not(None))
        rows = session.execute(
            select(Surrender.id, Surrender.claimant_id).outerjoin(Claim, Claim.surrender_id == Surrender.id)
            .join(Claimant, Claimant.id == Surrender.claimant_id)
            .where(earlier, closed, Claimant.purged_at.is_(None))
            .order_by(Surrender.id).with_for_update(of=Claimant)).all()
        claimants = sorted({r.claimant_id for r in rows})
        if not claimants:
            raise Refused(f"no claimant of a closed claim surrendered before {before.isoformat()} is left to purge")
        for start in range(0, len(claimants), 500):
            session.execute(update(Claimant).where(Claimant.id.in_(claimants[start:start + 500]))
                            .values(**ANONYMOUS, purged_at=now))
        wiped = _purge_evidence(session, [r.id for r in rows], now)  # issue 17: evidence goes with the claimant
        audit.record(session, now, admin.id, "claimants.purged", "purge", before.isoformat(),
                     {"claimants": len(claimants), "before": before.isoformat(), "evidence_files": len(wiped)},
                     touches=[f"surrender:{r.id}" for r in rows] + [f"evidence:{i}" for i in wiped])
        return PurgeResult(before, len(claimants))

    return perform(ctx, "purge", work)


def _purge_evidence(session: Session, surrender_ids: list[int], now: dt.datetime) -> list[int]:
    from surrender.db import connection_of
    from surrender.store import evidence
    from surrender.store.scope import Scope

    return evidence.purge(connection_of(session), Scope.everything(), surrender_ids, now)
