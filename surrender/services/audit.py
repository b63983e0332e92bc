"""Append-only, hash-chained audit log. Events name records by id, never personal data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surrender.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def canonical(detail: dict) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def event_hash(prev_hash: str, at: dt.datetime, staff_id: int | None, action: str,
               entity: str, entity_id: str, detail: str) -> str:
    stamp = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = "\n".join([prev_hash, stamp, str(staff_id or ""), action, entity, entity_id, detail])
    return hashlib.sha256(body.encode()).hexdigest()


FREE_TEXT = frozenset({"decision_note", "void_reason", "reason"})


def private(field: str, value: object) -> object:
    """Free text typed by staff may name people, so the chain keeps only its digest: it still
    proves what was written (compare with the record) but holds no raw personal data."""
    if field in FREE_TEXT and isinstance(value, str):
        return {"sha256": hashlib.sha256(value.encode()).hexdigest()}
    return value


def record(session: Session, at: dt.datetime, staff_id: int | None, action: str,
           entity: str, entity_id: object, detail: dict | None = None) -> AuditEvent:
    """Append one event; the head row is locked so concurrent appends form one chain."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    text = canonical(detail or {})
    digest = event_hash(head.last_hash, at, staff_id, action, entity, str(entity_id), text)
    event = AuditEvent(at=at, staff_id=staff_id, action=action, entity=entity,
                       entity_id=str(entity_id), detail=text, prev_hash=head.last_hash, hash=digest)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    return event


def anchor_line(session: Session) -> str:
    """The anchor of the chain as this session sees it (including events it appended):
    `surrender-anchor events=N head=<hash of the Nth event>`. Stable: exports and reports print it."""
    session.flush()
    count = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    last = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return f"surrender-anchor events={count} head={last or GENESIS}"


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: int | None  # id of the first event whose link does not hold
    problem: str | None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in id order, recomputing every hash; stream, so memory stays flat."""
    prev = GENESIS
    count = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)).scalars()
    for event in rows:
        count += 1
        if event.prev_hash != prev:
            return ChainReport(count, event.id, "its previous-hash does not match the event before it")
        expected = event_hash(prev, event.at, event.staff_id, event.action, event.entity,
                              event.entity_id, event.detail)
        if expected != event.hash:
            return ChainReport(count, event.id, "its content no longer matches its hash (edited)")
        prev = event.hash
    head = session.execute(select(AuditHead.last_hash).where(AuditHead.id == 1)).scalar_one()
    if head != prev:
        return ChainReport(count, None, "the chain's tip does not match the last event (events deleted)")
    return ChainReport(count, None, None)
