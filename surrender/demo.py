"""A realistic day at both stations, logged through the real service layer on a throwaway DB."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from typing import Callable
from zoneinfo import ZoneInfo

from surrender.errors import Refused
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.context import Context

LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2024, 9, 12)  # a Thursday inside the zombie-2024 window

STAFF = [  # number, name, role, station, pin
    ("1", "Alex Admin", "admin", None, "111111"),
    ("2041", "PC Sam Patel", "desk", "TW", "204141"),
    ("3187", "PC Jo Green", "desk", "PK", "318787"),
    ("4410", "Fin Ance", "finance", None, "441010"),
    ("5023", "Insp Morgan Lee", "manager", "TW", "502323"),
]
KNIVES = [
    "zombie-knife:10in:plain:point:serrated=3in:desc=black serrated survival knife",
    "zombie-knife:9.5in:plain:point:holes=3:desc=skull-handled knife",
    "zombie-machete:18in:plain:point:spikes:desc=spiked machete",
    "zombie-machete:45cm:plain:point:points=3:desc=triple-tip machete",
    "zombie-knife:24cm:plain:point:serrated=1.5in:at-handle:holes=2",
    "zombie-knife:8in:plain:point:serrated=4in:desc=8 inch blade - not over 8 inches",
    "zombie-knife:7in:plain:point:desc=kitchen knife",
]
PEOPLE = [
    ("Jane Smith", "14 Mill Road, Cambridge", "CB1 2AD"), ("Tom Okafor", "3 Lincoln Road, Peterborough", "PE1 2RR"),
    ("Priya Shah", "27 Hills Road, Cambridge", "CB2 1NW"), ("Dan Kowalski", "8 Oundle Road, Peterborough", "PE2 9PB"),
    ("Amy Brown", "51 Histon Road, Cambridge", "CB4 3JD"), ("Lee Walker", "19 Park Road, Peterborough", "PE1 2UX"),
    ("Chloe Martin", "6 Tenison Road, Cambridge", "CB1 2DG"), ("Sean Murphy", "2 Bourges Boulevard, Peterborough", "PE1 1NG"),
]


def run_demo(ctx: Context, say: Callable[[str], None]) -> list:
    """Set up staff, then log a day's surrenders at TW and PK; returns the views logged."""
    from surrender.services.staff import add_staff
    from surrender.services.surrenders import LogRequest, log_surrender
    from surrender.services.receipts import write_receipt

    pins = {number: pin for number, *_, pin in STAFF}
    admin = replace(ctx, staff="1", pin=pins["1"])
    for number, name, role, station, pin in STAFF:
        add_staff(admin, number, name, role, station, pin)
    say(f"Added {len(STAFF)} staff: an admin, a desk officer at each station, finance and a manager.")
    rng = random.Random(2024)
    views = []
    for index, (name, address, postcode) in enumerate(PEOPLE):
        station, officer = ("TW", "2041") if index % 2 else ("PK", "3187")
        at = dt.datetime.combine(DAY, dt.time(9 + index, rng.choice([5, 20, 35, 50])), LONDON)
        count = 2 if index == 5 else rng.choice([3, 3, 4, 4, 5])  # two items: under the £30 minimum
        # Most of what is handed in meets the definition; the last item of each is a toss-up.
        specs = [rng.choice(KNIVES[:5]) for _ in range(count - 1)] + [rng.choice(KNIVES)]
        if index == 3:
            specs[0] += ":value=145:evidence=receipt"  # a valued item with a receipt: flagged for a manager
        desk = replace(ctx, staff=officer, pin=pins[officer], station=station, now=lambda at=at: at + dt.timedelta(minutes=4))
        claimant = make_claimant(name, address, postcode, sort_code="20-00-00" if index % 3 == 0 else None,
                                 account_number="55779911" if index % 3 == 0 else None)
        request = LogRequest(items=[item_from_spec(s) for s in specs], claimant=claimant, declared=True)
        views.append(write_receipt(desk, log_surrender(desk, request)))
    anonymous_at = dt.datetime.combine(DAY, dt.time(15, 40), LONDON)
    desk = replace(ctx, staff="2041", pin=pins["2041"], station="TW", now=lambda: anonymous_at)
    request = LogRequest(items=[item_from_spec(KNIVES[0]), item_from_spec(KNIVES[2])], anonymous=True)
    views.append(write_receipt(desk, log_surrender(desk, request)))
    for view in views:
        claim = view.claim
        summary = "no claim" if claim is None else f"{claim.status}, payable £{claim.payable_pence / 100:.2f}"
        say(f"{view.reference}  {view.station}  {view.item_count} items  {summary}")
    late = dt.datetime(2024, 9, 24, 10, 0, tzinfo=LONDON)
    try:
        log_surrender(replace(ctx, staff="2041", pin=pins["2041"], station="TW", now=lambda: late + dt.timedelta(hours=1)),
                      LogRequest(items=[item_from_spec(KNIVES[0])], at=late, anonymous=True))
    except Refused as exc:
        say(f"Refused, as it should be: {exc}")
    return views
