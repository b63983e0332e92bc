"""`report custody`: per station and scheme, weapons received = held + destroyed + retained
with authority + never received, and what is left over is unaccounted; then every exception
by tag (unaccounted, overdue in a temporary place, held past the scheme's destruction date).

The sums are one GROUP BY over the exhibits' covering index; the exceptions one indexed query.
The arithmetic is `rules.custody.reconcile`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.clock import local
from surrender.errors import NotFound, Refused
from surrender.rules import custody as rules
from surrender.rules.campaign import parse_campaign
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.custody import ExhibitView, KindLabels, exhibit_view
from surrender.store import custody as store
from surrender.store.forces import find_station
from surrender.store.scope import Scope
from surrender.store.staff import scope_of


@dataclass(frozen=True)
class CustodyLine:
    station: str
    campaign: str
    tags: int
    tally: rules.Tally
    missing: int  # of the unaccounted: missing at a stock check
    destroy_by: dt.date | None


@dataclass(frozen=True)
class CustodyException:
    problem: str  # unaccounted | overdue | past destruction date
    exhibit: ExhibitView
    limit_days: int | None  # the place's limit, for an overdue one


@dataclass(frozen=True)
class CustodyReport:
    lines: list[CustodyLine]
    total: rules.Tally
    exceptions: list[CustodyException]
    made_at: dt.datetime
    anchor: str

    @property
    def unaccounted(self) -> int:
        return self.total.unaccounted


def custody_report(ctx: Context, station: str | None = None) -> CustodyReport:
    code = station.strip().upper() if station else None

    def work(conn: Connection, staff: Row[Any]) -> CustodyReport:
        scope = scope_of(conn, staff)
        if code is not None:
            if find_station(conn, code, Scope.of_force(staff.force_code)) is None:
                raise NotFound(f"no station {code!r}")
            if not scope.covers(code):
                raise Refused(
                    f"staff member {staff.number} reads custody at "
                    f"{', '.join(sorted(scope.stations or []))} only, not at {code}"
                )
        now = ctx.now()
        destroy_by = _destruction_dates(conn)
        past = sorted(
            c for c, (date, zone) in destroy_by.items() if rules.past_destruction_date(date, local(now, zone).date())
        )
        loc = tables.location.c
        limits = {
            int(i): int(d)
            for i, d in conn.execute(
                select(loc.id, loc.max_days).where(loc.max_days.is_not(None), scope.station_filter(loc.station_code))
            )
        }
        groups: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
        for row in conn.execute(store.tally(scope, code)):  # a row per station, campaign and state
            groups.setdefault((row.station_code, row.campaign_code), {})[row.state] = (int(row.tags), int(row.weapons))
        lines = []
        for (station_code, campaign_code), states in groups.items():
            weapons = {state: w for state, (_, w) in states.items()}
            lines.append(
                CustodyLine(
                    station_code,
                    campaign_code,
                    sum(t for t, _ in states.values()),
                    rules.reconcile(sum(weapons.values()), weapons),
                    weapons.get(rules.MISSING, 0),
                    destroy_by.get(campaign_code, (None, ""))[0],
                )
            )
        total = rules.Tally(
            *(
                sum(getattr(line.tally, f) for line in lines)
                for f in ("received", "held", "destroyed", "retained", "never_received")
            )
        )
        labels = KindLabels.read(conn)
        strange = any(line.tally.unaccounted > line.missing for line in lines)  # states nobody knows
        found = [
            CustodyException(
                r.problem, exhibit_view(r, labels), limits.get(r.location_id) if r.problem == "overdue" else None
            )
            for r in conn.execute(store.exceptions(scope, now, limits, past, code, strange))
        ]
        return CustodyReport(lines, total, found, now, audit.anchor_line(conn, staff.force_code))

    return perform(ctx, "report.custody", work, write=False)


def _destruction_dates(conn: Connection) -> dict[str, tuple[dt.date | None, str]]:
    """Each campaign's destruction date (from its stored file) and time zone."""
    dates: dict[str, tuple[dt.date | None, str]] = {}
    for code, source in conn.execute(select(tables.campaign.c.code, tables.campaign.c.source)):
        try:
            campaign = parse_campaign(source)
        except Refused:
            continue
        dates[code] = (campaign.destroy_by, campaign.timezone)
    return dates
