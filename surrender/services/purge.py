"""Retention: anonymise the claimants of closed claims once the retention date has passed.

Bookings for days before the date lose their names too.

Closed means nothing more can happen to the money: the claim is paid, rejected or not
payable, the surrender was voided before export, or there never was a claim (`--no-claim`
with contact details). A claim still pending, approved or exported before the date refuses
the whole purge, so nobody purges a claimant finance still has to pay. Surrenders, items,
claims and their amounts stay, so totals do not move; the audit event holds the count only,
plus the new digests of the records it changed (`claimants.purged`), so `audit verify` holds.
What staff typed about those surrenders (reasons, notes, descriptions) is erased with them, and
after the commit the copies on disk are dealt with (`services.erasure`): the database's freed
pages and log, the receipts; what is out of reach is listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Connection, Row

from surrender.clock import local
from surrender.errors import Refused
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.erasure import Copy, DatabaseWipe, copies_out_of_reach, remove_receipts, wipe_database
from surrender.store import bookings, retention
from surrender.store.staff import scope_of

ERASED = "[erased]"  # what a purged surrender's free text reads afterwards

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
    texts_erased: int = 0  # reasons, notes and descriptions typed about the purged surrenders
    receipts_removed: tuple[Path, ...] = ()
    copies: tuple[Copy, ...] = ()  # made before the purge, out of the tool's reach
    database: DatabaseWipe | None = None


def purge(ctx: Context, before: dt.date) -> PurgeResult:
    """Anonymise every unpurged claimant of a closed claim surrendered before `before` (a local date)."""

    def work(conn: Connection, admin: Row) -> tuple[PurgeResult, list[str]]:
        now = ctx.now()
        if conn.dialect.name == "sqlite":  # freed space zeroed even where the build's default is off
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        if before > local(now).date():
            raise Refused(f"--before {before.isoformat()} is in the future: retention dates are in the past")
        scope = scope_of(conn, admin)  # the admin's own force: each force purges its own
        still_open = retention.open_claims_before(conn, scope, before)
        if still_open:
            first = still_open[0]
            raise Refused(
                f"{len(still_open)} claim(s) surrendered before {before.isoformat()} are still open "
                f"(first: {first.reference}, {first.status}): settle them or choose an earlier date"
            )
        rows = retention.closed_before(conn, scope, before)
        claimants = sorted({r.claimant_id for r in rows})
        if not claimants:
            raise Refused(f"no claimant of a closed claim surrendered before {before.isoformat()} is left to purge")
        surrender_ids = [r.id for r in rows]
        copies = copies_out_of_reach(conn, surrender_ids, claimants, {r.id: r.reference for r in rows})
        retention.anonymise(conn, claimants, {**ANONYMOUS, "purged_at": now})
        wiped = _purge_evidence(conn, surrender_ids, now)  # issue 17: evidence goes with the claimant
        texts = retention.erase_free_text(conn, surrender_ids, ERASED)
        bookings.purge_before(conn, before)  # and the names on bookings for those days
        audit.record(
            conn,
            now,
            admin.id,
            "claimants.purged",
            "purge",
            before.isoformat(),
            {
                "claimants": len(claimants),
                "before": before.isoformat(),
                "evidence_files": len(wiped),
                "texts_erased": texts,
            },
            touches=[f"surrender:{r.id}" for r in rows] + [f"evidence:{i}" for i in wiped],
        )
        return PurgeResult(before, len(claimants), texts, copies=tuple(copies)), [r.reference for r in rows]

    result, references = perform(ctx, "purge", work)
    removed = remove_receipts(Path(ctx.receipts_dir), references)
    return replace(result, receipts_removed=tuple(removed), database=wipe_database(ctx.url))


def _purge_evidence(conn: Connection, surrender_ids: list[int], now: dt.datetime) -> list[int]:
    from surrender.store import evidence
    from surrender.store.scope import Scope

    return evidence.purge(conn, Scope.everything(), surrender_ids, now)
