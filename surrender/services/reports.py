"""Totals for managers: how many, where, what kind, what it cost. All aggregation is SQL
(`store.reports`), over the claims the reader's scope covers.

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
from typing import Any

from sqlalchemy.engine import Connection, Row

from surrender.errors import Refused
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.permissions import NATIONAL
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import reports
from surrender.store.campaigns import campaign_record
from surrender.store.reports import GROUPS, NO_CLAIM, Period
from surrender.store.scope import Scope
from surrender.store.staff import scope_of

MEASURES = ("surrenders", "items", "claims", "claimed", "payable")
KIND_MEASURES = ("items", "claimed", "payable", "surrenders_with_kind", "claims_with_kind")
ADDITIVE = ("items", "claimed", "payable")  # always sum to the total; counts too unless by kind
MONEY = ("claimed", "payable")  # measures in pence


@dataclass(frozen=True)
class Totals:
    """Rows map each group of `by` to its value (station and kind: str; day and week: date;
    status: ClaimStatus, or "no_claim") and each of `measures` to an int (money in pence)."""

    by: tuple[str, ...]
    rows: list[dict[str, Any]]
    total: dict[str, int]  # MEASURES, each surrender and claim counted once
    measures: tuple[str, ...] = MEASURES  # the measure keys of each row, in order


def check_campaign(conn: Connection, campaign: str | None) -> None:
    if campaign and campaign_record(conn, campaign) is None:
        raise Refused(f"no campaign {campaign!r} has been used here; see `surrender campaign list`")


def totals(
    ctx: Context,
    by: list[str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    campaign: str | None = None,
    station: str | None = None,
) -> Totals:
    """`station` keeps to one station (within what the reader may read)."""
    unknown = [b for b in by if b not in GROUPS]
    if unknown:
        raise Refused(f"cannot group by {', '.join(unknown)}; use {', '.join(GROUPS)}")
    if date_from and date_to and date_from > date_to:
        raise Refused("--from is after --to")
    by = list(dict.fromkeys(by))  # keep order, drop repeats
    period = Period(date_from, date_to, campaign)

    def work(conn: Connection, reader: Row) -> Totals:
        check_campaign(conn, campaign)
        if reader.role == NATIONAL and (by != ["force"] or station):
            raise Refused("the national role sees figures by force only: `surrender report totals --by force`")
        scope = _narrowed(conn, scope_of(conn, reader), station)
        rows = [_row(by, r) for r in conn.execute(reports.totals_query(scope, period, by, conn.dialect.name))]
        total = _row([], conn.execute(reports.totals_query(scope, period, [], conn.dialect.name)).one())
        if not by:
            rows = [total]
        if "kind" in by:
            return Totals(tuple(by), [_by_kind(row) for row in rows], total, KIND_MEASURES)
        return Totals(tuple(by), rows, total)

    # By force: the national role (every force), admins and managers (their own force's row).
    return perform(ctx, "report.forces" if "force" in by else "report", work, write=False)


def _narrowed(conn: Connection, scope: Scope, station: str | None) -> Scope:
    """The reader's scope, kept to `station` if one is given (one outside it reads nothing)."""
    if station is None:
        return scope
    code = station.strip().upper()
    known = [known for known, _ in reports.stations(conn, Scope.of_force(scope.force))]
    if code not in known:
        raise Refused(f"no station {code!r}; stations: {', '.join(known)}")
    return Scope.of_stations([code] if scope.covers(code) else [], scope.force)


def _by_kind(row: dict[str, Any]) -> dict[str, Any]:
    keys = {k: v for k, v in row.items() if k not in MEASURES}
    return {
        **keys,
        "items": row["items"],
        "claimed": row["claimed"],
        "payable": row["payable"],
        "surrenders_with_kind": row["surrenders"],
        "claims_with_kind": row["claims"],
    }


def _row(by: list[str], values: Row) -> dict[str, Any]:
    keys = {name: _key(name, v) for name, v in zip(by, values, strict=False)}
    return {**keys, **{name: int(v) for name, v in zip(MEASURES, values[len(by) :], strict=True)}}


def _key(name: str, value: Any) -> Any:
    if name == "status" and value != NO_CLAIM:
        return ClaimStatus(value)
    return value
