"""Totals for managers: how many, where, what kind, what it cost. All aggregation is SQL.

Void surrenders are left out (they were mistakes); rejected and not-payable claims count as
claims and in `claimed`, but add nothing to `payable` (`rules.lifecycle.effective_payable`).

Every row's items, claimed and payable add up to the total. Grouped by kind, a row holds the
items and money of that kind only; a surrender holding two kinds appears in both rows, so its
count columns are named `surrenders_with_kind` and `claims_with_kind` and have no total (the
total's `surrenders` and `claims` count each once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, case, cast, distinct, func, literal_column, select
from sqlalchemy.orm import Session

from surrender.errors import Refused
from surrender.models import CampaignRecord, Claim, ItemLine, Staff, Surrender
from surrender.rules.lifecycle import UNPAID_STATUSES
from surrender.rules.money import format_pence
from surrender.services.auth import perform
from surrender.services.context import Context

GROUPS = ("station", "day", "week", "kind", "status")
_UNPAID = sorted(UNPAID_STATUSES)
MEASURES = ("surrenders", "items", "claims", "claimed", "payable")
KIND_MEASURES = ("items", "claimed", "payable", "surrenders_with_kind", "claims_with_kind")
ADDITIVE = ("items", "claimed", "payable")  # always sum to the total; counts too unless by kind


@dataclass(frozen=True)
class Totals:
    by: tuple[str, ...]
    rows: list[dict]
    total: dict  # MEASURES, each surrender and claim counted once
    measures: tuple[str, ...] = MEASURES  # the measure keys of each row, in order


def _week_start(dialect: str):
    """Monday of the surrender's (local) week, as a date, in each dialect's own SQL."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", Surrender.surrendered_on), Date)
    return func.date(Surrender.surrendered_on,
                     literal_column("'-' || ((CAST(strftime('%w', surrender.surrendered_on) AS INTEGER) + 6) % 7) || ' days'"))


def totals(ctx: Context, by: list[str], date_from: dt.date | None = None, date_to: dt.date | None = None,
           campaign: str | None = None) -> Totals:
    unknown = [b for b in by if b not in GROUPS]
    if unknown:
        raise Refused(f"cannot group by {', '.join(unknown)}; use {', '.join(GROUPS)}")
    if date_from and date_to and date_from > date_to:
        raise Refused("--from is after --to")
    by = list(dict.fromkeys(by))  # keep order, drop repeats

    def work(session: Session, _staff: Staff) -> Totals:
        if campaign and session.get(CampaignRecord, campaign) is None:
            raise Refused(f"no campaign {campaign!r} has been used here; see `surrender campaign list`")
        dialect = session.get_bind().dialect.name
        keys = {
            "station": Surrender.station_code,
            "day": Surrender.surrendered_on,
            "week": _week_start(dialect),
            "kind": ItemLine.kind,
            "status": func.coalesce(Claim.status, "no_claim"),
        }
        if "kind" in by:  # per distinct line: counts of surrenders and claims must be distinct
            measures = [
                func.count(distinct(Surrender.id)),
                func.coalesce(func.sum(ItemLine.quantity), 0),
                func.count(distinct(Claim.id)),
                func.coalesce(func.sum(case((Claim.id.is_not(None), ItemLine.claimed_pence), else_=0)), 0),
                func.coalesce(func.sum(case((Claim.status.not_in(_UNPAID), ItemLine.compensation_pence), else_=0)), 0),
            ]
            base = select().select_from(Surrender).join(ItemLine, ItemLine.surrender_id == Surrender.id)
        else:
            measures = [
                func.count(Surrender.id),
                func.coalesce(func.sum(Surrender.item_count), 0),
                func.count(Claim.id),
                func.coalesce(func.sum(Claim.claimed_pence), 0),
                func.coalesce(func.sum(case((Claim.status.not_in(_UNPAID), Claim.payable_pence), else_=0)), 0),
            ]
            base = select().select_from(Surrender)
        base_filters = [Surrender.voided_at.is_(None)]
        if date_from:
            base_filters.append(Surrender.surrendered_on >= date_from)
        if date_to:
            base_filters.append(Surrender.surrendered_on <= date_to)
        if campaign:
            base_filters.append(Surrender.campaign_code == campaign)
        base = base.outerjoin(Claim, Claim.surrender_id == Surrender.id).where(*base_filters)
        group = [keys[b].label(b) for b in by]
        query = base.add_columns(*group, *measures)
        if group:
            query = query.group_by(*(keys[b] for b in by)).order_by(*(keys[b] for b in by))
        rows = [_row(by, r) for r in session.execute(query)]
        total = _row([], session.execute(_total_query(base_filters)).one())
        if not group:
            rows = [total]
        if "kind" in by:
            rows = [_by_kind(row) for row in rows]
            return Totals(tuple(by), rows, total, KIND_MEASURES)
        return Totals(tuple(by), rows, total)

    return perform(ctx, "report", work, write=False)


def _total_query(filters):
    """The whole: each surrender and claim once, from the surrender and claim rows."""
    return (select(func.count(Surrender.id), func.coalesce(func.sum(Surrender.item_count), 0), func.count(Claim.id),
                   func.coalesce(func.sum(Claim.claimed_pence), 0),
                   func.coalesce(func.sum(case((Claim.status.not_in(_UNPAID), Claim.payable_pence), else_=0)), 0))
            .select_from(Surrender).outerjoin(Claim, Claim.surrender_id == Surrender.id).where(*filters))


def _by_kind(row: dict) -> dict:
    keys = {k: v for k, v in row.items() if k not in MEASURES}
    return {**keys, "items": row["items"], "claimed": row["claimed"], "payable": row["payable"],
            "surrenders_with_kind": row["surrenders"], "claims_with_kind": row["claims"]}


def _row(by: list[str], values) -> dict:
    keys = {name: _key(v) for name, v in zip(by, values)}
    surrenders, items, claims, claimed, payable = values[len(by):]
    return {**keys, "surrenders": int(surrenders), "items": int(items), "claims": int(claims),
            "claimed": format_pence(int(claimed)), "payable": format_pence(int(payable))}


def _key(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value
