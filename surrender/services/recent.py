"""A day's surrenders at the acting station: what the desk logged, so a reference lost to a
crash or a closed window is found again without a second process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from surrender.clock import LONDON, iso
from surrender.models import Claim, ItemLine, Staff, Surrender
from surrender.rules.money import format_pence
from surrender.services.auth import perform, require_station
from surrender.services.context import Context


@dataclass(frozen=True)
class RecentDay:
    station: str
    day: dt.date
    rows: list[dict]


def day_bounds(day: dt.date, zone: ZoneInfo = LONDON) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight, next local midnight) as aware datetimes."""
    return (dt.datetime.combine(day, dt.time(0), zone),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone))


def recent_surrenders(ctx: Context, day: dt.date | None = None) -> RecentDay:
    """Surrenders at the acting station handed in or recorded on `day` (today, local time):
    reference, time, officer, items, claim status and payable, void marked."""
    def work(session: Session, reader: Staff) -> RecentDay:
        station = require_station(session, ctx.station, reader)
        wanted = day or ctx.now().astimezone(LONDON).date()
        start, end = day_bounds(wanted)
        s, c = Surrender.__table__.c, Claim.__table__.c
        found = session.execute(
            select(s.id, s.reference, s.surrendered_at, s.recorded_at, s.item_count, s.anonymous, s.voided_at,
                   Staff.number.label("officer"), c.status, c.payable_pence)
            .join(Staff, Staff.id == s.staff_id)
            .outerjoin(Claim, c.surrender_id == s.id)
            .where(s.station_code == station.code,
                   or_(s.surrendered_on == wanted, (s.recorded_at >= start) & (s.recorded_at < end)))
            .order_by(s.surrendered_at, s.reference)
        ).all()
        kinds = _kinds(session, [row.id for row in found])
        rows = [{
            "reference": row.reference,
            "time": row.surrendered_at.astimezone(LONDON).strftime("%H:%M")
                    + ("" if row.surrendered_at.astimezone(LONDON).date() == wanted
                       else row.surrendered_at.astimezone(LONDON).strftime(" %d %b")),
            "surrendered_at": iso(row.surrendered_at),
            "recorded_at": iso(row.recorded_at),
            "officer": row.officer,
            "items": row.item_count,
            "kinds": kinds.get(row.id, ""),
            "claim": row.status or ("anonymous" if row.anonymous else "no claim"),
            "payable": None if row.status is None else format_pence(row.payable_pence),
            "void": row.voided_at is not None,
        } for row in found]
        return RecentDay(station.code, wanted, rows)

    return perform(ctx, "recent", work, write=False)


def _kinds(session: Session, ids: list[int]) -> dict[int, str]:
    """`2 zombie-knife, 1 zombie-machete` per surrender, summed in SQL."""
    if not ids:
        return {}
    line = ItemLine.__table__.c
    summed = session.execute(
        select(line.surrender_id, line.kind, func.sum(line.quantity).label("quantity"),
               func.min(line.number).label("first"))
        .where(line.surrender_id.in_(ids))
        .group_by(line.surrender_id, line.kind)
        .order_by(line.surrender_id, "first")
    ).all()
    out: dict[int, list[str]] = {}
    for row in summed:
        out.setdefault(row.surrender_id, []).append(f"{row.quantity:,} {row.kind}")
    return {key: ", ".join(parts) for key, parts in out.items()}
