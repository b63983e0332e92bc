"""Reading one surrender as people see it: build its view, show it within the reader's scope.

Written with the light clauses of tables.py on a plain Connection, so `surrender show` never
builds the ORM classes (the cold start of the commonest desk question); the same code builds
the view for log, void and reprint. Finding by reference is `store.surrenders.find_surrender`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypedDict

from sqlalchemy import select

from surrender import tables
from surrender.rules.campaign import Campaign, parse_campaign
from surrender.rules.lifecycle import DECIDED_APPROVED, ClaimStatus, effective_payable
from surrender.rules.masking import mask_all, mask_name, mask_postcode, mask_tail
from surrender.rules.permissions import sees_decision_trail, sees_personal_data
from surrender.services.auth import perform
from surrender.services.bookings import check_of_surrender
from surrender.services.context import Context
from surrender.store.campaigns import campaign_source
from surrender.store.forces import find_station
from surrender.store.scope import Scope
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender
from surrender.views import ClaimView, DecisionTrail, LineView, SurrenderView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row


def _row(conn: Connection, clause: Any, key: str, value: Any) -> Row[Any] | None:
    return conn.execute(select(clause).where(clause.c[key] == value)).one_or_none()


def _the(conn: Connection, clause: Any, key: str, value: Any) -> Row[Any]:
    """The row a surrender's foreign key names (it exists)."""
    return conn.execute(select(clause).where(clause.c[key] == value)).one()


def build_view(
    conn: Connection, surrender_id: int, reveal: bool, trail: bool = False, claimant_copy: bool = False
) -> SurrenderView:
    """The whole surrender as readers see it; identical lines grouped in SQL. `trail` adds the
    claim's decision trail (who approved or rejected it, when and why). The receipt's claimant
    line goes through the same mask as the rest, except on `claimant_copy`: the receipt handed
    to the claimant at the counter, their own details in full."""
    surrender = _the(conn, tables.surrender, "id", surrender_id)
    station = find_station(conn, surrender.station_code, Scope.everything())  # the surrender is the reader's
    officer = _the(conn, tables.staff, "id", surrender.staff_id)
    campaign = parse_campaign(campaign_source(conn, surrender.campaign_code))
    lines = conn.execute(
        select(tables.item_line)
        .where(tables.item_line.c.surrender_id == surrender_id)
        .order_by(tables.item_line.c.number)
    )
    items = [
        LineView(
            first_line=g.first_line,
            rows=g.rows,
            quantity=g.quantity,
            compensation_pence=g.compensation_pence,
            kind=g.kind,
            kind_label=campaign.kinds[g.kind].label if g.kind in campaign.kinds else g.kind,
            description=g.description,
            blade_length_mm=g.blade_length_mm,
            eligible=bool(g.eligible),
            reasons=json.loads(g.reasons),
            unit_compensation_pence=g.unit_compensation_pence,
            claimed_value_pence=g.claimed_value_pence,
            evidence=g.evidence,
            seal=g.seal,
            decided_by=_decided_by(campaign, g) if g.eligible else [],
        )
        for g in lines
    ]
    claim_row = _row(conn, tables.claim, "surrender_id", surrender_id)
    claim = None
    if claim_row is not None:
        batch = _row(conn, tables.export_batch, "id", claim_row.batch_id) if claim_row.batch_id is not None else None
        payable = effective_payable(claim_row.status, claim_row.payable_pence, surrender.voided_at is not None)
        claim = ClaimView(
            status=ClaimStatus(claim_row.status),
            claimed_pence=claim_row.claimed_pence,
            payable_pence=payable,
            reasons=json.loads(claim_row.reasons),
            flags=json.loads(claim_row.flags),
            manager_approved=claim_row.manager_approved_at is not None,
            batch_id=None if batch is None else batch.number,  # the number people know it by
            decision_note=claim_row.decision_note,
            trail=_trail(conn, claim_row) if trail else None,
            timezone=campaign.timezone,
        )
    claimant = on_receipt = None
    bank_details = False
    if surrender.claimant_id is not None:
        person = _the(conn, tables.claimant, "id", surrender.claimant_id)
        claimant = claimant_json(person, reveal)
        bank_details = bool(person.sort_code and person.account_number)
        if person.purged_at is None:
            seen = claimant_json(person, reveal or claimant_copy)
            on_receipt = ", ".join(seen[k] for k in ("name", "business_name", "postcode") if seen[k])
    return SurrenderView(
        reference=surrender.reference,
        **heading_fields(campaign, station, officer),
        surrendered_at=surrender.surrendered_at,
        recorded_at=surrender.recorded_at,
        anonymous=bool(surrender.anonymous),
        declared=bool(surrender.declared),
        claimant=claimant,
        items=items,
        item_count=surrender.item_count,
        claim=claim,
        voided_at=surrender.voided_at,
        void_reason=surrender.void_reason,
        claimant_on_receipt=on_receipt,
        bank_details_given=bank_details,
        booking=check_of_surrender(conn, campaign, surrender_id, surrender.item_count),
    )


def _decided_by(campaign: Campaign, line: Row[Any]) -> list[str]:
    """The features that made a stored line meet its kind's definition (`serrated 3in`)."""
    return campaign.decided_by(line.kind, campaign.features.from_stored(json.loads(line.features)))


class Heading(TypedDict):
    campaign: str
    campaign_name: str
    legal_basis: str
    declaration: str
    minimum_note: str
    timezone: str
    station: str
    station_name: str
    station_town: str
    force: str
    station_contact: str | None
    payer: str
    officer_number: str
    officer_name: str


def heading_fields(campaign: Campaign, station: Any, officer: Any) -> Heading:
    """What every view of a surrender says about its scheme, station and receiving officer:
    one spelling for a stored surrender (show, receipts) and a preview alike."""
    return Heading(
        campaign=campaign.code,
        campaign_name=campaign.name,
        legal_basis=campaign.legal_basis,
        declaration=campaign.declaration,
        minimum_note=campaign.minimum_note,
        timezone=campaign.timezone,
        station=station.code,
        station_name=station.name,
        station_town=station.town,
        force=station.force_name,
        station_contact=station.contact,
        payer=campaign.payer,
        officer_number=officer.number,
        officer_name=officer.name,
    )


def _trail(conn: Connection, claim: Row) -> DecisionTrail:
    def who(staff_id: int | None) -> str | None:
        person = _row(conn, tables.staff, "id", staff_id) if staff_id is not None else None
        return f"{person.number} {person.name}" if person else None

    status = ClaimStatus(claim.status)
    decided = (
        ClaimStatus.REJECTED
        if status == ClaimStatus.REJECTED
        else ClaimStatus.APPROVED
        if status in DECIDED_APPROVED
        else None
    )
    batch = _row(conn, tables.export_batch, "id", claim.batch_id) if claim.batch_id is not None else None
    return DecisionTrail(
        decided=decided if claim.decided_at else None,
        decided_by=who(claim.decided_by),
        decided_at=claim.decided_at,
        note=claim.decision_note,
        manager_approved_by=who(claim.manager_approved_by),
        manager_approved_at=claim.manager_approved_at,
        exported_at=batch.created_at if batch else None,
        paid_by=who(claim.paid_by),
        paid_at=claim.paid_at,
    )


def claimant_json(person, reveal: bool) -> dict:
    """A claimant's details as a reader may see them: in full (`reveal`), masked, or purged."""
    if person.purged_at is not None:
        return {"name": "(personal data purged)"}
    if reveal:
        return {
            k: getattr(person, k)
            for k in (
                "name",
                "business_name",
                "address",
                "postcode",
                "phone",
                "email",
                "account_name",
                "sort_code",
                "account_number",
            )
        }
    return {
        "name": mask_name(person.name),
        "business_name": person.business_name,
        "address": mask_all(person.address),
        "postcode": mask_postcode(person.postcode),
        "phone": mask_tail(person.phone, 3),
        "email": mask_all(person.email),
        "account_name": mask_name(person.account_name),
        "sort_code": mask_all(person.sort_code),
        "account_number": mask_tail(person.account_number),
    }


def show_surrender(ctx: Context, reference: str) -> SurrenderView:
    """One surrender, if the reader's scope covers its station (desk officers: their own and
    granted stations); another station's reads as unknown."""

    def work(conn: Connection, reader: Row) -> SurrenderView:
        surrender = find_surrender(conn, reference, scope_of(conn, reader))
        return build_view(
            conn, surrender.id, reveal=sees_personal_data(reader.role, "show"), trail=sees_decision_trail(reader.role)
        )

    return perform(ctx, "show", work, write=False)
