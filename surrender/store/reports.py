"""Report queries: the figures of `report totals`, the report PDF, `recent` and `status`.

Every one starts from the one claim base (`store.claims.base`: surrender LEFT JOIN claim LEFT
JOIN claimant, within the reader's scope) and adds its own columns, joins, filters and groups;
money is `effective_payable_sql()` and the lifecycle's groups, so the same filters always give
the same figures wherever they are shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Select, case, cast, distinct, func, literal_column, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from surrender import tables
from surrender.rules.lifecycle import OWED_STATUSES, ClaimStatus
from surrender.rules.patterns import REASONS
from surrender.store.claims import base, effective_payable_sql
from surrender.store.patterns import has_flag_sql
from surrender.store.scope import Scope

surrender_c, claim_c, line_c = tables.surrender.c, tables.claim.c, tables.item_line.c
NO_CLAIM = "no_claim"  # the `status` group of surrenders without a claim (sorted among the states)
GROUPS = ("station", "day", "week", "kind", "status", "force")


@dataclass(frozen=True)
class Period:
    """Which surrenders a report counts: surrendered on `date_from` to `date_to` (local dates,
    either open), of `campaign` (None: all)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    campaign: str | None = None

    def where(self, voided: bool = False) -> list[ColumnElement[bool]]:
        """The period's live surrenders (its void ones with `voided`: reports leave those out)."""
        conditions: list[ColumnElement[bool]] = [
            surrender_c.voided_at.is_not(None) if voided else surrender_c.voided_at.is_(None)
        ]
        if self.date_from:
            conditions.append(surrender_c.surrendered_on >= self.date_from)
        if self.date_to:
            conditions.append(surrender_c.surrendered_on <= self.date_to)
        if self.campaign:
            conditions.append(surrender_c.campaign_code == self.campaign)
        return conditions


def counted(scope: Scope, period: Period, claims_only: bool = False) -> Select[Any]:
    """The base query limited to the period's live surrenders; no columns yet."""
    return base(scope, claims_only).where(*period.where())


def week_start(dialect: str) -> ColumnElement[dt.date]:
    """Monday of the surrender's (local) week, as a date, in each dialect's own SQL."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", surrender_c.surrendered_on), Date)
    return func.date(
        surrender_c.surrendered_on,
        literal_column("'-' || ((CAST(strftime('%w', surrender.surrendered_on) AS INTEGER) + 6) % 7) || ' days'"),
        type_=Date,
    )


def group_key(name: str, dialect: str) -> ColumnElement[Any]:
    """The SQL value a row is grouped by, for each of GROUPS."""
    if name == "week":
        return week_start(dialect)
    return {
        "force": surrender_c.force_code,
        "station": surrender_c.station_code,
        "day": surrender_c.surrendered_on,
        "kind": line_c.kind,
        "status": func.coalesce(claim_c.status, NO_CLAIM),
    }[name]


def _sum(value: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def figures() -> list[Any]:
    """surrenders, items, claims, claimed and payable (pence), each surrender and claim once."""
    return [
        func.count(surrender_c.id).label("surrenders"),
        _sum(surrender_c.item_count).label("items"),
        func.count(claim_c.id).label("claims"),
        _sum(claim_c.claimed_pence).label("claimed"),
        _sum(effective_payable_sql()).label("payable"),
    ]


def kind_figures() -> list[Any]:
    """`figures()` over item lines (joined by `totals_query`): each line's items and money. A
    line pays its compensation when its claim pays anything, for a paying claim's payable is
    the sum of its lines' compensation (`rules.compensation.assess_claim`)."""
    return [
        func.count(distinct(surrender_c.id)).label("surrenders"),
        _sum(line_c.quantity).label("items"),
        func.count(distinct(claim_c.id)).label("claims"),
        _sum(case((claim_c.id.is_not(None), line_c.claimed_pence), else_=0)).label("claimed"),
        _sum(case((effective_payable_sql() > 0, line_c.compensation_pence), else_=0)).label("payable"),
    ]


def money_flow() -> list[Any]:
    """paid, and outstanding (payable, not yet paid: the lifecycle's owed states), in pence."""
    payable = effective_payable_sql()
    return [
        _sum(case((claim_c.status == ClaimStatus.PAID, payable), else_=0)).label("paid"),
        _sum(case((claim_c.status.in_(sorted(OWED_STATUSES)), payable), else_=0)).label("outstanding"),
    ]


def totals_query(scope: Scope, period: Period, by: list[str], dialect: str) -> Select[Any]:
    """`report totals`: one row per group of `by` (in that order, sorted by it), or one row."""
    keys = [group_key(name, dialect) for name in by]
    query = counted(scope, period)
    if "kind" in by:  # per distinct line: counts of surrenders and claims must be distinct
        query = query.join(tables.item_line, line_c.surrender_id == surrender_c.id).add_columns(
            *(key.label(name) for key, name in zip(keys, by, strict=True)), *kind_figures()
        )
    else:
        query = query.add_columns(*(key.label(name) for key, name in zip(keys, by, strict=True)), *figures())
    return query.group_by(*keys).order_by(*keys) if keys else query


def return_query(scope: Scope, period: Period) -> Select[Any]:
    """A scheme return's totals: `figures()`, then anonymous surrenders and retailers' claims
    (a claim in a business's name) with their claimed and payable (pence)."""
    claimant_c = tables.claimant.c
    retail = claim_c.id.is_not(None) & (func.coalesce(func.trim(claimant_c.business_name), "") != "")
    return counted(scope, period).add_columns(
        *figures(),
        func.count(case((surrender_c.anonymous.is_(True), 1))).label("anonymous"),
        func.count(case((retail, 1))).label("retail_claims"),
        _sum(case((retail, claim_c.claimed_pence), else_=0)).label("retail_claimed"),
        _sum(case((retail, effective_payable_sql()), else_=0)).label("retail_payable"),
    )


def figures_query(scope: Scope, period: Period, *groups: Any) -> Select[Any]:
    """The report PDF's headline figures (with paid and outstanding), optionally grouped."""
    query = counted(scope, period).add_columns(*groups, *figures(), *money_flow())
    return query.group_by(*groups) if groups else query


def items_per_bucket(scope: Scope, period: Period, bucket: ColumnElement[Any]) -> Select[Any]:
    """Items handed in per (bucket, station)."""
    return (
        counted(scope, period)
        .add_columns(bucket, surrender_c.station_code, func.sum(surrender_c.item_count))
        .group_by(bucket, surrender_c.station_code)
    )


def status_figures(scope: Scope, period: Period) -> Select[Any]:
    """Claims and payable per status, in status order."""
    return (
        counted(scope, period, claims_only=True)
        .add_columns(claim_c.status, func.count(claim_c.id), _sum(effective_payable_sql()))
        .group_by(claim_c.status)
        .order_by(claim_c.status)
    )


def claim_lines(scope: Scope, period: Period) -> Select[Any]:
    """Claims by reference (no personal data): reference, station, items, claimed, payable,
    status, whether a manager approved it. Callers add the order and filters."""
    return counted(scope, period, claims_only=True).add_columns(
        surrender_c.reference,
        surrender_c.station_code,
        surrender_c.item_count,
        claim_c.claimed_pence,
        effective_payable_sql().label("payable"),
        claim_c.status,
        claim_c.manager_approved_at.is_not(None),
    )


def pattern_lines(scope: Scope, period: Period) -> Select[Any]:
    """Claims flagged with a reviewers' pattern (rules.patterns), oldest first, with their flags:
    reference, station, claimed, payable, status, flags. No personal data."""
    return (
        counted(scope, period, claims_only=True)
        .add_columns(
            surrender_c.reference,
            surrender_c.station_code,
            claim_c.claimed_pence,
            effective_payable_sql().label("payable"),
            claim_c.status,
            claim_c.flags,
        )
        .where(or_(*(has_flag_sql(reason) for reason in REASONS)))
        .order_by(surrender_c.surrendered_at, surrender_c.reference)
    )


def span(scope: Scope, period: Period) -> Select[Any]:
    """The first and last surrender dates in the period."""
    return counted(scope, period).add_columns(
        func.min(surrender_c.surrendered_on), func.max(surrender_c.surrendered_on)
    )


def campaign_codes(conn: Connection, scope: Scope, period: Period) -> list[str]:
    return list(
        conn.execute(
            counted(scope, period).add_columns(surrender_c.campaign_code).distinct().order_by(surrender_c.campaign_code)
        ).scalars()
    )


def voided_count(conn: Connection, scope: Scope, period: Period) -> int:
    return int(
        conn.execute(
            base(scope, claims_only=False).where(*period.where(voided=True)).add_columns(func.count(surrender_c.id))
        ).scalar_one()
    )


def stations(conn: Connection, scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of every station the scope covers, by code."""
    s = tables.station.c
    return [
        (r.code, r.name)
        for r in conn.execute(select(s.code, s.name).where(scope.station_filter(s.code)).order_by(s.code))
    ]


# --- one station's day: `recent` and `status` ------------------------------------------------------


def day_listing(scope: Scope, station: str, day: dt.date, start: dt.datetime, end: dt.datetime) -> Select[Any]:
    """Surrenders at `station` handed in on `day` or recorded in [start, end), with the officer's
    number, the claim's status and its effective payable (None without a claim)."""
    staff_c = tables.staff.c
    return (
        base(scope, claims_only=False)
        .join(tables.staff, staff_c.id == surrender_c.staff_id)
        .add_columns(
            surrender_c.id,
            surrender_c.reference,
            surrender_c.surrendered_at,
            surrender_c.recorded_at,
            surrender_c.item_count,
            surrender_c.anonymous,
            surrender_c.voided_at,
            staff_c.number.label("officer"),
            claim_c.status,
            effective_payable_sql().label("payable"),
        )
        .where(
            surrender_c.station_code == station,
            or_(
                surrender_c.surrendered_on == day, (surrender_c.recorded_at >= start) & (surrender_c.recorded_at < end)
            ),
        )
        .order_by(surrender_c.surrendered_at, surrender_c.reference)
    )


def kinds_of(conn: Connection, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(quantity, kind) per surrender, summed in SQL, in the order the kinds were first listed."""
    if not ids:
        return {}
    summed = conn.execute(
        select(
            line_c.surrender_id,
            line_c.kind,
            func.sum(line_c.quantity).label("quantity"),
            func.min(line_c.number).label("first"),
        )
        .where(line_c.surrender_id.in_(ids))
        .group_by(line_c.surrender_id, line_c.kind)
        .order_by(line_c.surrender_id, "first")
    )
    out: dict[int, list[tuple[int, str]]] = {}
    for row in summed:
        out.setdefault(row.surrender_id, []).append((int(row.quantity), row.kind))
    return out


def day_counts(conn: Connection, station: str, day: dt.date) -> tuple[int, int, int, int]:
    """Surrenders, items, void ones and claims handed in at `station` on `day`."""
    row = conn.execute(
        base(Scope.of_stations([station]), claims_only=False)
        .add_columns(
            func.count(surrender_c.id),
            _sum(surrender_c.item_count),
            func.count(surrender_c.voided_at),
            func.count(claim_c.id),
        )
        .where(surrender_c.surrendered_on == day)
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])
