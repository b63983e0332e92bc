"""Flags that arise between claims, set when they arise: at log time (a shared bank account,
one claimant at several stations) and when bank details are set later (a shared account).
The claim that newly matches and the earlier claims it matches are both flagged, each change
audited as `claim.flagged`; an earlier claim already in a batch (exported or packed) keeps the
record that went out unchanged, and the new claim's flag names it. Runs inside the caller's
transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.engine import Connection, Row

from surrender.rules import patterns as rules
from surrender.services import audit
from surrender.store import patterns as store
from surrender.store.scope import Scope


def _other(row: Row[Any]) -> rules.OtherClaim:
    return rules.OtherClaim(row.reference, row.station_code, rules.claimant_key(row.name, row.postcode))


def _add(conn: Connection, row: Row[Any], new: list[str], now: dt.datetime, staff_id: int, audited: bool) -> bool:
    """Add `new` flags to `row`'s claim; audited (for a claim logged earlier) when any is new."""
    current = json.loads(row.flags)
    flags = rules.with_flags(current, new)
    if flags == current:
        return False
    store.set_flags(conn, row.claim_id, flags)
    if audited:
        added = [f for f in flags if f not in current]
        audit.record(
            conn,
            now,
            staff_id,
            "claim.flagged",
            "surrender",
            row.surrender_id,
            {"reference": row.reference, "reasons": sorted({rules.reason_of(f) for f in added} - {None})},
        )
    return True


def flag_patterns(
    conn: Connection, surrender_id: int, now: dt.datetime, staff_id: int, stations: bool = True, audited: bool = False
) -> list[str]:
    """Flag the surrender's claim and the earlier claims it matches; returns its new flags.
    `stations`: look for the claimant at other stations too (at log time; not when only bank
    details changed). `audited`: record this claim's own change (the log event covers it)."""
    mine = store.this_claim(conn, surrender_id)
    if mine is None:
        return []
    me = rules.claimant_key(mine.name, mine.postcode)
    # Patterns across stations are the point, within the claim's force: another force's claims
    # are not this force's to read, nor its references to name in a flag.
    scope = Scope.of_force(mine.force_code)
    mine_new: list[str] = []
    others: dict[int, tuple[Row[Any], list[str]]] = {}  # claim id -> (its row, flags to add)
    if mine.sort_code and mine.account_number:
        rows = store.claims_on_account(conn, scope, mine.sort_code, mine.account_number, surrender_id)
        by_ref = {r.reference: r for r in rows}
        for match in rules.shared_account(me, map(_other, rows)):
            mine_new.append(rules.shared_account_flag(match))
            row = by_ref[match.reference]
            others.setdefault(row.claim_id, (row, []))[1].append(rules.shared_account_flag(_other(mine)))
    if stations:
        rows = store.claims_at_postcode(conn, scope, mine.postcode, surrender_id)
        by_ref = {r.reference: r for r in rows}
        for match in rules.several_stations(me, mine.station_code, map(_other, rows)):
            mine_new.append(rules.several_stations_flag(match))
            row = by_ref[match.reference]
            others.setdefault(row.claim_id, (row, []))[1].append(rules.several_stations_flag(_other(mine)))
    _add(conn, mine, mine_new, now, staff_id, audited)
    for row, texts in others.values():
        if row.batch_id is None:
            _add(conn, row, texts, now, staff_id, audited=True)
    return mine_new
