"""The figures behind the managers' PDF report, read in one transaction. All aggregation is SQL.

Same rules as `report totals`: void surrenders are left out, and a rejected or not-payable
claim's payable is 0 (its claimed amount still counts). No personal data is read here: the
report names claims by reference only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from surrender.errors import Refused
from surrender.models import CampaignRecord, Claim, Staff, Station, Surrender
from surrender.rules.campaign import parse_campaign
from surrender.services.audit import anchor_line
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.reports import _week_start

UNPAID = ("rejected", "not_payable")
OWED = ("pending", "approved", "exported")
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
    status: str
    manager_approved: bool


@dataclass(frozen=True)
class CampaignReport:
    made_at: dt.datetime
    made_by: str  # "5023 Insp Morgan Lee"
    anchor: str
    campaigns: list[tuple[str, str]]  # (code, name) in scope
    date_from: dt.date | None  # the period asked for, else the campaign window or the data's span
    date_to: dt.date | None
    stations: list[tuple[str, str]]  # (code, name), every station
    total: Figures
    by_station: dict[str, Figures]
    bucket: str  # "day" or "week"
    buckets: list[dt.date]  # x axis: every day (or Monday) of the period
    weapons: dict[str, list[int]]  # station -> items per bucket, aligned with `buckets`
    by_status: list[tuple[str, int, int]]  # (status, claims, payable)
    largest: list[ClaimLine]
    flagged: list[ClaimLine]
    voided: int  # void surrenders in scope, left out of every figure


def _payable():
    return case((Claim.status.in_(UNPAID), 0), else_=Claim.payable_pence)


def _measures() -> list:
    return [
        func.count(Surrender.id),
        func.coalesce(func.sum(Surrender.item_count), 0),
        func.count(Claim.id),
        func.coalesce(func.sum(Claim.claimed_pence), 0),
        func.coalesce(func.sum(_payable()), 0),
        func.coalesce(func.sum(case((Claim.status == "paid", Claim.payable_pence), else_=0)), 0),
        func.coalesce(func.sum(case((Claim.status.in_(OWED), Claim.payable_pence), else_=0)), 0),
    ]


def _figures(values) -> Figures:
    return Figures(*(int(v) for v in values))


def campaign_report(ctx: Context, date_from: dt.date | None = None, date_to: dt.date | None = None,
                    campaign: str | None = None) -> CampaignReport:
    """Everything the PDF shows, with `report totals`' filters and meaning."""
    if date_from and date_to and date_from > date_to:
        raise Refused("--from is after --to")

    def work(session: Session, staff: Staff) -> CampaignReport:
        if campaign and session.get(CampaignRecord, campaign) is None:
            raise Refused(f"no campaign {campaign!r} has been used here; see `surrender campaign list`")

        def scoped(query, voided: bool = False):
            query = query.where(Surrender.voided_at.is_not(None) if voided else Surrender.voided_at.is_(None))
            if date_from:
                query = query.where(Surrender.surrendered_on >= date_from)
            if date_to:
                query = query.where(Surrender.surrendered_on <= date_to)
            if campaign:
                query = query.where(Surrender.campaign_code == campaign)
            return query

        with_claims = select().select_from(Surrender).outerjoin(Claim, Claim.surrender_id == Surrender.id)
        total = _figures(session.execute(scoped(with_claims.add_columns(*_measures()))).one())
        by_station = {r[0]: _figures(r[1:]) for r in session.execute(
            scoped(with_claims.add_columns(Surrender.station_code, *_measures())).group_by(Surrender.station_code))}
        stations = [tuple(r) for r in session.execute(select(Station.code, Station.name).order_by(Station.code))]
        zero = Figures(0, 0, 0, 0, 0, 0, 0)
        by_station = {code: by_station.get(code, zero) for code, _ in stations}

        codes = [campaign] if campaign else list(session.execute(scoped(
            select(Surrender.campaign_code).distinct().order_by(Surrender.campaign_code))).scalars())
        records = [session.get(CampaignRecord, code) for code in codes]
        campaigns = [(r.code, r.name) for r in records]
        first, last = _period(session, scoped, records, date_from, date_to)

        bucket = "day" if first is None or (last - first).days < DAILY_LIMIT else "week"
        key = Surrender.surrendered_on if bucket == "day" else _week_start(session.get_bind().dialect.name)
        per_bucket = session.execute(scoped(
            select(key, Surrender.station_code, func.sum(Surrender.item_count))
            .group_by(key, Surrender.station_code)))
        buckets = _axis(first, last, bucket)
        position = {b: i for i, b in enumerate(buckets)}
        weapons = {code: [0] * len(buckets) for code, _ in stations}
        for day, station, items in per_bucket:
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
            if day in position and station in weapons:
                weapons[station][position[day]] = int(items)

        claims = select().select_from(Surrender).join(Claim, Claim.surrender_id == Surrender.id)
        by_status = [(status, int(n), int(payable)) for status, n, payable in session.execute(scoped(
            claims.add_columns(Claim.status, func.count(Claim.id), func.coalesce(func.sum(_payable()), 0)))
            .group_by(Claim.status).order_by(Claim.status))]
        line_columns = (Surrender.reference, Surrender.station_code, Surrender.item_count, Claim.claimed_pence,
                        _payable().label("payable"), Claim.status, Claim.manager_approved_at.is_not(None))
        largest = [ClaimLine(*r) for r in session.execute(scoped(claims.add_columns(*line_columns))
                   .order_by(_payable().desc(), Claim.claimed_pence.desc(), Surrender.reference).limit(LARGEST))]
        flagged = [ClaimLine(*r) for r in session.execute(scoped(claims.add_columns(*line_columns))
                   .where(Claim.flagged.is_(True)).order_by(Surrender.surrendered_at, Surrender.reference))]
        voided = session.execute(scoped(select(func.count(Surrender.id)), voided=True)).scalar_one()
        return CampaignReport(
            made_at=ctx.now(), made_by=f"{staff.number} {staff.name}", anchor=anchor_line(session),
            campaigns=campaigns, date_from=first, date_to=last, stations=stations, total=total,
            by_station=by_station, bucket=bucket, buckets=buckets, weapons=weapons, by_status=by_status,
            largest=largest, flagged=flagged, voided=int(voided))

    return perform(ctx, "report", work, write=False)


def _period(session: Session, scoped, records, date_from, date_to) -> tuple[dt.date | None, dt.date | None]:
    """The x axis: the dates asked for; else one campaign's whole window; else the data's span."""
    if date_from and date_to:
        return date_from, date_to
    if len(records) == 1:
        window = parse_campaign(records[0].source)
        return date_from or window.opens, date_to or window.closes
    low, high = session.execute(scoped(select(func.min(Surrender.surrendered_on),
                                              func.max(Surrender.surrendered_on)))).one()
    low, high = (None if v is None else v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
                 for v in (low, high))
    first, last = date_from or low, date_to or high
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
