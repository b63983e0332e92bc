"""A day's surrenders at the acting station: what the desk logged, so a reference lost to a
crash or a closed window is found again without a second process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Row

from surrender.clock import LONDON
from surrender.rules.lifecycle import ClaimStatus
from surrender.services.auth import perform, require_station
from surrender.services.context import Context
from surrender.store import reports
from surrender.store.staff import scope_of


@dataclass(frozen=True)
class RecentRow:
    reference: str
    surrendered_at: dt.datetime
    recorded_at: dt.datetime
    officer: str  # staff number
    items: int
    kinds: tuple[tuple[int, str], ...]  # (quantity, kind), in the order first listed
    status: ClaimStatus | None  # None: no claim
    anonymous: bool
    payable_pence: int | None  # effective (0 when rejected, not payable or void); None: no claim
    void: bool


@dataclass(frozen=True)
class RecentDay:
    station: str
    day: dt.date
    rows: list[RecentRow]


def day_bounds(day: dt.date, zone: ZoneInfo = LONDON) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight, next local midnight) as aware datetimes."""
    return (
        dt.datetime.combine(day, dt.time(0), zone),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone),
    )


def recent_surrenders(ctx: Context, day: dt.date | None = None) -> RecentDay:
    """Surrenders at the acting station handed in or recorded on `day` (today, local time):
    reference, times, officer, items, claim status and effective payable, void marked."""

    def work(conn: Connection, reader: Row) -> RecentDay:
        station = require_station(conn, ctx.station, reader)
        wanted = day or ctx.now().astimezone(LONDON).date()
        found = conn.execute(
            reports.day_listing(scope_of(conn, reader), station.code, wanted, *day_bounds(wanted))
        ).all()
        kinds = reports.kinds_of(conn, [row.id for row in found])
        rows = [
            RecentRow(
                reference=row.reference,
                surrendered_at=row.surrendered_at,
                recorded_at=row.recorded_at,
                officer=row.officer,
                items=row.item_count,
                kinds=tuple(kinds.get(row.id, ())),
                status=None if row.status is None else ClaimStatus(row.status),
                anonymous=bool(row.anonymous),
                payable_pence=None if row.status is None else int(row.payable),
                void=row.voided_at is not None,
            )
            for row in found
        ]
        return RecentDay(station.code, wanted, rows)

    return perform(ctx, "recent", work, write=False)
