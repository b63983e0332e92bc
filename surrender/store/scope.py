"""What an actor may read. Every store query that lists or finds records takes one, so no
caller can forget it: today a set of stations (desk officers: their own and those granted);
next, a force."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import true
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class Scope:
    """`stations` None means every station (finance, managers, admins)."""

    stations: frozenset[str] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of_stations(cls, codes: tuple[str, ...] | list[str] | frozenset[str]) -> Scope:
        return cls(frozenset(code.upper() for code in codes))

    def station_filter(self, station_column: Any) -> ColumnElement[bool]:
        """SQL: the row's station is one this scope may read."""
        if self.stations is None:
            return true()
        filtered: ColumnElement[bool] = station_column.in_(sorted(self.stations))
        return filtered

    def covers(self, station_code: str) -> bool:
        return self.stations is None or station_code.upper() in self.stations
