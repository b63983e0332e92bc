"""Append-only, hash-chained audit log. Events name records by id, never personal data.

Each event also carries `state`: a digest of each field it changed, after the change (see
`field_digest` for the rule), so `verify` replays the history (`replay`) and proves the tables
as well as the chain. An
*anchor* (`anchor_line`) is one line holding the event count and the hash of that event:
kept outside the database, it catches deleted tail events and a chain rewritten whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, update

from surrender import tables
from surrender.errors import Refused
from surrender.services import field_digest, replay, state_digest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

GENESIS = "0" * 64


def canonical(detail: dict) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def event_hash(
    prev_hash: str,
    at: dt.datetime,
    staff_id: int | None,
    action: str,
    entity: str,
    entity_id: str,
    detail: str,
    state: str | None = None,
) -> str:
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [prev_hash, stamp, str(staff_id or ""), action, entity, entity_id, detail]
    body = "\n".join(fields if state is None else [*fields, state])
    return hashlib.sha256(body.encode()).hexdigest()


FREE_TEXT = frozenset({"decision_note", "void_reason", "reason"})


def private(field: str, value: object, salt: str | None = None) -> object:
    """Free text typed by staff may name people, so the chain keeps only its digest, salted with
    the claimant's salt (`store.audit_log.salt_of`) so a guessed name cannot be tested against
    it, and never again once purge erases the salt."""
    if field in FREE_TEXT and isinstance(value, str):
        return {"sha256": hashlib.sha256(f"{salt or ''}\x00{value}".encode()).hexdigest()}
    return value


def record(
    conn: Connection,
    at: dt.datetime,
    staff_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    detail: dict | None = None,
    touches: list[str] | tuple[str, ...] = (),
    fields: list[str] | tuple[str, ...] | None = None,
) -> str:
    """Append one event; the head row is locked so concurrent appends form one chain.

    Call it after the change: it digests the fields `action` changes (only `fields`, if the
    call names them, e.g. `claim.status`) of the records the event covers (by entity, plus any
    `touches` such as "surrender:12") as they now are. Returns the event's hash.
    """
    text = canonical(detail or {})
    for value in (action, entity, str(entity_id)):
        if "\n" in value or "\r" in value:
            raise ValueError(f"an audit event's fields hold no line breaks: {value!r}")
    keys = [*state_digest.records_for(conn, entity, entity_id), *touches]
    digests = field_digest.state_for_event(conn, action, keys, fields) if keys else {}
    state = canonical(digests) if digests else None
    # Digests first (this transaction already holds the rows it changed), then the head lock,
    # held only for the append itself.
    head, events = tables.audit_head, tables.audit_event
    last_hash = conn.execute(select(head.c.last_hash).where(head.c.id == 1).with_for_update()).scalar_one()
    digest = event_hash(last_hash, at, staff_id, action, entity, str(entity_id), text, state)
    conn.execute(
        insert(events).values(
            at=at,
            staff_id=staff_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=text,
            state=state,
            prev_hash=last_hash,
            hash=digest,
        )
    )
    conn.execute(update(head).where(head.c.id == 1).values(last_hash=digest))
    return digest


ANCHOR = re.compile(r"surrender-anchor events=(\d{1,12}) head=([0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    events: int
    head: str

    def __str__(self) -> str:
        return f"surrender-anchor events={self.events} head={self.head}"


def parse_anchor(line: str) -> Anchor:
    """Read an anchor line as printed by `audit anchor` (surrounding spaces or quotes ignored)."""
    match = ANCHOR.fullmatch(line.strip().strip("'\"").strip().lower())
    if match is None:
        raise Refused(
            "an anchor looks like `surrender-anchor events=123 head=<64 hex digits>`, "
            "as printed by `surrender audit anchor`"
        )
    anchor = Anchor(int(match.group(1)), match.group(2))
    if anchor.events == 0:
        raise Refused(
            "an anchor of events=0 proves nothing (every chain has its first event): "
            "use one printed by `surrender audit anchor`"
        )
    return anchor


def anchor_line(conn: Connection) -> str:
    """The anchor of the chain as this conn sees it (including events it appended):
    `surrender-anchor events=N head=<hash of the Nth event>`. Stable: exports and reports print it."""
    events = tables.audit_event.c
    count = conn.execute(select(func.count()).select_from(tables.audit_event)).scalar_one()
    last = conn.execute(select(events.hash).order_by(events.id.desc()).limit(1)).scalar()
    return str(Anchor(count, last or GENESIS))


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: int | None  # id of the first event whose link does not hold
    problem: str | None
    record: str | None = None  # set when the chain holds but a record differs from it


def verify_chain(
    conn: Connection,
    anchor: Anchor | None = None,
    latest: replay.Expected | None = None,
    wanted: set[str] | None = None,
) -> ChainReport:
    """Walk the chain in id order, recomputing every hash and checking each event's layout;
    stream, so memory stays flat.

    With `anchor`, the Nth event must exist with the anchored hash. With `latest`, the history
    is replayed into it: each record's newest digest per field (`replay.collect`), only of the
    records in `wanted` if given.
    """
    prev = GENESIS
    count = 0
    rows = conn.execute(select(tables.audit_event).order_by(tables.audit_event.c.id).execution_options(yield_per=1000))
    for event in rows:
        count += 1
        if event.prev_hash != prev:
            return ChainReport(count, event.id, "its previous-hash does not match the event before it")
        expected = event_hash(
            prev, event.at, event.staff_id, event.action, event.entity, event.entity_id, event.detail, event.state
        )
        if expected != event.hash:
            return ChainReport(count, event.id, "its content no longer matches its hash (edited)")
        if anchor is not None and count == anchor.events and event.hash != anchor.head:
            return ChainReport(
                count,
                event.id,
                f"event number {count} is not the one anchored (the chain was rewritten or events removed)",
            )
        bad = replay.malformed(event)
        if bad is not None:
            return ChainReport(count, event.id, f"it breaks the event layout: {bad}")
        if latest is not None:
            replay.collect(latest, event, wanted)
        prev = event.hash
    head = conn.execute(select(tables.audit_head.c.last_hash).where(tables.audit_head.c.id == 1)).scalar_one()
    if head != prev:
        return ChainReport(count, None, "the chain's tip does not match the last event (events deleted)")
    if anchor is not None and count < anchor.events:
        return ChainReport(
            count, None, f"the anchor vouches for {anchor.events} events but only {count} remain (events deleted)"
        )
    return ChainReport(count, None, None)
