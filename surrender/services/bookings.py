"""Bulk surrenders by appointment (issue 17 point 5): `booking add` and `booking list` at the
stations a desk officer or manager may use, and the counter's check of a surrender at or over
the scheme's threshold against the day's bookings (matched at log time, read back by `show`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from surrender.rules.bookings import Booked, make_booking, match_booking, needs_booking
from surrender.services import audit
from surrender.services.auth import perform, require_station
from surrender.services.context import Context
from surrender.store import bookings as store
from surrender.store.scope import Scope
from surrender.store.staff import stations_of
from surrender.views import BookingCheck

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

    from surrender.rules.campaign import Campaign


@dataclass(frozen=True)
class BookingRow:
    """One booking as `booking list` shows it; received is None until the surrender is logged."""

    id: int
    station: str
    on: dt.date
    name: str
    business: str | None
    expected: int
    reference: str | None
    received: int | None


def add_booking(
    ctx: Context, name: str, business: str | None, expected: int, on: dt.date, station: str | None
) -> BookingRow:
    """Desk or manager: book a bulk surrender at a station they may use (audited, the name
    kept out of the audit trail)."""
    booking = make_booking(name, business, expected, on)

    def work(conn: Connection, staff: Row) -> BookingRow:
        at = require_station(conn, station, staff, "booking.add")
        now = ctx.now()
        ident = store.insert_booking(conn, at.code, booking, now, staff.id)
        audit.record(
            conn,
            now,
            staff.id,
            "booking.added",
            "booking",
            ident,
            {"station": at.code, "on": booking.on.isoformat(), "expected": booking.expected},
        )
        return BookingRow(ident, at.code, booking.on, booking.name, booking.business, booking.expected, None, None)

    return perform(ctx, "booking.add", work)


def list_bookings(ctx: Context, on: dt.date | None = None, station: str | None = None) -> list[BookingRow]:
    """Bookings at the stations the reader may use (or the one named), by day."""

    def work(conn: Connection, staff: Row) -> list[BookingRow]:
        code = require_station(conn, station, staff, "booking.list").code if station else None
        rows = store.bookings(conn, Scope.of_stations(stations_of(conn, staff)), on, code)
        return [
            BookingRow(r.id, r.station_code, r.booked_on, r.name, r.business_name, r.expected, r.reference, r.received)
            for r in rows
        ]

    return perform(ctx, "booking.list", work, write=False)


def _check(campaign: Campaign, received: int, booked: Booked | None) -> BookingCheck | None:
    if campaign.booking_threshold is None or (
        booked is None and not needs_booking(received, campaign.booking_threshold)
    ):
        return None
    if booked is None:
        return BookingCheck(campaign.booking_threshold, received, None, None)
    return BookingCheck(campaign.booking_threshold, received, booked.expected, booked.business or booked.name)


def check_at_counter(
    conn: Connection,
    campaign: Campaign,
    station: str,
    on: dt.date,
    name: str | None,
    business: str | None,
    received: int,
    surrender_id: int | None = None,
) -> BookingCheck | None:
    """A surrender at or over the threshold against the day's open bookings at the station;
    with `surrender_id` (at log time) the booking found is marked as matched to it."""
    if not needs_booking(received, campaign.booking_threshold):
        return None
    booked = match_booking(name, business, store.open_bookings(conn, station, on))
    if booked is not None and surrender_id is not None:
        store.set_matched(conn, booked.id, surrender_id)
    return _check(campaign, received, booked)


def check_of_surrender(conn: Connection, campaign: Campaign, surrender_id: int, received: int) -> BookingCheck | None:
    """What the counter found for a stored surrender: its booking, or none when it needed one."""
    return _check(campaign, received, store.booking_of(conn, surrender_id))
