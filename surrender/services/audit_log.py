"""Reading the audit trail: verify the chain and the records it vouches for, or one
surrender's history."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from surrender import db, tables
from surrender.clock import iso
from surrender.errors import Refused
from surrender.rules.money import format_gbp, format_pence
from surrender.rules.permissions import NATIONAL
from surrender.services.audit import Anchor, ChainReport, anchor_line, chain_name, parse_anchor, verify_chain
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.replay import differences, first_difference
from surrender.store import audit_log
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender


def verify(ctx: Context, anchor: str | None = None) -> ChainReport:
    """The actor's chain (see `verify_chains`); for the national role, the first chain with a
    problem, else the first chain."""
    reports = verify_chains(ctx, anchor)
    return next((report for report in reports if report.problem), reports[0])


def verify_chains(ctx: Context, anchor: str | None = None) -> list[ChainReport]:
    """The actor's force's chain (the national role: every force's chain, then the national
    one), each up to `anchor` if it names that chain (it must still be in it), then every
    record the chain's force owns against the newest digests its events recorded."""
    kept: Anchor | None = parse_anchor(anchor) if anchor is not None else None
    actor = perform(ctx, "audit.verify", lambda _conn, staff: staff, write=False)

    def work(conn: Connection) -> list[ChainReport]:
        snapshot(conn)
        forces = _chains_for(conn, actor)
        held = _anchored_chain(conn, kept, forces) if kept is not None else None
        return [_verify_one(conn, force, kept if force == held else None) for force in forces]

    return db.run(ctx.url, work, write=False)


def _chains_for(conn: Connection, actor: Row) -> list[str | None]:
    """The chains `actor` checks: their force's; the national role every chain."""
    if actor.role == NATIONAL:
        return audit_log.chains(conn)
    return [actor.force_code]


def _anchored_chain(conn: Connection, anchor: Anchor, forces: list[str | None]) -> str | None:
    """The chain an anchor line vouches for; a line from before chains per force (no `force=`)
    can only mean the chain of a database's one force."""
    if not anchor.named:
        known = [force for force in audit_log.chains(conn) if force is not None]
        if len(known) != 1:
            raise Refused(
                "this anchor line names no force and the database holds several: "
                "use a line printed by `surrender audit anchor` since forces have chains of their own"
            )
        return known[0]
    if anchor.force not in forces:
        raise Refused(
            f"that anchor is {chain_name(anchor.force)}'s chain; you verify "
            f"{', '.join(chain_name(force) for force in forces)}"
        )
    return anchor.force


def _verify_one(conn: Connection, force: str | None, anchor: Anchor | None) -> ChainReport:
    latest: dict = {}
    report = verify_chain(conn, force, anchor, latest)
    if report.problem:
        return report
    difference = first_difference(conn, latest, audit_log.records_of(conn, force))
    if difference is not None:
        record, problem = difference
        return replace(report, problem=problem, record=record)
    return report


def unverified(conn: Connection, surrenders: list[tuple[int, str]], force: str | None) -> list[str]:
    """Before money leaves: the problems of these (surrender id, reference) records of `force`
    against its replayed audit chain (the whole chain first: a broken one vouches for nothing)."""
    if not surrenders:
        return []
    keys = {f"surrender:{ident}": reference for ident, reference in surrenders}
    expected: dict = {}
    report = verify_chain(conn, force, None, expected, set(keys))
    if report.problem is not None:
        where = f"event {report.broken_at}" if report.broken_at else "the chain's end"
        return [f"the audit chain is broken at {where}: {report.problem}"]
    return differences(conn, expected, keys.items())


def check_before_payment(conn: Connection, staff_id: int, claims: list[Row]) -> None:
    """Nothing leaves unless it verifies: refuse, naming them, claims (rows with `surrender_id`
    and `reference`) whose records differ from the audit trail, and claims whose bank details
    the member paying them out changed (four eyes on money)."""
    from surrender.rules.lifecycle import four_eyes

    payer = conn.execute(select(tables.staff.c.force_code).where(tables.staff.c.id == staff_id)).scalar()
    problems = unverified(conn, [(r.surrender_id, r.reference) for r in claims], payer)
    if problems:
        raise Refused(
            f"nothing written: the audit trail does not vouch for {len(problems)} claim(s) "
            f"(`surrender audit verify`): {'; '.join(problems)}"
        )
    changers = audit_log.bank_changes(conn, [r.surrender_id for r in claims])
    four_eyes(staff_id, {r.reference: changers.get(r.surrender_id, set()) for r in claims}, "pay out")


def snapshot(conn: Connection) -> None:
    """Read the chain and the tables from one snapshot while terminals keep writing: SQLite's
    read transaction is one already; PostgreSQL needs REPEATABLE READ (first thing in it)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def anchor(ctx: Context) -> list[str]:
    """The anchor line of the actor's force's chain (the national role: of every chain), after
    checking its links (never anchor a broken chain)."""
    actor = perform(ctx, "audit.verify", lambda _conn, staff: staff, write=False)

    def work(conn: Connection) -> list[str]:
        snapshot(conn)
        lines = []
        for force in _chains_for(conn, actor):
            report = verify_chain(conn, force)
            if report.problem:
                where = f"event {report.broken_at}" if report.broken_at else "the chain's end"
                raise Refused(
                    f"{chain_name(force)}'s audit chain broken at {where}: {report.problem}; not anchoring it"
                )
            lines.append(anchor_line(conn, force))
        return lines

    return db.run(ctx.url, work, write=False)


def baseline(ctx: Context) -> int:
    """Once, on a database upgraded from before field digests: one event vouching for every
    field of every record as it stands, so `verify` can check them from now on. Refused once
    any event carries field digests (it could bless a field changed behind the tool's back),
    and refused while records differ from older events' digests (it would bless the forgery)."""
    from surrender.services import audit
    from surrender.services.field_digest import all_records

    def work(conn: Connection, admin: Row) -> int:
        if audit_log.vouches_for_fields(conn):
            raise Refused(
                "the audit trail already vouches for records: a baseline is taken only once, "
                "right after upgrading a database from before field digests"
            )
        if audit_log.vouches_for_records(conn):
            expected: dict = {}
            report = verify_chain(conn, admin.force_code, None, expected)
            owned = audit_log.records_of(conn, admin.force_code)
            problem = report.problem or (first_difference(conn, expected, owned) or (None, None))[1]
            if problem is not None:
                raise Refused(f"not taking a baseline over a trail that does not verify: {problem}")
        owned = audit_log.records_of(conn, admin.force_code)
        keys = [key for key, _label, _fields in all_records(conn) if key in owned]
        audit.record(
            conn, ctx.now(), admin.id, "audit.baseline", "audit", "baseline", {"records": len(keys)}, touches=keys
        )
        return len(keys)

    return perform(ctx, "audit.baseline", work)


def history(ctx: Context, reference: str | None = None, limit: int = 200) -> list[dict]:
    """The latest `limit` events (of one surrender within the reader's scope, if given), oldest
    first, readable: staff by number, money as exact strings ("10.00"), times ISO 8601 in
    Europe/London with offset, and a one-line `summary` for people (£, local times). The
    stored detail keeps pence and ids: that is what the hash covers."""

    if reference is not None and not reference.strip():
        raise Refused("--reference needs a surrender reference, e.g. --reference TW-Z24-000123-K")

    def work(conn: Connection, reader: Row) -> list[dict]:
        surrender = find_surrender(conn, reference, scope_of(conn, reader)) if reference else None
        events = audit_log.latest_events(conn, limit, reader.force_code, surrender)
        numbers = audit_log.staff_numbers(conn)
        rows = []
        for e in events:
            try:
                detail = json.loads(e.detail)
            except (TypeError, ValueError):
                detail = {"malformed": f"event {e.id}'s detail is not JSON: run `surrender audit verify`"}
            entity_id = e.entity_id
            if e.entity == "surrender" and isinstance(detail, dict) and detail.get("reference"):
                entity_id = detail["reference"]
            elif e.entity == "staff" and entity_id.isdigit():
                entity_id = numbers.get(int(entity_id), entity_id)
            rows.append(
                {
                    "id": e.id,
                    "at": iso(e.at),
                    "staff": e.number,
                    "action": e.action,
                    "entity": f"{e.entity} {entity_id}",
                    "detail": readable(detail, numbers),
                    "summary": summary(detail, numbers),
                }
            )
        return rows[::-1]

    return perform(ctx, "audit", work, write=False)


MONEY_KEYS = frozenset({"payable", "claimed", "total", "amount"})  # integer pence in the chain
STAFF_KEYS = frozenset({"decided_by", "manager_approved_by", "paid_by", "voided_by"})  # staff ids
TIME_KEYS = frozenset({"decided_at", "manager_approved_at", "paid_at", "voided_at", "surrendered_at"})


def readable(value, numbers: dict[int, str], key: str | None = None, money=format_pence, when=iso):
    """An event's detail for readers: pence under a money key as `money(pence)`, staff ids as
    staff numbers, instants as `when(datetime)`. A `changed` pair [before, after] takes its
    field's rule. Pure: `numbers` maps staff id to number."""
    if isinstance(value, dict):
        return {k: readable(v, numbers, k, money, when) for k, v in value.items()}
    if isinstance(value, list):
        return [readable(v, numbers, key, money, when) for v in value]
    if key in MONEY_KEYS and isinstance(value, int) and not isinstance(value, bool):
        return money(value)
    if key in STAFF_KEYS and isinstance(value, int):
        return numbers.get(value, f"id {value}")
    if key in TIME_KEYS and isinstance(value, str):
        try:
            return when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def summary(detail, numbers: dict[int, str] | None = None) -> str:
    """One line for people: `status pending → approved; decided_by 4001; total £30.00`, money
    in pounds and times as `12 Sep 2024 10:54 BST`. Takes the readable detail's raw form."""
    from surrender.clock import show_time

    shown = readable(detail, numbers or {}, money=format_gbp, when=show_time)
    return _text(shown)


def _text(value, sep: str = "; ") -> str:
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            if k == "changed" and isinstance(v, dict):
                parts += [
                    f"{field} {_text(pair[0])} → {_text(pair[1])}"
                    if isinstance(pair, list) and len(pair) == 2
                    else f"{field} {_text(pair)}"
                    for field, pair in v.items()
                ]
            elif isinstance(v, dict) and v:
                parts.append(f"{k} ({_text(v, ', ')})")
            else:
                parts.append(f"{k} {_text(v)}")
        return sep.join(parts) if value else "-"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) if value else "-"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
