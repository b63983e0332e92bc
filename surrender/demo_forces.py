"""The demo's second force (`demo --forces 2`, PostgreSQL only): Bedfordshire Police beside
Cambridgeshire in one database, with its own stations (Luton, Bedford), its own staff (some
collar numbers the same as Cambridgeshire's, as happens between forces) and a day's work
logged, approved and exported as Bedfordshire's batch 1. Through the service layer only."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from surrender.demo import at
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.rules.modulus import next_valid_account
from surrender.services.context import Context
from surrender.services.intake import LogRequest

FORCE, FORCE_NAME = "BEDS", "Bedfordshire Police"
STATIONS = [  # code, name, town, contact
    ("LU", "Luton Police Station", "Luton", "101, ask for the Luton property office"),
    ("BD", "Bedford Police Station", "Bedford", "101, ask for the Bedford front counter"),
]
STAFF = [  # number, name, role, station, PIN: 1 and 4410 are Cambridgeshire's numbers too
    ("1", "Bea Admin", "admin", None, "111124"),
    ("2801", "PC Lu Ahmed", "desk", "LU", "280124"),
    ("2901", "PC Ben Ford", "desk", "BD", "290124"),
    ("4410", "Ray Lewis", "finance", None, "441124"),
]
PINS = {number: pin for number, _, _, _, pin in STAFF}
KNIFE = "zombie-knife:10in:plain:point:serrated=3in"


def _as(ctx: Context, number: str, when: dt.datetime, station: str | None = None) -> Context:
    return replace(ctx, staff=number, force=FORCE, pin=PINS[number], station=station, now=lambda: when)


def add_second_force(ctx: Context, cambs_admin: Context | None, folder: Path) -> list[str]:
    """Bedfordshire, added by Cambridgeshire's admin (`cambs_admin`) to a shared database, or
    (None) made the force of the new SQLite file `ctx` names; then run by its own admin.
    Returns its references."""
    from surrender.services.claims import approve_claim
    from surrender.services.export import export_claims
    from surrender.services.forces import add_force, add_station
    from surrender.services.staff import add_staff
    from surrender.services.surrenders import log_surrender

    when = at(0, 8)
    adder = replace(cambs_admin or ctx, now=lambda: when)
    add_force(adder, FORCE, FORCE_NAME)
    first, *rest = STAFF
    add_staff(adder, first[0], first[1], first[2], None, first[4], force=FORCE)
    admin = _as(ctx, "1", when)
    for code, name, town, contact in STATIONS:
        add_station(admin, code, name, town, contact=contact)
    for number, name, role, station, pin in rest:
        add_staff(admin, number, name, role, station, pin)
    references = []
    for index, (desk, station) in enumerate((("2801", "LU"), ("2901", "BD"), ("2801", "LU"))):
        person = make_claimant(
            f"Demo Claimant {index + 1}",
            f"{index + 1} Station Road, {station}",
            "LU1 2AA",
            sort_code="12-34-56",
            account_number=next_valid_account("12-34-56", f"{12345678 + 1000 * index}"),  # one account each
        )
        request = LogRequest(items=[item_from_spec(f"{KNIFE}:qty={3 + index}")], claimant=person, declared=True)
        view = log_surrender(_as(ctx, desk, at(0, 10 + index), station), request)
        references.append(view.reference)
    finance = _as(ctx, "4410", at(0, 16))
    for reference in references:
        approve_claim(finance, reference)
    export_claims(finance, folder / "beds-batch-1.csv")
    return references
