"""What `log` would save, shown before a reference is spent: the same intake (grouping, checks,
refusals and money rules) as `log_surrender`, in a read-only transaction that numbers nothing
and stores nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from surrender.clock import local
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.window import check_surrender_time
from surrender.services.auth import perform, require_open_station
from surrender.services.bookings import check_at_counter
from surrender.services.campaigns import campaign_for
from surrender.services.context import Context
from surrender.services.intake import Intake, LogRequest, check_request
from surrender.services.reading import heading_fields
from surrender.views import ClaimView, SurrenderView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

NOT_SAVED = "not saved yet"  # stands in for the reference a preview does not take


def preview_surrender(ctx: Context, request: LogRequest) -> SurrenderView:
    """Assess `request` as `log` would (role, station, campaign, window, items, claim) and
    return it as a view with no reference; nothing is written, so a refusal or a "no" at the
    desk costs no reference number."""
    check_request(request)

    def work(conn: Connection, officer: Row) -> SurrenderView:
        now = ctx.now()
        station = require_open_station(conn, ctx.station, officer, now)
        campaign = campaign_for(conn, ctx, officer, store=False)
        at = request.at or now
        check_surrender_time(campaign, at, now)
        intake = Intake.read(campaign, request)
        claim = intake.claim()
        person = request.claimant
        booking = check_at_counter(
            conn,
            campaign,
            station.code,
            local(at, campaign.timezone).date(),
            person.name if person else None,
            person.business_name if person else None,
            intake.item_count,
        )
        return SurrenderView(
            reference=NOT_SAVED,
            **heading_fields(campaign, station, officer),
            surrendered_at=at,
            recorded_at=now,
            anonymous=request.anonymous,
            declared=request.declared,
            claimant=None
            if person is None
            else {"name": person.name, "business_name": person.business_name, "postcode": person.postcode},
            items=[line.view(campaign) for line in intake.lines],
            item_count=intake.item_count,
            claim=None
            if claim is None
            else ClaimView(
                status=ClaimStatus(claim.status),
                claimed_pence=claim.claimed_pence,
                payable_pence=claim.payable_pence,
                reasons=list(claim.reasons),
                flags=list(claim.flags),
                manager_approved=False,
                batch_id=None,
                decision_note=None,
            ),
            booking=booking,
        )

    return perform(ctx, "log", work, write=False)


def all_eligible(view: SurrenderView) -> bool:
    """Whether saving is the likely answer: every item eligible and any claim payable."""
    return all(line.eligible for line in view.items) and (view.claim is None or view.claim.payable_pence > 0)
