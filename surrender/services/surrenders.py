"""Logging a surrender and voiding it (reading one is services/reading.py; its receipt,
written after the commit, services/receipts.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from surrender import tables
from surrender.clock import local
from surrender.errors import Refused
from surrender.rules.items import Item
from surrender.rules.lifecycle import Step, can, require_reason
from surrender.rules.references import make_reference
from surrender.rules.window import check_surrender_time
from surrender.services import audit
from surrender.services.auth import check_station, perform, require_open_station
from surrender.services.bookings import check_at_counter
from surrender.services.campaigns import campaign_for
from surrender.services.context import Context
from surrender.services.intake import Intake, LogRequest, check_request
from surrender.services.patterns import flag_patterns
from surrender.services.reading import build_view
from surrender.store import audit_log
from surrender.store import surrenders as surrender_store
from surrender.store.custody import create_exhibits
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender
from surrender.views import SurrenderView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

__all__ = ["LogRequest", "log_surrender", "void_surrender"]


def log_surrender(ctx: Context, request: LogRequest, progress: Callable[[int], None] | None = None) -> SurrenderView:
    """Validate, number, assess and store a surrender in one transaction; returns it as
    committed. `ctx.checkpoint` is called once it is "numbered" and once everything is
    "stored" (before the audit event and the commit). The receipt: `receipts.log_with_receipt`."""
    check_request(request)

    def work(conn: Connection, officer: Row) -> SurrenderView:
        now = ctx.now()
        station = require_open_station(conn, ctx.station, officer, now)
        campaign = campaign_for(conn, ctx, officer)
        at = request.at or now
        check_surrender_time(campaign, at, now)
        force = station.force_code
        number = surrender_store.next_number(conn, station.code, campaign.code, force)
        reference = make_reference(station.code, campaign.reference_prefix, number)
        ctx.checkpoint("numbered")
        claimant_id = None
        if request.claimant is not None:
            claimant_id = surrender_store.insert_claimant(conn, request.claimant, now, force)
        surrender_id = surrender_store.insert_surrender(
            conn,
            reference=reference,
            force_code=force,
            station_code=station.code,
            campaign_code=campaign.code,
            number=number,
            surrendered_at=at,
            surrendered_on=local(at, campaign.timezone).date(),
            recorded_at=now,
            staff_id=officer.id,
            anonymous=request.anonymous,
            claimant_id=claimant_id,
            declared=request.declared,
        )
        intake = Intake(campaign, request.claiming)
        _store_items(conn, surrender_id, force, intake, request.items_under(campaign), progress)
        count = intake.item_count
        surrender_store.set_item_count(conn, surrender_id, count)
        claim = intake.claim()
        if claim is not None:
            surrender_store.insert_claim(conn, surrender_id, claim, force)
            flag_patterns(conn, surrender_id, now, officer.id)  # issue 17: patterns across claims
        person = request.claimant
        booking = check_at_counter(  # issue 17: a bulk surrender against the day's bookings
            conn,
            campaign,
            station.code,
            local(at, campaign.timezone).date(),
            person.name if person else None,
            person.business_name if person else None,
            count,
            surrender_id,
        )
        create_exhibits(conn, surrender_id, now)  # custody: one exhibit per tag the receipt prints
        ctx.checkpoint("stored")
        booked = {} if booking is None else {"booking": {"expected": booking.expected, "received": booking.received}}
        audit.record(
            conn,
            now,
            officer.id,
            "surrender.logged",
            "surrender",
            surrender_id,
            {
                **booked,
                "reference": reference,
                "station": station.code,
                "campaign": campaign.code,
                "surrendered_at": at.isoformat(),
                "items": count,
                "anonymous": request.anonymous,
                "claim": None
                if claim is None
                else {"status": claim.status, "payable": claim.payable_pence, "flags": len(claim.flags)},
            },
        )
        if request.evidence:  # issue 17: evidence kept with the claim, in this transaction
            from surrender.services.evidence import attach_on_log

            attach_on_log(conn, surrender_id, reference, claim is not None, request.evidence, officer.id, now)
        return build_view(conn, surrender_id, reveal=False, claimant_copy=True)  # the receipt is theirs

    return perform(ctx, "log", work)


def _store_items(
    conn: Connection,
    surrender_id: int,
    force: str,
    intake: Intake,
    items: Iterable[Item],
    progress: Callable[[int], None] | None,
) -> None:
    """Store every row, each pointing at its distinct line, as the intake reads them; then,
    the whole list being checked, each line's totals."""
    writer = surrender_store.ItemRows(conn, surrender_id, force)
    row = 0
    for row, line in enumerate(intake.rows(items), 1):
        if line.first_row == row:
            writer.line(line.number, row, line.item, line.unit)
        if writer.row(line.number) and progress:
            progress(row)
    writer.close()
    intake.check()
    writer.totals(
        [(line.number, line.rows, line.quantity, line.claimed_pence, line.compensation_pence) for line in intake.lines]
    )
    if progress:
        progress(row)


def void_surrender(ctx: Context, reference: str, reason: str) -> SurrenderView:
    """A manager voids a surrender: its claim can never be exported; reprints say VOID."""
    reason = require_reason(reason, "voiding")

    def work(conn: Connection, manager: Row) -> SurrenderView:
        surrender = find_surrender(conn, reference, scope_of(conn, manager))
        check_station(conn, manager, "void", surrender.station_code)
        if surrender.voided_at is not None:
            raise Refused(f"{surrender.reference} is already void ({surrender.void_reason})")
        # Locked, so a void waits for an export in progress and then sees the claim exported.
        claim = conn.execute(
            select(tables.claim).where(tables.claim.c.surrender_id == surrender.id).with_for_update()
        ).one_or_none()
        if claim is not None and not can(Step.VOID, claim.status):
            raise Refused(
                f"{surrender.reference}'s claim is already {claim.status} in batch {claim.batch_id}: "
                "it cannot be voided now"
            )
        now = ctx.now()
        conn.execute(
            update(tables.surrender)
            .where(tables.surrender.c.id == surrender.id)
            .values(voided_at=now, voided_by=manager.id, void_reason=reason)
        )
        audit.record(
            conn,
            now,
            manager.id,
            "surrender.voided",
            "surrender",
            surrender.id,
            {
                "reference": surrender.reference,
                "reason": audit.private("reason", reason, audit_log.salt_of(conn, surrender.id)),
                "claim_status": claim.status if claim else None,
            },
        )
        return build_view(conn, surrender.id, reveal=False)

    return perform(ctx, "void", work)
