"""Booking queries: adding, listing within a scope (with what arrived against each), the day's
unmatched bookings at a station, and the booking a surrender was matched to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.rules.bookings import Booked, BookingRequest
from surrender.store.scope import Scope

booking_c, surrender_c = tables.booking.c, tables.surrender.c


def insert_booking(conn: Connection, station: str, booking: BookingRequest, now: dt.datetime, staff_id: int) -> int:
    ident: int = conn.execute(
        insert(tables.booking)
        .values(
            station_code=station,
            booked_on=booking.on,
            name=booking.name,
            business_name=booking.business,
            expected=booking.expected,
            created_at=now,
            created_by=staff_id,
            force_code=select(tables.station.c.force_code).where(tables.station.c.code == station).scalar_subquery(),
        )
        .returning(booking_c.id)
    ).scalar_one()
    return ident


def bookings(conn: Connection, scope: Scope, on: dt.date | None, station: str | None) -> list[Row[Any]]:
    """Bookings by day, station and order made, each with the surrender matched to it (its
    reference and items received, None while nobody has come)."""
    joined = tables.booking.join(tables.surrender, surrender_c.id == booking_c.surrender_id, isouter=True)
    query = (
        select(
            booking_c.id,
            booking_c.station_code,
            booking_c.booked_on,
            booking_c.name,
            booking_c.business_name,
            booking_c.expected,
            surrender_c.reference,
            surrender_c.item_count.label("received"),
        )
        .select_from(joined)
        .where(scope.station_filter(booking_c.station_code))
        .order_by(booking_c.booked_on, booking_c.station_code, booking_c.id)
    )
    if on is not None:
        query = query.where(booking_c.booked_on == on)
    if station is not None:
        query = query.where(booking_c.station_code == station)
    return list(conn.execute(query))


def open_bookings(conn: Connection, station: str, on: dt.date) -> list[Booked]:
    """The day's bookings at the station not yet matched to a surrender, in booking order."""
    rows = conn.execute(
        select(booking_c.id, booking_c.name, booking_c.business_name, booking_c.expected)
        .where(booking_c.station_code == station, booking_c.booked_on == on, booking_c.surrender_id.is_(None))
        .order_by(booking_c.id)
    )
    return [Booked(r.id, r.name, r.business_name, r.expected) for r in rows]


def set_matched(conn: Connection, booking_id: int, surrender_id: int) -> None:
    conn.execute(update(tables.booking).where(booking_c.id == booking_id).values(surrender_id=surrender_id))


def booking_of(conn: Connection, surrender_id: int) -> Booked | None:
    """The booking a surrender was matched to, if any."""
    row = conn.execute(
        select(booking_c.id, booking_c.name, booking_c.business_name, booking_c.expected).where(
            booking_c.surrender_id == surrender_id
        )
    ).first()
    return None if row is None else Booked(row.id, row.name, row.business_name, row.expected)


def purge_before(conn: Connection, before: dt.date) -> int:
    """Wipe the names on bookings for days before `before` (retention, with the claimants')."""
    done = conn.execute(
        update(tables.booking)
        .where(booking_c.booked_on < before, booking_c.name != "")
        .values(name="", business_name=None)
    )
    return int(done.rowcount or 0)
