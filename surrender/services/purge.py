"""Retention: anonymise the claimants of closed claims once the retention date has passed.

Bookings for days before the date lose their names too.

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

from sqlalchemy.engine import Connection, Row

from surrender.clock import local
from surrender.errors import Refused
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import bookings, retention

ANONYMOUS = {
    "name": "",
    "address": "",
    "postcode": "",
    "phone": None,
    "email": None,
    "business_name": None,
    "account_name": None,
    "sort_code": None,
    "account_number": None,
    "salt": None,
}


@dataclass(frozen=True)
class PurgeResult:
    before: dt.date
    claimants: int


def purge(ctx: Context, before: dt.date) -> PurgeResult:
    """Anonymise every unpurged claimant of a closed claim surrendered before `before` (a local date)."""

    def work(conn: Connection, admin: Row) -> PurgeResult:
        now = ctx.now()
        if before > local(now).date():
            raise Refused(f"--before {before.isoformat()} is in the future: retention dates are in the past")
        still_open = retention.open_claims_before(conn, before)
        if still_open:
            first = still_open[0]
            raise Refused(
                f"{len(still_open)} claim(s) surrendered before {before.isoformat()} are still open "
                f"(first: {first.reference}, {first.status}): settle them or choose an earlier date"
            )
        rows = retention.closed_before(conn, before)
        claimants = sorted({r.claimant_id for r in rows})
        if not claimants:
            raise Refused(f"no claimant of a closed claim surrendered before {before.isoformat()} is left to purge")
        retention.anonymise(conn, claimants, {**ANONYMOUS, "purged_at": now})
        wiped = _purge_evidence(conn, [r.id for r in rows], now)  # issue 17: evidence goes with the claimant
        bookings.purge_before(conn, before)  # and the names on bookings for those days
        audit.record(
            conn,
            now,
            admin.id,
            "claimants.purged",
            "purge",
            before.isoformat(),
            {"claimants": len(claimants), "before": before.isoformat(), "evidence_files": len(wiped)},
            touches=[f"surrender:{r.id}" for r in rows] + [f"evidence:{i}" for i in wiped],
        )
        return PurgeResult(before, len(claimants))

    return perform(ctx, "purge", work)


def _purge_evidence(conn: Connection, surrender_ids: list[int], now: dt.datetime) -> list[int]:
    from surrender.store import evidence
    from surrender.store.scope import Scope

    return evidence.purge(conn, Scope.everything(), surrender_ids, now)
