"""Answering "where is my money?": a claim's status and dates for someone holding its
reference and the claimant's postcode, and nothing else."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import Refused
from surrender.rules.lifecycle import DECIDED_APPROVED, ClaimStatus
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store.claims import claim_rows
from surrender.store.staff import scope_of

NO_MATCH = "no match"


class NoMatch(Refused):
    """A status lookup whose reference and postcode do not meet: one message, whatever failed."""


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
    claimant's postcode; nothing personal. Any mismatch (unknown or malformed reference, wrong
    postcode, no claim, a station the reader may not see) says only "no match". Every lookup is
    audited, the misses in a transaction of their own; the postcode never enters the chain."""
    from surrender.rules.references import normalise_reference

    try:
        wanted = normalise_reference(reference)
    except Refused:
        wanted = None
    typed = "".join(postcode.split()).upper()

    def work(conn: Connection, staff: Row) -> ClaimStatusView:
        found = _lookup(conn, staff, wanted) if wanted is not None else None
        stored = "".join((found.postcode or "").split()).upper() if found and found.purged_at is None else ""
        if not (found and stored and hmac.compare_digest(stored.encode(), typed.encode())):
            raise NoMatch(NO_MATCH)
        audit.record(
            conn,
            ctx.now(),
            staff.id,
            "claim.status_looked_up",
            "surrender",
            found.surrender_id,
            {"reference": found.reference, "outcome": "match"},
        )
        status = ClaimStatus(found.status)
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
        )

    try:
        return perform(ctx, "claims.status", work)
    except NoMatch:
        _record_miss(ctx, wanted)
        raise


def _record_miss(ctx: Context, wanted: str | None) -> None:
    """A missed lookup is evidence of guessing: audited with the reference tried (never the
    postcode) in its own transaction, since the lookup's own rolled back."""
    from surrender import db
    from surrender.store.staff import find_staff

    def record_miss(conn: Connection) -> None:
        staff = find_staff(conn, ctx.staff or "", ctx.force)
        audit.record(
            conn,
            ctx.now(),
            staff.id,
            "claim.status_looked_up",
            "lookup",
            wanted or "(malformed)",
            {"outcome": "no match"},
        )

    db.run(ctx.url, record_miss)
