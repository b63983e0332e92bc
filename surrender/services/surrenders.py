"""Logging a surrender and voiding it (reading one is services/reading.py)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from surrender import tables
from surrender.clock import local
from surrender.db import dialect_of, insert_if_absent
from surrender.errors import Refused
from surrender.rules.campaign import Campaign
from surrender.rules.claimant import ClaimantDetails
from surrender.rules.compensation import (
    Assessor,
    ItemAssessment,
    assess_item,
    check_totals,
)
from surrender.rules.items import Item
from surrender.rules.lifecycle import require_reason
from surrender.rules.references import make_reference
from surrender.rules.window import check_surrender_time
from surrender.services import audit
from surrender.services.auth import check_station, perform, require_station
from surrender.services.campaigns import campaign_for
from surrender.services.context import Context
from surrender.services.reading import build_view, find_surrender
from surrender.store.custody import create_exhibits
from surrender.views import SurrenderView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

CHUNK = 5000


@dataclass
class LogRequest:
    items: Iterable[Item]  # or an object whose items_for(features) reads them under the campaign
    at: dt.datetime | None = None
    anonymous: bool = False
    no_claim: bool = False
    claimant: ClaimantDetails | None = None
    declared: bool = False

    def items_under(self, campaign: Campaign) -> Iterable[Item]:
        """The items as read under `campaign`'s features (shorthand and CSV columns are the
        campaign's own, so they are parsed only once the campaign is known)."""
        if hasattr(self.items, "items_for"):
            return self.items.items_for(campaign.features)
        return self.items

    @property
    def claiming(self) -> bool:
        return not (self.anonymous or self.no_claim)


def check_request(request: LogRequest) -> None:
    """Shape rules that need no database: who is claiming and whether they declared."""
    if request.anonymous and request.no_claim:
        raise Refused("--anonymous already means no claim: give one of --anonymous or --no-claim")
    if request.anonymous and request.claimant is not None:
        raise Refused("an anonymous surrender takes no claimant details: drop --anonymous or the details")
    if not request.anonymous and request.claimant is None:
        raise Refused("give the claimant's --name, --address and --postcode, or use --anonymous")
    if request.claiming and not request.declared:
        raise Refused("a compensation claim needs the claimant's declaration (--declare); "
                      "to take the items without a claim use --no-claim")


def _next_number(session: Connection, station: str, campaign: str) -> int:
    """Bump the station's counter under a row lock: numbers are gapless because a rolled-back
    transaction also rolls back its bump."""
    insert_if_absent(session, tables.reference_counter, station_code=station, campaign_code=campaign, last_number=0)
    counter = tables.reference_counter.c
    where = (counter.station_code == station) & (counter.campaign_code == campaign)
    number = session.execute(
        update(tables.reference_counter).where(where).values(last_number=counter.last_number + 1)
        .returning(counter.last_number)
    ).scalar_one()
    return number


def _line_row(item: Item, assessment: ItemAssessment) -> dict:
    """The stored form of a distinct line (totals are filled in once all rows are counted)."""
    # Stored as before features were declared: name -> value, lengths as exact text in mm.
    features = {k: (str(v) if not isinstance(v, (bool, int)) else v) for k, v in item.values().items()}
    return {
        "kind": item.kind,
        "description": item.description,
        "blade_length_mm": f"{item.blade_length_mm.normalize():f}",
        "features": json.dumps(features, sort_keys=True),
        "quantity_each": item.quantity,
        "claimed_value_pence": item.claimed_value_pence,
        "evidence": item.evidence,
        "acquired_on": item.acquired_on,
        "seal": item.seal,
        "eligible": assessment.eligible,
        "reasons": json.dumps(list(assessment.reasons)),
        "unit_claimed_pence": assessment.unit_claimed_pence,
        "unit_compensation_pence": assessment.unit_compensation_pence,
    }


def log_surrender(ctx: Context, request: LogRequest,
                  progress: Callable[[int], None] | None = None) -> SurrenderView:
    """Validate, number, assess and store a surrender in one transaction; then the receipt.
    Written with the light clauses of tables.py on a Connection: a stock list's start-up
    does not build the ORM classes."""
    check_request(request)

    def work(session: Connection, officer: Row) -> SurrenderView:
        now = ctx.now()
        station = require_station(session, ctx.station, officer)
        campaign = campaign_for(session, ctx, officer)
        at = request.at or now
        check_surrender_time(campaign, at, now)
        number = _next_number(session, station.code, campaign.code)
        reference = make_reference(station.code, campaign.reference_prefix, number)
        claimant_id = None
        if request.claimant is not None:
            claimant_id = session.execute(insert(tables.claimant).values(
                **vars(request.claimant), created_at=now, salt=secrets.token_hex(16),
            ).returning(tables.claimant.c.id)).scalar_one()
        surrender_id = session.execute(insert(tables.surrender).values(
            reference=reference, station_code=station.code, campaign_code=campaign.code, number=number,
            surrendered_at=at, surrendered_on=local(at, campaign.timezone).date(), recorded_at=now,
            staff_id=officer.id, anonymous=request.anonymous, claimant_id=claimant_id,
            declared=request.declared, item_count=0,
        ).returning(tables.surrender.c.id)).scalar_one()
        assessor = Assessor(campaign, request.claiming)
        _store_items(session, surrender_id, campaign, request.items_under(campaign), assessor, progress)
        if assessor.rows == 0:
            raise Refused("no items given: use --items FILE.csv or --item KIND:BLADE[:FEATURES]")
        count = sum(a.quantity for _, a in assessor.lines())
        session.execute(update(tables.surrender).where(tables.surrender.c.id == surrender_id)
                        .values(item_count=count))
        assessment = assessor.claim()
        if assessment is not None:
            session.execute(insert(tables.claim).values(
                surrender_id=surrender_id, status=assessment.status, claimed_pence=assessment.claimed_pence,
                payable_pence=assessment.payable_pence, reasons=json.dumps(list(assessment.reasons)),
                flags=json.dumps(list(assessment.flags)), flagged=bool(assessment.flags),
            ))
        create_exhibits(session, surrender_id, now)  # custody: one exhibit per tag the receipt prints
        audit.record(session, now, officer.id, "surrender.logged", "surrender", surrender_id, {
            "reference": reference, "station": station.code, "campaign": campaign.code,
            "surrendered_at": at.isoformat(), "items": count, "anonymous": request.anonymous,
            "claim": None if assessment is None else {
                "status": assessment.status, "payable": assessment.payable_pence, "flags": len(assessment.flags)},
        })
        return build_view(session, surrender_id, reveal=False)

    return perform(ctx, "log", work, orm=False)


def _store_items(session: Connection, surrender_id: int, campaign: Campaign, items: Iterable[Item],
                 assessor: Assessor, progress: Callable[[int], None] | None) -> None:
    """Store every row, each pointing at its distinct line; assess each line once.

    Rows go to the database in chunks (memory stays flat), each chunk one statement that
    unpacks a list of line numbers in SQL: a 35,871-row stock list is 8 statements, not 35,871.
    """
    sql = _Sql(session)
    # The CSV reader hands back one object per distinct row text, so most rows are found by
    # identity without hashing all their fields; each object is held so its id() stays unique.
    by_object: dict[int, tuple[Item, int]] = {}
    by_value: dict[Item, int] = {}
    lines: list[Item] = []
    rows_per_line: list[int] = []
    new_lines: list[tuple] = []
    numbers: list[int] = []  # the line number of each row since the last flush
    first_row = 1  # the row numbers[0] belongs to
    connection = session

    def flush() -> None:
        nonlocal first_row
        if new_lines:
            connection.exec_driver_sql(sql.insert_line, new_lines)
            new_lines.clear()
        if numbers:
            connection.exec_driver_sql(sql.insert_items, sql.items_params(surrender_id, first_row, numbers))
            first_row += len(numbers)
            numbers.clear()

    line = 0
    for line, item in enumerate(items, 1):
        known = by_object.get(id(item))
        number = known[1] if known is not None else None
        if number is None:
            number = by_value.get(item)
            if number is None:
                try:
                    campaign.kind(item.kind)
                except Refused as exc:
                    raise Refused(f"item {line}: {exc}") from None
                lines.append(item)
                rows_per_line.append(0)
                number = by_value[item] = len(lines)
                row = _line_row(item, assess_item(campaign, item.group_key(), assessor.claiming))
                new_lines.append((surrender_id, number, line, *sql.line_values(row)))
            if len(by_object) < 10_000:
                by_object[id(item)] = (item, number)
        rows_per_line[number - 1] += 1
        numbers.append(number)
        if len(numbers) >= CHUNK:
            flush()
            if progress:
                progress(line)
    flush()
    totals = []
    for number, (item, rows) in enumerate(zip(lines, rows_per_line), 1):
        assessment = assessor.add(item, times=rows)
        quantity = item.quantity * rows
        totals.append((rows, quantity, assessment.unit_claimed_pence * quantity,
                       assessment.unit_compensation_pence * quantity, surrender_id, number))
    check_totals(sum(t[1] for t in totals), max(sum(t[2] for t in totals), sum(t[3] for t in totals)))
    if totals:
        connection.exec_driver_sql(sql.update_totals, totals)
    if progress:
        progress(line)


class _Sql:
    """Statements in the driver's own placeholder style; SQLite gets dates as ISO text."""

    LINE_COLUMNS = ("kind", "description", "blade_length_mm", "features", "quantity_each", "claimed_value_pence",
                    "evidence", "acquired_on", "seal", "eligible", "reasons", "unit_claimed_pence",
                    "unit_compensation_pence")

    def __init__(self, session: Connection):
        dialect = dialect_of(session)
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sqlite = dialect.name == "sqlite"
        columns = ("surrender_id", "number", "first_line", *self.LINE_COLUMNS,
                   "rows", "quantity", "claimed_pence", "compensation_pence")
        self.insert_line = f"INSERT INTO item_line ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        # Rows first_row, first_row + 1, ... pointing at the given line numbers, in one statement.
        if self.sqlite:
            self.insert_items = ("INSERT INTO item (surrender_id, line, line_number) "
                                 "SELECT ?, ? + key, value FROM json_each(?)")
        else:
            self.insert_items = ("INSERT INTO item (surrender_id, line, line_number) "
                                 "SELECT %s, %s + n - 1, v FROM unnest(%s::integer[]) WITH ORDINALITY AS t(v, n)")
        self.update_totals = (f"UPDATE item_line SET rows = {mark}, quantity = {mark}, claimed_pence = {mark}, "
                              f"compensation_pence = {mark} WHERE surrender_id = {mark} AND number = {mark}")

    def items_params(self, surrender_id: int, first_row: int, numbers: list[int]) -> tuple:
        return surrender_id, first_row, (json.dumps(numbers) if self.sqlite else list(numbers))

    def line_values(self, row: dict) -> tuple:
        if self.sqlite and row["acquired_on"] is not None:
            row = {**row, "acquired_on": row["acquired_on"].isoformat()}
        return (*(row[c] for c in self.LINE_COLUMNS), 0, 0, 0, 0)  # totals are set once all rows are in


def void_surrender(ctx: Context, reference: str, reason: str) -> SurrenderView:
    """A manager voids a surrender: its claim can never be exported; reprints say VOID."""
    reason = require_reason(reason, "voiding")

    def work(session: Connection, manager: Row) -> SurrenderView:
        surrender = find_surrender(session, reference, orm=False)
        check_station(session, manager, "void", surrender.station_code)
        if surrender.voided_at is not None:
            raise Refused(f"{surrender.reference} is already void ({surrender.void_reason})")
        # Locked, so a void waits for an export in progress and then sees the claim exported.
        claim = session.execute(select(tables.claim).where(tables.claim.c.surrender_id == surrender.id)
                                .with_for_update()).one_or_none()
        if claim is not None and claim.status in ("exported", "paid"):
            raise Refused(f"{surrender.reference}'s claim is already {claim.status} in batch {claim.batch_id}: "
                          "it cannot be voided now")
        now = ctx.now()
        session.execute(update(tables.surrender).where(tables.surrender.c.id == surrender.id)
                        .values(voided_at=now, voided_by=manager.id, void_reason=reason))
        audit.record(session, now, manager.id, "surrender.voided", "surrender", surrender.id,
                     {"reference": surrender.reference, "reason": audit.private("reason", reason),
                      "claim_status": claim.status if claim else None})
        return build_view(session, surrender.id, reveal=False)

    return perform(ctx, "void", work, orm=False)
