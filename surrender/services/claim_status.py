"""Answering "where is my money?": a claim's status and dates for someone holding its
reference and the claimant's postcode, and nothing else."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from surrender.clock import iso
from surrender.errors import Refused
from surrender.models import Claim, Claimant, ExportBatch, Staff, Surrender
from surrender.rules.lifecycle import effective_payable
from surrender.rules.money import format_pence
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context


NO_MATCH = "no match"


class NoMatch(Refused):
    """A status lookup whose reference and postcode do not meet: one message, whatever failed."""


def claim_status(ctx: Context, reference: str, postcode: str) -> dict:
    """A claim's status, dates and payable amount for someone who knows its reference and the
    claimant's postcode; nothing personal. Any mismatch (unknown or malformed reference, wrong
    postcode, no claim) says only "no match". Every lookup is audited, the misses in a
    transaction of their own; the postcode never enters the chain."""
    from surrender.rules.references import normalise_reference

    try:
        wanted = normalise_reference(reference)
    except Refused:
        wanted = None
    typed = "".join(postcode.split()).upper()

    def work(session: Session, staff: Staff) -> dict:
        found = None
        if wanted is not None:
            found = session.execute(
                select(Surrender, Claim, Claimant.postcode, Claimant.purged_at, ExportBatch.created_at)
                .join(Claim, Claim.surrender_id == Surrender.id)
                .join(Claimant, Claimant.id == Surrender.claimant_id)
                .outerjoin(ExportBatch, ExportBatch.id == Claim.batch_id)
                .where(Surrender.reference == wanted)).first()
        stored = "".join((found.postcode or "").split()).upper() if found and found.purged_at is None else ""
        if not (found and stored and hmac.compare_digest(stored.encode(), typed.encode())):
            raise NoMatch(NO_MATCH)
        surrender, claim = found.Surrender, found.Claim
        audit.record(session, ctx.now(), staff.id, "claim.status_looked_up", "surrender", surrender.id,
                     {"reference": surrender.reference, "outcome": "match"})
        voided = surrender.voided_at is not None
        decided = claim.decided_at if claim.status in ("approved", "exported", "paid") else None
        return {
            "reference": surrender.reference,
            "status": "void" if voided else claim.status,
            "logged": iso(surrender.surrendered_at),
            "approved": iso(decided),
            "rejected": iso(claim.decided_at) if claim.status == "rejected" else None,
            "exported": iso(found.created_at),
            "paid": iso(claim.paid_at),
            "payable": format_pence(effective_payable(claim.status, claim.payable_pence, voided)),
        }

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

    def record_miss(session: Session) -> None:
        staff = find_staff(db.connection_of(session), ctx.staff)
        audit.record(session, ctx.now(), staff.id, "claim.status_looked_up", "lookup", wanted or "(malformed)",
                     {"outcome": "no match"})
    db.run(ctx.url, record_miss)
