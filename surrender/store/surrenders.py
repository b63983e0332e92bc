"""Surrender queries: finding one by reference within what the reader may see, and writing a
newly logged one (number, claimant, surrender row, item lines and rows, claim). The service
(`services.surrenders.log_surrender`) decides; this only reads and writes.

Item rows go to the database in chunks (memory stays flat), each chunk one statement that
unpacks a list of line numbers in SQL: a 35,871-row stock list is 8 statements, not 35,871.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.db import insert_if_absent
from surrender.errors import NotFound
from surrender.rules.claimant import ClaimantDetails
from surrender.rules.compensation import ClaimAssessment, ItemAssessment
from surrender.rules.items import Item
from surrender.rules.references import normalise_reference
from surrender.store.scope import Scope


def find_surrender(conn: Connection, reference: str, scope: Scope, lock: bool = False) -> Row[Any]:
    """The surrender with this reference (any spelling `normalise_reference` accepts), if the
    scope covers its station; one outside it reads as unknown, so a reference is no key to
    another station's records. `lock` holds the row to the end of the transaction."""
    ref = normalise_reference(reference)
    s = tables.surrender
    query = select(s).where(s.c.reference == ref, scope.station_filter(s.c.station_code))
    surrender = conn.execute(query.with_for_update() if lock else query).one_or_none()
    if surrender is None:
        raise NotFound(f"no surrender with reference {ref}")
    return surrender


def void_mark(conn: Connection, surrender_id: int) -> Row[Any, Any]:
    """The surrender's void mark as committed now: read again after locking its claim, so a void
    another terminal committed meanwhile is seen."""
    s = tables.surrender.c
    return conn.execute(select(s.voided_at, s.void_reason).where(s.id == surrender_id)).one()


CHUNK = 5000


def next_number(conn: Connection, station: str, campaign: str, force: str) -> int:
    """Bump the station's counter under a row lock: numbers are gapless because a rolled-back
    transaction also rolls back its bump."""
    insert_if_absent(
        conn, tables.reference_counter, station_code=station, campaign_code=campaign, last_number=0, force_code=force
    )
    counter = tables.reference_counter.c
    where = (counter.station_code == station) & (counter.campaign_code == campaign)
    number: int = conn.execute(
        update(tables.reference_counter)
        .where(where)
        .values(last_number=counter.last_number + 1)
        .returning(counter.last_number)
    ).scalar_one()
    return number


def insert_claimant(conn: Connection, details: ClaimantDetails, now: dt.datetime, force: str) -> int:
    """The claimant's row, with the salt their audit digests are made with."""
    claimant_id: int = conn.execute(
        insert(tables.claimant)
        .values(
            **vars(details),
            created_at=now,
            salt=secrets.token_hex(16),
            force_code=force,
        )
        .returning(tables.claimant.c.id)
    ).scalar_one()
    return claimant_id


def insert_surrender(conn: Connection, **values: Any) -> int:
    """The surrender row (its item count is set once every row is in); `values` name its force."""
    surrender_id: int = conn.execute(
        insert(tables.surrender).values(**values, item_count=0).returning(tables.surrender.c.id)
    ).scalar_one()
    return surrender_id


def set_item_count(conn: Connection, surrender_id: int, count: int) -> None:
    conn.execute(update(tables.surrender).where(tables.surrender.c.id == surrender_id).values(item_count=count))


def insert_claim(conn: Connection, surrender_id: int, claim: ClaimAssessment, force: str) -> None:
    conn.execute(
        insert(tables.claim).values(
            surrender_id=surrender_id,
            force_code=force,
            status=claim.status,
            claimed_pence=claim.claimed_pence,
            payable_pence=claim.payable_pence,
            reasons=json.dumps(list(claim.reasons)),
            flags=json.dumps(list(claim.flags)),
            flagged=bool(claim.flags),
        )
    )


def line_row(item: Item, unit: ItemAssessment) -> dict[str, Any]:
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
        "eligible": unit.eligible,
        "reasons": json.dumps(list(unit.reasons)),
        "unit_claimed_pence": unit.unit_claimed_pence,
        "unit_compensation_pence": unit.unit_compensation_pence,
    }


class ItemRows:
    """A surrender's lines and rows, queued and written a chunk at a time: `line()` when a
    line is first seen, `row()` for every row, `close()` at the end, then `totals()`."""

    def __init__(self, conn: Connection, surrender_id: int, force: str):
        self.conn, self.surrender_id, self.force = conn, surrender_id, force
        self.sql = _Sql(conn)
        self.new_lines: list[tuple[Any, ...]] = []
        self.numbers: list[int] = []  # the line number of each row since the last flush
        self.first_row = 1  # the row numbers[0] belongs to

    def line(self, number: int, first_row: int, item: Item, unit: ItemAssessment) -> None:
        self.new_lines.append(
            (self.surrender_id, self.force, number, first_row, *self.sql.line_values(line_row(item, unit)))
        )

    def row(self, number: int) -> bool:
        """Queue a row of line `number`; True when that wrote a chunk."""
        self.numbers.append(number)
        if len(self.numbers) >= CHUNK:
            self.close()
            return True
        return False

    def close(self) -> None:
        if self.new_lines:
            self.conn.exec_driver_sql(self.sql.insert_line, self.new_lines)
            self.new_lines.clear()
        if self.numbers:
            self.conn.exec_driver_sql(
                self.sql.insert_items,
                self.sql.items_params(self.surrender_id, self.force, self.first_row, self.numbers),
            )
            self.first_row += len(self.numbers)
            self.numbers.clear()

    def totals(self, lines: list[tuple[int, int, int, int, int]]) -> None:
        """Each line's (number, rows, quantity, claimed pence, compensation pence)."""
        if lines:
            self.conn.exec_driver_sql(
                self.sql.update_totals, [(*totals, self.surrender_id, number) for number, *totals in lines]
            )


class _Sql:
    """Statements in the driver's own placeholder style; SQLite gets dates as ISO text."""

    LINE_COLUMNS = (
        "kind",
        "description",
        "blade_length_mm",
        "features",
        "quantity_each",
        "claimed_value_pence",
        "evidence",
        "acquired_on",
        "seal",
        "eligible",
        "reasons",
        "unit_claimed_pence",
        "unit_compensation_pence",
    )

    def __init__(self, conn: Connection):
        dialect = conn.dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sqlite = dialect.name == "sqlite"
        columns = (
            "surrender_id",
            "force_code",
            "number",
            "first_line",
            *self.LINE_COLUMNS,
            "rows",
            "quantity",
            "claimed_pence",
            "compensation_pence",
        )
        self.insert_line = f"INSERT INTO item_line ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        # Rows first_row, first_row + 1, ... pointing at the given line numbers, in one statement.
        if self.sqlite:
            self.insert_items = (
                "INSERT INTO item (surrender_id, force_code, line, line_number) "
                "SELECT ?, ?, ? + key, value FROM json_each(?)"
            )
        else:
            self.insert_items = (
                "INSERT INTO item (surrender_id, force_code, line, line_number) "
                "SELECT %s, %s, %s + n - 1, v FROM unnest(%s::integer[]) WITH ORDINALITY AS t(v, n)"
            )
        self.update_totals = (
            f"UPDATE item_line SET rows = {mark}, quantity = {mark}, claimed_pence = {mark}, "
            f"compensation_pence = {mark} WHERE surrender_id = {mark} AND number = {mark}"
        )

    def items_params(self, surrender_id: int, force: str, first_row: int, numbers: list[int]) -> tuple[Any, ...]:
        return surrender_id, force, first_row, (json.dumps(numbers) if self.sqlite else list(numbers))

    def line_values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        if self.sqlite and row["acquired_on"] is not None:
            row = {**row, "acquired_on": row["acquired_on"].isoformat()}
        return (*(row[c] for c in self.LINE_COLUMNS), 0, 0, 0, 0)  # totals are set once all rows are in
