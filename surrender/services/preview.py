"""What `log` would save, shown before a reference is spent: the same checks and money rules
as `log_surrender`, in a read-only transaction that numbers nothing and stores nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from surrender.errors import Refused
from surrender.models import Staff
from surrender.rules.compensation import Assessor, assess_item
from surrender.rules.items import Item
from surrender.rules.window import check_surrender_time
from surrender.services.auth import perform, require_station
from surrender.services.campaigns import campaign_for
from surrender.services.context import Context
from surrender.services.surrenders import LogRequest, check_request
from surrender.views import ClaimView, LineView, SurrenderView

NOT_SAVED = "not saved yet"  # stands in for the reference a preview does not take


def preview_surrender(ctx: Context, request: LogRequest) -> SurrenderView:
    """Assess `request` as `log` would (role, station, campaign, window, items, claim) and
    return it as a view with no reference; nothing is written, so a refusal or a "no" at the
    desk costs no reference number."""
    check_request(request)

    def work(session: Session, officer: Staff) -> SurrenderView:
        now = ctx.now()
        station = require_station(session, ctx.station, officer)
        campaign = campaign_for(session, ctx, officer, store=False)
        at = request.at or now
        check_surrender_time(campaign, at, now)
        assessor = Assessor(campaign, request.claiming)
        first_line: dict[Item, int] = {}
        rows: dict[Item, int] = {}
        for line, item in enumerate(request.items_under(campaign), 1):
            if item not in first_line:
                try:
                    campaign.kind(item.kind)
                except Refused as exc:
                    raise Refused(f"item {line}: {exc}") from None
                first_line[item] = line
            rows[item] = rows.get(item, 0) + 1
            assessor.add(item)
        if not first_line:
            raise Refused("no items given: use --items FILE.csv or --item KIND:BLADE[:FEATURES]")
        items = []
        for item, line in first_line.items():
            each = assess_item(campaign, item.group_key(), request.claiming)
            quantity = item.quantity * rows[item]
            items.append(LineView(
                first_line=line, rows=rows[item], kind=item.kind, kind_label=campaign.kinds[item.kind].label,
                description=item.description, blade_length_mm=f"{item.blade_length_mm.normalize():f}",
                quantity=quantity, eligible=each.eligible, reasons=list(each.reasons),
                unit_compensation_pence=each.unit_compensation_pence,
                compensation_pence=each.unit_compensation_pence * quantity,
                claimed_value_pence=item.claimed_value_pence, evidence=item.evidence, seal=item.seal))
        claim = assessor.claim()
        person = request.claimant
        return SurrenderView(
            reference=NOT_SAVED, campaign=campaign.code, campaign_name=campaign.name,
            legal_basis=campaign.legal_basis, declaration=campaign.declaration,
            minimum_note=campaign.minimum_note, timezone=campaign.timezone, station=station.code,
            station_name=station.name, station_town=station.town, force=station.force, surrendered_at=at,
            recorded_at=now, officer_number=officer.number, officer_name=officer.name,
            anonymous=request.anonymous, declared=request.declared,
            claimant=None if person is None else {"name": person.name, "business_name": person.business_name,
                                                  "postcode": person.postcode},
            items=items, item_count=sum(line.quantity for line in items),
            claim=None if claim is None else ClaimView(
                status=claim.status, claimed_pence=claim.claimed_pence, payable_pence=claim.payable_pence,
                reasons=list(claim.reasons), flags=list(claim.flags), manager_approved=False, batch_id=None,
                decision_note=None),
        )

    return perform(ctx, "log", work, write=False)


def all_eligible(view: SurrenderView) -> bool:
    """Whether saving is the likely answer: every item eligible and any claim payable."""
    return all(line.eligible for line in view.items) and (view.claim is None or view.claim.payable_pence > 0)


