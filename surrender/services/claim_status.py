"""Answering "where is my money?": a claim's status and dates for someone holding its
reference and the claimant's postcode, and nothing else."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.clock import local
from surrender.errors import Refused
from surrender.rules.bounds import clip
from surrender.rules.lifecycle import DECIDED_APPROVED, ClaimStatus
from surrender.rules.lookups import MISSES_PER_HOUR, WINDOW, free_again_at, hour_of
from surrender.rules.payer import HOME_OFFICE, Standing, payer_standing
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import status_lookups
from surrender.store.claims import claim_rows
from surrender.store.payer import payer_progress
from surrender.store.staff import scope_of

NO_MATCH = "no match: check both the reference (as on the receipt) and the claimant's postcode"


class NoMatch(Refused):
    """A status lookup whose reference and postcode do not meet: one message, whatever failed."""


class TooManyMisses(Refused):
    """Lookups stopped for a while: too many misses in the last hour by this member or terminal."""


@dataclass(frozen=True)
class ClaimStatusView:
    """What the claimant may be told; the CLI formats it (a void claim reads "void")."""

    reference: str
    status: ClaimStatus
    void: bool
    logged: dt.datetime
    approved: dt.datetime | None
    rejected: dt.datetime | None
    exported: dt.datetime | None
    paid: dt.datetime | None
    payable_pence: int  # effective: 0 once rejected, not payable or void
    payer: Standing | None = None  # a claim sent to the Home Office: where it stands there


def _lookup(conn: Connection, staff: Row, wanted: str):
    """The claim row with this reference within what `staff` may read, and its batch's time."""
    batch = tables.export_batch
    query = (
        claim_rows(scope_of(conn, staff), True, batch.c.created_at.label("exported_at"))
        .outerjoin(batch, batch.c.id == tables.claim.c.batch_id)
        .where(tables.surrender.c.reference == wanted)
    )
    return conn.execute(query).first()


def claim_status(ctx: Context, reference: str, postcode: str) -> ClaimStatusView:
    """A claim's status, dates and payable amount for someone who knows its reference and the
    claimant's whole postcode; nothing personal. Any mismatch (unknown or malformed reference,
    wrong postcode, no claim, a station the reader may not see) says only "no match", and is
    counted: MISSES_PER_HOUR misses in the last hour by a member, or from a terminal, stop
    their lookups until the oldest leaves the hour (refused, nothing written). A member's
    misses in a clock hour are one audit event (at the first; the rest are counted in
    `status_miss`); the postcode never enters the chain."""
    from surrender.rules.claimant import normalise_postcode
    from surrender.rules.references import normalise_reference

    try:
        wanted = normalise_reference(reference)
    except Refused:
        wanted = None
    try:
        typed = normalise_postcode(postcode)
    except Refused:
        raise Refused(
            f"{clip(postcode)} is not a whole UK postcode like CB1 1JG: give the claimant's whole postcode"
        ) from None
    terminal = ctx.terminal

    def work(conn: Connection, staff: Row) -> ClaimStatusView | None:
        now = ctx.now()
        _check_bound(conn, staff, terminal, now)
        found = _lookup(conn, staff, wanted) if wanted is not None else None
        stored = "".join((found.postcode or "").split()).upper() if found and found.purged_at is None else ""
        if not (found and stored and hmac.compare_digest(stored.encode(), "".join(typed.split()).encode())):
            _count_miss(conn, staff, terminal, wanted, now)
            return None  # committed: the miss counts; then told as NoMatch
        audit.record(
            conn,
            now,
            staff.id,
            "claim.status_looked_up",
            "surrender",
            found.surrender_id,
            {"reference": found.reference, "outcome": "match"},
        )
        status = ClaimStatus(found.status)
        progress = payer_progress(conn, scope_of(conn, staff), found.surrender_id)
        return ClaimStatusView(
            reference=found.reference,
            status=status,
            void=found.voided_at is not None,
            logged=found.surrendered_at,
            approved=found.decided_at if status in DECIDED_APPROVED else None,
            rejected=found.decided_at if status == ClaimStatus.REJECTED else None,
            exported=found.exported_at,
            paid=found.paid_at,
            payable_pence=found.effective_payable,
            payer=None
            if progress is None
            else payer_standing(status, HOME_OFFICE, progress.sent_at, progress.disputed_since),
        )

    found = perform(ctx, "claims.status", work)
    if found is None:
        raise NoMatch(NO_MATCH)
    return found


def _check_bound(conn: Connection, staff: Row, terminal: str, now: dt.datetime) -> None:
    """Refuse while this member, or this terminal, has MISSES_PER_HOUR misses in the last hour."""
    latest = status_lookups.latest_misses(conn, now - WINDOW, MISSES_PER_HOUR, staff.id, terminal)
    for whose, misses in latest.items():
        until = free_again_at(misses, now)
        if until is not None:
            who = f"by staff member {staff.number}" if whose == "member" else "from this terminal"
            raise TooManyMisses(
                f"claims status: {MISSES_PER_HOUR} lookups {who} matched nothing in the last hour; "
                f"try again after {local(until).strftime('%H:%M')} (each miss counts: check the receipt first)"
            )


def _count_miss(conn: Connection, staff: Row, terminal: str, wanted: str | None, now: dt.datetime) -> None:
    """Count a miss; the member's first in this clock hour is audited for all of them (with the
    reference tried, never the postcode), so guessing shows without flooding the trail."""
    hour = hour_of(now)
    first = status_lookups.member_misses_since(conn, staff.id, hour) == 0
    status_lookups.add_miss(conn, now, staff.id, terminal, wanted or "(malformed)")
    if first:
        audit.record(
            conn,
            now,
            staff.id,
            "claim.status_looked_up",
            "lookup",
            wanted or "(malformed)",
            {
                "outcome": "no match",
                "hour": hour.isoformat(),
                "terminal": terminal,
                "rolled_up": f"this hour's further misses by {staff.number} are counted, up to {MISSES_PER_HOUR} an hour",
            },
        )
