"""Claim review (approve/reject, manager sign-off of flagged claims) and listing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surrender.errors import Refused
from surrender.models import Claim, Claimant, Staff, Surrender
from surrender.rules.lifecycle import STATUSES, next_status, require_reason
from surrender.rules.masking import mask_name
from surrender.rules.money import format_gbp, format_pence
from surrender.services import audit
from surrender.services.audit import private
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.surrenders import find_surrender


def _claim_for(session: Session, surrender: Surrender) -> Claim:
    """The surrender's claim, row-locked; the void mark is read after the lock, so a void
    committed by another terminal meanwhile is seen."""
    claim = session.execute(select(Claim).where(Claim.surrender_id == surrender.id).with_for_update()).scalar_one_or_none()
    if claim is None:
        raise Refused(f"{surrender.reference} has no compensation claim (anonymous or --no-claim)")
    session.refresh(surrender, ["voided_at", "void_reason"])
    if surrender.voided_at is not None:
        raise Refused(f"{surrender.reference} is void ({surrender.void_reason}): its claim cannot change")
    return claim


def _change(session: Session, ctx: Context, staff: Staff, surrender: Surrender, claim: Claim,
            action: str, values: dict) -> None:
    before = {k: getattr(claim, k) for k in values}
    session.execute(update(Claim).where(Claim.id == claim.id).values(**values))
    changed = {k: [private(k, before[k]), private(k, v)] for k, v in values.items() if before[k] != v}
    audit.record(session, ctx.now(), staff.id, action, "surrender", surrender.id,
                 {"reference": surrender.reference, "changed": changed})


def approve_claim(ctx: Context, reference: str, note: str | None = None) -> str:
    """Finance approves a pending claim; a flagged one needs a manager's approval first.

    A manager's approval of a flagged claim is the sign-off; the claim stays pending for finance.
    Returns what happened, for the user.
    """
    def work(session: Session, staff: Staff) -> str:
        surrender = find_surrender(session, reference)
        claim = _claim_for(session, surrender)
        now = ctx.now()
        if staff.role == "manager":
            if not claim.flagged:
                raise Refused(f"{surrender.reference}'s claim is not flagged: finance approves it without a manager")
            if claim.status != "pending":
                raise Refused(f"{surrender.reference}'s claim is {claim.status}: a manager signs off only pending claims")
            if claim.manager_approved_at is not None:
                raise Refused(f"{surrender.reference}'s claim already has a manager's approval")
            _change(session, ctx, staff, surrender, claim, "claim.manager_approved",
                    {"manager_approved_by": staff.id, "manager_approved_at": now})
            return f"{surrender.reference}: manager approval recorded; finance can now approve it"
        status = next_status("approve", claim.status, surrender.reference)
        if claim.flagged and claim.manager_approved_at is None:
            raise Refused(f"{surrender.reference}'s claim is flagged for review and needs a manager's approval first")
        _change(session, ctx, staff, surrender, claim, "claim.approved",
                {"status": status, "decided_by": staff.id, "decided_at": now, "decision_note": note})
        return f"{surrender.reference}: approved, {format_gbp(claim.payable_pence)} payable"

    return perform(ctx, "claims.approve", work)


def reject_claim(ctx: Context, reference: str, reason: str) -> str:
    reason = require_reason(reason, "rejecting")

    def work(session: Session, staff: Staff) -> str:
        surrender = find_surrender(session, reference)
        claim = _claim_for(session, surrender)
        status = next_status("reject", claim.status, surrender.reference)
        _change(session, ctx, staff, surrender, claim, "claim.rejected",
                {"status": status, "decided_by": staff.id, "decided_at": ctx.now(), "decision_note": reason})
        return f"{surrender.reference}: rejected ({reason})"

    return perform(ctx, "claims.reject", work)


@dataclass(frozen=True)
class ClaimFilter:
    status: str | None = None
    station: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    flagged: bool | None = None
    campaign: str | None = None


def list_claims(ctx: Context, where: ClaimFilter) -> list[dict]:
    if where.status and where.status not in STATUSES:
        raise Refused(f"status {where.status!r} is not one of {', '.join(STATUSES)}")

    def work(session: Session, _staff: Staff) -> list[dict]:
        query = (select(Surrender.reference, Surrender.station_code, Surrender.surrendered_at, Surrender.item_count,
                        Surrender.voided_at, Claim.status, Claim.claimed_pence, Claim.payable_pence, Claim.flagged,
                        Claim.manager_approved_at, Claim.batch_id, Claimant.name)
                 .join(Claim, Claim.surrender_id == Surrender.id)
                 .outerjoin(Claimant, Claimant.id == Surrender.claimant_id)
                 .order_by(Surrender.surrendered_at, Surrender.reference))
        if where.status:
            query = query.where(Claim.status == where.status)
        if where.station:
            query = query.where(Surrender.station_code == where.station.upper())
        if where.date_from:
            query = query.where(Surrender.surrendered_on >= where.date_from)
        if where.date_to:
            query = query.where(Surrender.surrendered_on <= where.date_to)
        if where.flagged is not None:
            query = query.where(Claim.flagged == where.flagged)
        if where.campaign:
            query = query.where(Surrender.campaign_code == where.campaign)
        from surrender.clock import iso

        return [{
            "reference": r.reference, "station": r.station_code, "surrendered_at": iso(r.surrendered_at),
            "status": r.status, "void": r.voided_at is not None, "items": r.item_count,
            "claimed": format_pence(r.claimed_pence), "payable": format_pence(r.payable_pence),
            "flagged": r.flagged, "manager_approved": r.manager_approved_at is not None,
            "batch": r.batch_id, "claimant": mask_name(r.name),
        } for r in session.execute(query)]

    return perform(ctx, "claims.list", work, write=False)
