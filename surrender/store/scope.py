"""What an actor may read. Every store query that lists or finds records takes one, so no
caller can forget it: the actor's force (each force is its own data controller), and within
it a set of stations (desk officers: their own and those granted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, true
from sqlalchemy.sql.elements import ColumnElement

# What a file line naming a reference outside the reader's scope is told: another force's
# claims are not theirs to touch, and whether such a reference exists is not theirs to learn.
NOT_YOURS = "not one of yours"


@dataclass(frozen=True)
class Scope:
    """`force` None means every force (the national role's figures, and the tool's own upkeep);
    `stations` None means every station of the force (finance, managers, admins)."""

    stations: frozenset[str] | None = None
    force: str | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of_force(cls, force: str | None) -> Scope:
        return cls(None, force)

    @classmethod
    def of_stations(cls, codes: tuple[str, ...] | list[str] | frozenset[str], force: str | None = None) -> Scope:
        return cls(frozenset(code.upper() for code in codes), force)

    def station_filter(self, station_column: Any) -> ColumnElement[bool]:
        """SQL: the row is one this scope may read: its force (the `force_code` of the table the
        station column belongs to; every force-owned table carries one) and its station."""
        wanted: list[ColumnElement[bool]] = []
        if self.force is not None:
            wanted.append(station_column.table.c.force_code == self.force)
        if self.stations is not None:
            wanted.append(station_column.in_(sorted(self.stations)))
        return and_(true(), *wanted)

    def force_filter(self, force_column: Any) -> ColumnElement[bool]:
        """SQL: the row belongs to this scope's force (for tables with no station)."""
        if self.force is None:
            return true()
        owned: ColumnElement[bool] = force_column == self.force
        return owned

    def covers(self, station_code: str) -> bool:
        return self.stations is None or station_code.upper() in self.stations
