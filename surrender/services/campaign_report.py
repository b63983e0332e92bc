"""The figures behind the managers' PDF report, read in one transaction. All aggregation is SQL.

Same rules as `report totals`: void surrenders are left out, and a rejected or not-payable
claim's payable is 0 (its claimed amount still counts). No personal data is read here: the
report names claims by reference only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection, Row

from surrender.errors import Refused
from surrender.rules.campaign import parse_campaign
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.patterns import REASONS, reason_of
from surrender.services.audit import anchor_line
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.reports import check_campaign
from surrender.store import reports
from surrender.store.campaigns import campaign_record
from surrender.store.reports import Period, claim_c, surrender_c
from surrender.store.scope import Scope
from surrender.store.staff import scope_of

LARGEST = 15  # claims in the "largest claims" table
DAILY_LIMIT = 62  # longer periods are charted by week


@dataclass(frozen=True)
class Figures:
    """One column of the headline table (money in pence)."""

    surrenders: int
    items: int
    claims: int
    claimed: int
    payable: int
    paid: int
    outstanding: int  # payable, not yet paid (pending, approved or exported)


@dataclass(frozen=True)
class ClaimLine:
    reference: str
    station: str
    items: int
    claimed: int
    payable: int
    status: ClaimStatus
    manager_approved: bool


@dataclass(frozen=True)
class PatternLine:
    """One reviewers' pattern on one claim (a claim with two patterns has two lines)."""

    reason: str  # rules.patterns.REASONS
    detail: str  # the flag's words after its reason: references, stations, amounts; never a name
    reference: str
    station: str
    claimed: int
    payable: int
    status: ClaimStatus


@dataclass(frozen=True)
class CampaignReport:
    made_at: dt.datetime
    made_by: str  # "5023 Insp Morgan Lee"
    anchor: str
    campaigns: list[tuple[str, str]]  # (code, name) in scope
    date_from: dt.date | None  # the period asked for, else the campaign window or the data's span
    date_to: dt.date | None
    stations: list[tuple[str, str]]  # (code, name), every station in the reader's scope
    total: Figures
    by_station: dict[str, Figures]
    bucket: str  # "day" or "week"
    buckets: list[dt.date]  # x axis: every day (or Monday) of the period
    weapons: dict[str, list[int]]  # station -> items per bucket, aligned with `buckets`
    by_status: list[tuple[ClaimStatus, int, int]]  # (status, claims, payable)
    largest: list[ClaimLine]
    flagged: list[ClaimLine]
    voided: int  # void surrenders in scope, left out of every figure
    patterns: list[PatternLine] = field(default_factory=list)  # by reason, then oldest first


def _figures(values: Any) -> Figures:
    return Figures(*(int(v) for v in values))


def _line(row: Row) -> ClaimLine:
    reference, station, items, claimed, payable, status, manager_approved = row[-7:]
    return ClaimLine(reference, station, items, claimed, payable, ClaimStatus(status), bool(manager_approved))


def _patterns(rows: Iterable[Row]) -> list[PatternLine]:
    """Each pattern flag of each row, grouped by reason in REASONS' order."""
    found = [
        PatternLine(
            reason,
            text.split(":", 1)[1].strip(),
            r.reference,
            r.station_code,
            r.claimed_pence,
            r.payable,
            ClaimStatus(r.status),
        )
        for r in rows
        for text in json.loads(r.flags)
        if (reason := reason_of(text)) is not None
    ]
    return sorted(found, key=lambda line: REASONS.index(line.reason))  # stable: oldest first within a reason


def campaign_report(
    ctx: Context, date_from: dt.date | None = None, date_to: dt.date | None = None, campaign: str | None = None
) -> CampaignReport:
    """Everything the PDF shows, with `report totals`' filters and meaning, over the reader's scope."""
    if date_from and date_to and date_from > date_to:
        raise Refused("--from is after --to")
    period = Period(date_from, date_to, campaign)

    def work(conn: Connection, staff: Row) -> CampaignReport:
        check_campaign(conn, campaign)
        scope = scope_of(conn, staff)
        total = _figures(conn.execute(reports.figures_query(scope, period)).one())
        by_station = {
            r[0]: _figures(r[1:]) for r in conn.execute(reports.figures_query(scope, period, surrender_c.station_code))
        }
        stations = reports.stations(conn, scope)
        zero = Figures(0, 0, 0, 0, 0, 0, 0)
        by_station = {code: by_station.get(code, zero) for code, _ in stations}

        codes = [campaign] if campaign else reports.campaign_codes(conn, scope, period)
        records = [record for code in codes if (record := campaign_record(conn, code)) is not None]
        campaigns = [(r.code, r.name) for r in records]
        first, last = _period(conn, scope, period, [r.source for r in records])

        bucket = "day" if first is None or last is None or (last - first).days < DAILY_LIMIT else "week"
        key = surrender_c.surrendered_on if bucket == "day" else reports.week_start(conn.dialect.name)
        buckets = _axis(first, last, bucket)
        position = {b: i for i, b in enumerate(buckets)}
        weapons = {code: [0] * len(buckets) for code, _ in stations}
        for day, station, items in conn.execute(reports.items_per_bucket(scope, period, key)):
            if day in position and station in weapons:
                weapons[station][position[day]] = int(items)

        by_status = [
            (ClaimStatus(status), int(n), int(payable))
            for status, n, payable in conn.execute(reports.status_figures(scope, period))
        ]
        lines = reports.claim_lines(scope, period)
        payable = lines.selected_columns.payable
        largest = [
            _line(r)
            for r in conn.execute(
                lines.order_by(payable.desc(), claim_c.claimed_pence.desc(), surrender_c.reference).limit(LARGEST)
            )
        ]
        flagged = [
            _line(r)
            for r in conn.execute(
                lines.where(claim_c.flagged.is_(True)).order_by(surrender_c.surrendered_at, surrender_c.reference)
            )
        ]
        return CampaignReport(
            made_at=ctx.now(),
            made_by=f"{staff.number} {staff.name}",
            anchor=anchor_line(conn, staff.force_code),
            campaigns=campaigns,
            date_from=first,
            date_to=last,
            stations=stations,
            total=total,
            by_station=by_station,
            bucket=bucket,
            buckets=buckets,
            weapons=weapons,
            by_status=by_status,
            largest=largest,
            flagged=flagged,
            voided=reports.voided_count(conn, scope, period),
            patterns=_patterns(conn.execute(reports.pattern_lines(scope, period))),
        )

    return perform(ctx, "report", work, write=False)


def _period(
    conn: Connection, scope: Scope, period: Period, sources: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """The x axis: the dates asked for; else one campaign's whole window; else the data's span."""
    if period.date_from and period.date_to:
        return period.date_from, period.date_to
    if len(sources) == 1:
        window = parse_campaign(sources[0])
        return period.date_from or window.opens, period.date_to or window.closes
    low, high = conn.execute(reports.span(scope, period)).one()
    first, last = period.date_from or low, period.date_to or high
    if first is None or last is None:
        return None, None
    return first, max(first, last)


def _axis(first: dt.date | None, last: dt.date | None, bucket: str) -> list[dt.date]:
    if first is None or last is None:
        return []
    if bucket == "week":
        first = first - dt.timedelta(days=first.weekday())
    step = 1 if bucket == "day" else 7
    return [first + dt.timedelta(days=d) for d in range(0, (last - first).days + 1, step)]
