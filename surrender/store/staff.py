"""Staff queries: finding a member by number, the stations they may use, the scope they read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import NotFound, Refused
from surrender.rules.permissions import stations_allowed
from surrender.store.scope import Scope

STATION_SCOPED_ROLES = frozenset({"desk", "property"})  # roles that read only at the stations they may use


def staff_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(tables.staff)).scalar_one()


def find_staff(conn: Connection, number: str, force: str | None = None) -> Row[Any]:
    """The member with this staff number: within `force` when given; without one, the only
    member anywhere with that number (collar numbers repeat between forces)."""
    staff_c = tables.staff.c
    query = select(tables.staff).where(staff_c.number == number.strip())
    if force is not None:
        query = query.where(staff_c.force_code == force.strip().upper())
    found = conn.execute(query.order_by(staff_c.force_code)).all()
    if not found:
        within = f" in force {force.strip().upper()}" if force else ""
        raise NotFound(
            f"no staff member with number {number!r}{within}: an admin adds staff with `surrender staff add`"
        )
    if len(found) > 1:
        forces = ", ".join(str(member.force_code) for member in found)
        raise Refused(
            f"staff number {number.strip()} is in more than one force ({forces}): "
            "say which with --force CODE or SURRENDER_FORCE"
        )
    return found[0]


def staff_by_id(conn: Connection, staff_id: int) -> Row[Any] | None:
    return conn.execute(select(tables.staff).where(tables.staff.c.id == staff_id)).one_or_none()


def granted_stations(conn: Connection, staff_id: int) -> list[str]:
    granted = tables.staff_station.c
    return list(
        conn.execute(
            select(granted.station_code).where(granted.staff_id == staff_id).order_by(granted.station_code)
        ).scalars()
    )


def stations_of(conn: Connection, staff: Row[Any]) -> tuple[str, ...]:
    """The member's own station first, then those an admin granted."""
    return stations_allowed(staff.station_code, granted_stations(conn, staff.id))


def scope_of(conn: Connection, staff: Row[Any]) -> Scope:
    """What this member may read, always within their own force: desk officers their stations,
    every other role the whole force."""
    if staff.role in STATION_SCOPED_ROLES:
        return Scope.of_stations(stations_of(conn, staff), staff.force_code)
    return Scope.of_force(staff.force_code)
