"""Bulk surrenders by appointment (issue 17 point 5): anyone bringing the scheme's threshold of
items or more is asked to book (Cambridgeshire: 5 or more, through 101). A surrender at or over
it is matched to a booking on the same day at the same station, by name or business, folded
as the patterns fold them (case, spaces, punctuation). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from surrender.errors import Refused
from surrender.rules.bounds import NAME_CHARS, within
from surrender.rules.patterns import fold_words

MAX_EXPECTED = 10_000_000  # as many items as a surrender may hold (rules.compensation.MAX_ITEMS)


@dataclass(frozen=True)
class BookingRequest:
    name: str
    business: str | None
    expected: int
    on: dt.date


def make_booking(name: str, business: str | None, expected: int, on: dt.date) -> BookingRequest:
    """A booking as typed, tidied and checked: a name and a whole number of items. A past day is
    allowed, as `log --at` is: a booking taken by 101 may reach the desk after the visit."""
    name = within(" ".join((name or "").split()), "name", NAME_CHARS)
    if not fold_words(name):
        raise Refused("a booking needs the --name of whoever is bringing the items")
    business = within(" ".join(business.split()), "business name", NAME_CHARS) if business else None
    if not 1 <= expected <= MAX_EXPECTED:
        raise Refused(f"--expected must be a whole number of items from 1 to {MAX_EXPECTED:,}, not {expected}")
    return BookingRequest(name, business or None, expected, on)


def needs_booking(item_count: int, threshold: int | None) -> bool:
    """Whether a surrender of `item_count` items should have been booked."""
    return threshold is not None and item_count >= threshold


@dataclass(frozen=True)
class Booked:
    """A booking the counter may match: its id, as booked, how many items were expected."""

    id: int
    name: str
    business: str | None
    expected: int


def match_booking(name: str | None, business: str | None, bookings: Sequence[Booked]) -> Booked | None:
    """The first booking (in booking order) whose business or name is the surrender's, folded;
    a business matches a business, a name a name."""

    def same(a: str | None, b: str | None) -> bool:
        return bool(a and b and fold_words(a) and fold_words(a) == fold_words(b))

    for booked in bookings:
        if same(business, booked.business) or same(name, booked.name):
            return booked
    return None
