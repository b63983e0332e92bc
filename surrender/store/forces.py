"""Force and station queries: the forces using this database, each force's stations (with the
details a receipt prints), and the force a new child row inherits from its parent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import TableClause

from surrender import tables
from surrender.store.scope import Scope

force_c, station_c = tables.force.c, tables.station.c


def forces(conn: Connection, scope: Scope) -> list[Row[Any]]:
    """(code, name) of every force the scope covers, by code."""
    return list(
        conn.execute(select(force_c.code, force_c.name).where(scope.force_filter(force_c.code)).order_by(force_c.code))
    )


def force_codes(conn: Connection) -> list[str]:
    """Every force's code, by code (which forces exist is no force's secret)."""
    return list(conn.execute(select(force_c.code).order_by(force_c.code)).scalars())


def find_force(conn: Connection, code: str) -> Row[Any] | None:
    return conn.execute(select(tables.force).where(force_c.code == code.strip().upper())).one_or_none()


def station_rows(scope: Scope) -> Any:
    """Every station the scope covers with its force's name, by code."""
    return (
        select(tables.station, force_c.name.label("force_name"))
        .join(tables.force, force_c.code == station_c.force_code)
        .where(scope.station_filter(station_c.code))
        .order_by(station_c.code)
    )


def find_station(conn: Connection, code: str, scope: Scope, lock: bool = False) -> Row[Any] | None:
    """The station (with its force's name) if the scope covers it; another force's reads as unknown."""
    query = station_rows(scope).where(station_c.code == code.strip().upper())
    return conn.execute(query.with_for_update(of=tables.station) if lock else query).one_or_none()


def station_exists(conn: Connection, code: str) -> bool:
    """Whether any force has a station with this code (codes start references: one per database)."""
    return conn.execute(select(station_c.code).where(station_c.code == code)).first() is not None


def station_count(conn: Connection, force: str) -> int:
    return int(conn.execute(select(func.count()).where(station_c.force_code == force)).scalar_one())


def force_of(table: TableClause, row_id: int) -> ColumnElement[Any]:
    """SQL: the force of the `table` row with this id, for a child row to inherit in its insert."""
    owner: ColumnElement[Any] = select(table.c.force_code).where(table.c.id == row_id).scalar_subquery()
    return owner
