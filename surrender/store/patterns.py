"""Lookups for the reviewers' patterns (rules/patterns.py): the live claims on one bank account,
and those of one postcode, with what the rules compare. Scoped like every query: the desk logs
with the whole scheme's scope (a pattern across stations is the point)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from surrender import tables
from surrender.rules.patterns import REASONS
from surrender.store.claims import base
from surrender.store.scope import Scope

surrender_c, claim_c, claimant_c = tables.surrender.c, tables.claim.c, tables.claimant.c

_COLUMNS = (
    surrender_c.id.label("surrender_id"),
    surrender_c.reference,
    surrender_c.station_code,
    claim_c.id.label("claim_id"),
    claim_c.flags,
    claim_c.batch_id,
    claimant_c.name,
    claimant_c.postcode,
)


def _others(scope: Scope, surrender_id: int, *where: ColumnElement[bool]) -> Any:
    """Live claims of named, unpurged claimants other than `surrender_id`'s, oldest first."""
    return (
        base(scope)
        .add_columns(*_COLUMNS)
        .where(
            surrender_c.id != surrender_id,
            surrender_c.voided_at.is_(None),
            claimant_c.purged_at.is_(None),
            *where,
        )
        .order_by(surrender_c.surrendered_at, surrender_c.reference)
    )


def claims_on_account(
    conn: Connection, scope: Scope, sort_code: str, account_number: str, surrender_id: int
) -> list[Row[Any]]:
    """Other live claims paid into this account (both stored normalised, so compared as text)."""
    query = _others(scope, surrender_id, claimant_c.sort_code == sort_code, claimant_c.account_number == account_number)
    return list(conn.execute(query))


def claims_at_postcode(conn: Connection, scope: Scope, postcode: str, surrender_id: int) -> list[Row[Any]]:
    """Other live claims whose claimant gave this postcode (stored normalised); the rule then
    compares the names."""
    return list(conn.execute(_others(scope, surrender_id, claimant_c.postcode == postcode)))


def this_claim(conn: Connection, surrender_id: int) -> Row[Any] | None:
    """The claim with its claimant's name, postcode, bank pair and force (None: no claim, no
    claimant, or the claimant purged)."""
    query = (
        base(Scope.everything())
        .add_columns(*_COLUMNS, claimant_c.sort_code, claimant_c.account_number, surrender_c.force_code)
        .where(surrender_c.id == surrender_id, claimant_c.purged_at.is_(None), claimant_c.id.is_not(None))
    )
    return conn.execute(query).one_or_none()


def set_flags(conn: Connection, claim_id: int, flags: list[str]) -> None:
    conn.execute(update(tables.claim).where(claim_c.id == claim_id).values(flags=json.dumps(flags), flagged=True))


def has_flag_sql(reason: str) -> ColumnElement[bool]:
    """SQL: the claim's flags hold one with this reason word (stored as `"REASON: ...` in the
    JSON list, so the opening quote and the colon make the match exact)."""
    if reason not in REASONS:
        raise ValueError(reason)
    matched: ColumnElement[bool] = claim_c.flags.contains(f'"{reason}:', autoescape=True)
    return matched
