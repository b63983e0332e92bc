"""Who may do what (SPEC 3). Checked in the service layer, so every entry point obeys it."""

from __future__ import annotations

from collections.abc import Iterable

FORCE_ROLES = ("desk", "finance", "manager", "admin", "property")  # staff of one force
NATIONAL = "national"  # figures by force only: no personal data, no claim detail, changes nothing
ROLES = (*FORCE_ROLES, NATIONAL)  # every role acts with its own PIN

ALLOWED: dict[str, frozenset[str]] = {
    "log": frozenset({"desk"}),
    "show": frozenset(FORCE_ROLES),
    "receipt": frozenset({"desk", "manager"}),
    "void": frozenset({"manager"}),
    "recent": frozenset({"desk", "manager"}),
    "status": frozenset(FORCE_ROLES),  # and anyone with no --staff: it shows only what it can
    "claims.list": frozenset({"finance", "manager"}),
    "claims.approve": frozenset({"finance", "manager"}),
    "claims.reject": frozenset({"finance", "manager"}),
    "claims.export": frozenset({"finance"}),
    "claims.paid": frozenset({"finance"}),
    "claims.set_payment": frozenset({"finance"}),
    "claims.batches": frozenset({"finance", "manager"}),
    "claims.status": frozenset({"desk", "finance", "manager"}),
    "report": frozenset({"manager", "finance"}),
    "audit": frozenset({"manager", "admin"}),
    "audit.verify": frozenset({"manager", "admin", NATIONAL}),  # national: every force's chain, no detail
    "staff": frozenset({"admin"}),
    "own-pin": frozenset(ROLES),
    "campaign.register": frozenset({"admin"}),
    "db.upgrade": frozenset({"admin"}),
    "purge": frozenset({"admin"}),
    "audit.baseline": frozenset({"admin"}),
    "db.backup": frozenset({"admin"}),
    "db.force_role": frozenset({"admin"}),
    # issue 17: evidence, the payer's claim pack and decisions, modulus tables
    "claims.add_evidence": frozenset({"desk", "finance", "manager"}),
    "claims.evidence": frozenset({"finance", "manager"}),
    "claims.pack": frozenset({"finance"}),
    "claims.decisions": frozenset({"finance"}),
    "claims.dispute": frozenset({"finance", "manager"}),
    "db.modulus_tables": frozenset({"admin"}),
    # custody and destruction (issue 16): the property role is the store officer
    "custody.scan": frozenset({"property", "desk"}),  # desk: only counter -> own station's store
    "custody.move": frozenset({"property", "desk"}),
    "custody.where": frozenset({"property", "desk", "manager"}),
    "custody.check": frozenset({"property"}),
    "custody.locations": frozenset({"property", "desk", "manager", "admin"}),
    "custody.location_add": frozenset({"property", "admin"}),
    "custody.never_received": frozenset({"manager"}),
    "custody.retained": frozenset({"manager"}),
    "destruction.new": frozenset({"property"}),
    "destruction.add": frozenset({"property"}),
    "destruction.seal": frozenset({"property"}),
    "destruction.confirm": frozenset({"property"}),
    "destruction.list": frozenset({"property", "manager"}),
    "report.custody": frozenset({"property", "manager"}),
    # issue 15: forces and stations as data; figures by force
    "force.add": frozenset({"admin"}),
    "force.list": frozenset({"admin", NATIONAL}),
    "station.add": frozenset({"admin"}),
    "station.update": frozenset({"admin"}),
    "station.close": frozenset({"admin"}),
    "station.list": frozenset(FORCE_ROLES),
    "report.forces": frozenset({"manager", "admin", NATIONAL}),  # force roles: their own force's row
    "report.return": frozenset({"manager", "admin"}),  # the force's scheme return file
    # bulk surrenders by appointment (issue 17 point 5): at the stations the member may use
    "booking.add": frozenset({"desk", "manager"}),
    "booking.list": frozenset({"desk", "manager"}),
}


def roles_for(action: str) -> frozenset[str]:
    return ALLOWED[action]


def may(role: str, action: str) -> bool:
    return role in ALLOWED[action]


def sees_personal_data(role: str, action: str) -> bool:
    """Only finance sees claimant contact and payment details unmasked (SPEC 7)."""
    return role == "finance" and action in ("show", "claims.export", "claims.list")


# Actions a role may take only at the stations it may use: its own, plus those an admin granted.
STATION_BOUND: dict[str, frozenset[str]] = {
    "log": frozenset({"desk"}),
    "void": frozenset({"manager"}),
    "booking.add": frozenset({"desk", "manager"}),
    "booking.list": frozenset({"desk", "manager"}),
}
_DOING = {"log": "log surrenders", "void": "void surrenders", "booking.add": "book", "booking.list": "list bookings"}


def stations_allowed(home: str | None, granted: Iterable[str]) -> tuple[str, ...]:
    """The member's own station first, then the granted ones, each once."""
    codes = [home] if home else []
    codes += sorted(set(granted) - set(codes))
    return tuple(codes)


def station_refusal(
    number: str, role: str, action: str, station: str, home: str | None, granted: Iterable[str]
) -> str | None:
    """None if `role` may take `action` at `station`; else the one-line reason, naming the
    stations the member may use."""
    if role not in STATION_BOUND.get(action, frozenset()):
        return None
    allowed = stations_allowed(home, granted)
    if station.upper() in allowed:
        return None
    verb = _DOING[action]
    where = f"only at {', '.join(allowed)}" if allowed else "at no station yet"
    return (
        f"staff member {number} may {verb} {where}, not at {station.upper()}; "
        f"an admin can grant more with `surrender staff update {number} --stations ...`"
    )


def sees_decision_trail(role: str) -> bool:
    """Who approved or rejected a claim, when and why: for the roles that decide (finance,
    manager). The desk answers "where is my money?" with `claims status` instead."""
    return role in ("finance", "manager")
