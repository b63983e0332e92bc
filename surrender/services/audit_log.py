"""Reading the audit trail: verify the chain, or one surrender's history."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from surrender.clock import iso
from surrender.models import AuditEvent, Staff
from surrender.rules.money import format_gbp, format_pence
from surrender.services.audit import ChainReport, verify_chain
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.surrenders import find_surrender


def verify(ctx: Context) -> ChainReport:
    return perform(ctx, "audit", lambda session, _staff: verify_chain(session), write=False)


def history(ctx: Context, reference: str | None = None, limit: int = 200) -> list[dict]:
    """The latest `limit` events (of one surrender, if given), oldest first, readable: staff by
    number, money as exact strings ("10.00"), times ISO 8601 in Europe/London with offset, and
    a one-line `summary` for people (£, local times). The stored detail keeps pence and ids:
    that is what the hash covers."""
    def work(session: Session, _staff: Staff) -> list[dict]:
        query = (select(AuditEvent, Staff.number).outerjoin(Staff, Staff.id == AuditEvent.staff_id)
                 .order_by(AuditEvent.id.desc()).limit(limit))
        if reference:
            surrender = find_surrender(session, reference)
            in_batch = (AuditEvent.entity == "batch") & AuditEvent.detail.contains(f'"{surrender.reference}"')
            query = query.where(((AuditEvent.entity == "surrender") & (AuditEvent.entity_id == str(surrender.id)))
                                | in_batch)
        events = list(session.execute(query))
        numbers = dict(session.execute(select(Staff.id, Staff.number)).all())
        rows = []
        for e, number in events:
            detail = json.loads(e.detail)
            entity_id = e.entity_id
            if e.entity == "surrender" and isinstance(detail, dict) and detail.get("reference"):
                entity_id = detail["reference"]
            elif e.entity == "staff" and entity_id.isdigit():
                entity_id = numbers.get(int(entity_id), entity_id)
            rows.append({"id": e.id, "at": iso(e.at), "staff": number, "action": e.action,
                         "entity": f"{e.entity} {entity_id}", "detail": readable(detail, numbers),
                         "summary": summary(detail, numbers)})
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
                parts += [f"{field} {_text(pair[0])} → {_text(pair[1])}" if isinstance(pair, list) and len(pair) == 2
                          else f"{field} {_text(pair)}" for field, pair in v.items()]
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
