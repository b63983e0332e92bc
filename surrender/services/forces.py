"""Forces and their stations as data: add a force, add, list, update and close its stations.

A force's admin manages its own stations only. Station codes start every reference, so they
are unique in a database whatever the force. SQLite holds one force per file (a second force
is for PostgreSQL, shared by forces that share services). A closed station takes no new
surrenders (`rules.stations.closed_refusal`); its records stay readable. All audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Connection, Row

from surrender import db, tables
from surrender.errors import NotFound, Refused
from surrender.rules import stations as rules
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import audit_log
from surrender.store import forces as store
from surrender.store.scope import Scope
from surrender.store.staff import staff_count

ONE_FORCE_PER_FILE = (
    "a SQLite database file holds one force: keep each force in its own file, or share one "
    "PostgreSQL database between forces (--db postgresql://...)"
)


@dataclass(frozen=True)
class ForceRow:
    code: str
    name: str
    stations: int


@dataclass(frozen=True)
class StationRow:
    code: str
    name: str
    town: str
    force: str
    force_name: str
    address: str | None
    hours: str | None
    contact: str | None
    closed_at: dt.datetime | None


def add_force(ctx: Context, code: str, name: str) -> ForceRow:
    """A new force (its first admin is then added with `staff add ... --force CODE`). On a new
    SQLite file (nobody added yet) the file becomes that force's instead (`new_file_of`)."""
    code = rules.force_code(code)
    title = rules.detail(name, "force name", required=True)
    if db.sqlite_path(ctx.url) is not None and db.run(ctx.url, staff_count, write=False) == 0:
        return db.run(ctx.url, lambda conn: new_file_of(conn, ctx.now(), code, str(title)))

    def work(conn: Connection, admin: Row[Any]) -> ForceRow:
        known = store.force_codes(conn)
        if code in known:
            raise Refused(f"force {code} exists already")
        if conn.dialect.name == "sqlite" and known:
            raise Refused(f"cannot add force {code}: {ONE_FORCE_PER_FILE}")
        conn.execute(insert(tables.force).values(code=code, name=title))
        audit_log.create_head(conn, code)  # its own audit chain, so its writes never wait for another's
        audit.record(conn, ctx.now(), admin.id, "force.added", "force", code, {"code": code, "name": title})
        return ForceRow(code, str(title), 0)

    return perform(ctx, "force.add", work)


def new_file_of(conn: Connection, now: dt.datetime, code: str, name: str) -> ForceRow:
    """A SQLite file holds one force, and a new one is made as Cambridgeshire's (with TW and PK):
    before anyone is added, it may become another force's file (its stations added next by its
    first admin). The default force's unused stations and counters go; nothing else is there."""
    if staff_count(conn):
        raise Refused(f"cannot add force {code}: {ONE_FORCE_PER_FILE}")
    (old,) = store.force_codes(conn)  # a new file has the one force its migration made
    if code != old:
        conn.execute(insert(tables.force).values(code=code, name=name))
        conn.execute(delete(tables.location).where(tables.location.c.force_code == old))
        conn.execute(delete(tables.station).where(tables.station.c.force_code == old))
        # The file's chain (still empty: nobody has done anything) becomes the new force's.
        conn.execute(update(tables.audit_head).where(tables.audit_head.c.force_code == old).values(force_code=code))
        conn.execute(delete(tables.force).where(tables.force.c.code == old))
    else:
        conn.execute(update(tables.force).where(tables.force.c.code == code).values(name=name))
    audit.record(conn, now, None, "force.added", "force", code, {"code": code, "name": name, "replaces": old})
    return ForceRow(code, name, 0)


def list_forces(ctx: Context) -> list[ForceRow]:
    """Every force in the database with how many stations it has."""

    def work(conn: Connection, _reader: Row[Any]) -> list[ForceRow]:
        return [
            ForceRow(row.code, row.name, store.station_count(conn, row.code))
            for row in store.forces(conn, Scope.everything())
        ]

    return perform(ctx, "force.list", work, write=False)


def add_station(
    ctx: Context,
    code: str,
    name: str,
    town: str,
    force: str | None = None,
    address: str | None = None,
    hours: str | None = None,
    contact: str | None = None,
) -> StationRow:
    """A new station of `force` (default: the acting admin's own, the only force they manage)."""
    code = rules.station_code(code)
    values = {
        "name": rules.detail(name, "station name", required=True),
        "town": rules.detail(town, "town", required=True),
        "address": rules.detail(address, "address"),
        "hours": rules.detail(hours, "opening hours"),
        "contact": rules.detail(contact, "contact"),
    }

    def work(conn: Connection, admin: Row[Any]) -> StationRow:
        owner = _own_force(conn, admin, force)
        if store.station_exists(conn, code):
            raise Refused(f"station code {code} is taken (references start with it, so codes are unique)")
        conn.execute(insert(tables.station).values(code=code, force_code=owner, **values))
        audit.record(
            conn, ctx.now(), admin.id, "station.added", "station", code, {"code": code, "force": owner, **values}
        )
        return _station_row(conn, code, owner)

    return perform(ctx, "station.add", work)


def list_stations(ctx: Context) -> list[StationRow]:
    """The reader's force's stations, open and closed."""

    def work(conn: Connection, reader: Row[Any]) -> list[StationRow]:
        return [_as_row(r) for r in conn.execute(store.station_rows(Scope.of_force(reader.force_code)))]

    return perform(ctx, "station.list", work, write=False)


def update_station(ctx: Context, code: str, **changes: str | None) -> StationRow:
    """Change a station's name, town, address, hours or contact (None: unchanged; empty text
    clears an optional detail). Its code and force never change: references carry the code."""
    wanted = {key: value for key, value in changes.items() if value is not None}
    if not wanted:
        raise Refused("nothing to change: give --name, --town, --address, --hours or --contact")
    values = {
        key: rules.detail(value, key.replace("hours", "opening hours"), required=key in ("name", "town"))
        for key, value in wanted.items()
    }

    def work(conn: Connection, admin: Row[Any]) -> StationRow:
        station = _managed_station(conn, admin, code)
        conn.execute(update(tables.station).where(tables.station.c.code == station.code).values(**values))
        audit.record(
            conn, ctx.now(), admin.id, "station.updated", "station", station.code, {"code": station.code, **values}
        )
        return _station_row(conn, station.code, station.force_code)

    return perform(ctx, "station.update", work)


def close_station(ctx: Context, code: str) -> StationRow:
    """No new surrenders at this station from now on; what was logged there stays readable."""

    def work(conn: Connection, admin: Row[Any]) -> StationRow:
        station = _managed_station(conn, admin, code)
        if station.closed_at is not None:
            raise Refused(f"station {station.code} is closed already")
        now = ctx.now()
        conn.execute(update(tables.station).where(tables.station.c.code == station.code).values(closed_at=now))
        audit.record(conn, now, admin.id, "station.closed", "station", station.code, {"code": station.code})
        return _station_row(conn, station.code, station.force_code)

    return perform(ctx, "station.close", work)


def _own_force(conn: Connection, admin: Row[Any], force: str | None) -> str:
    """The force a new station joins: the admin's own; naming another is refused."""
    wanted = rules.force_code(force) if force else admin.force_code
    if store.find_force(conn, wanted) is None:
        raise NotFound(f"no force {wanted!r}; an admin adds one with `surrender force add`")
    if wanted != admin.force_code:
        raise Refused(f"an admin manages the stations of their own force ({admin.force_code}), not of {wanted}")
    return str(wanted)


def _managed_station(conn: Connection, admin: Row[Any], code: str) -> Row[Any]:
    """The admin's force's station with this code, locked (another force's reads as unknown)."""
    station = store.find_station(conn, rules.station_code(code), Scope.of_force(admin.force_code), lock=True)
    if station is None:
        raise NotFound(f"no station {code.strip().upper()!r} in force {admin.force_code}")
    return station


def _station_row(conn: Connection, code: str, force: str) -> StationRow:
    station = store.find_station(conn, code, Scope.of_force(force))
    assert station is not None  # just written in this transaction
    return _as_row(station)


def _as_row(r: Row[Any]) -> StationRow:
    return StationRow(r.code, r.name, r.town, r.force_code, r.force_name, r.address, r.hours, r.contact, r.closed_at)
