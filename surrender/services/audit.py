"""Append-only, hash-chained audit log. Events name records by id, never personal data.

Each event also carries `state`: a digest of each field it changed, after the change (see
`field_digest` for the rule), so `verify` replays the history (`replay`) and proves the tables
as well as the chain. An
*anchor* (`anchor_line`) is one line holding the event count and the hash of that event:
kept outside the database, it catches deleted tail events and a chain rewritten whole.

There is one chain per force, each with its own head row and anchor, so one force's appends
never wait for another's. An event joins the chain of the force owning the records it covers
(`store.audit_log.chain_of`); an event covering none joins its actor's force's chain; what no
force owns (national staff, actors with no force) is the national chain (`None`, printed
`national`). Events from before chains per force are Cambridgeshire's chain (migration 0014).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import insert, update

from surrender import tables
from surrender.errors import Refused
from surrender.services import field_digest, replay, state_digest
from surrender.store import audit_log
from surrender.store.audit_log import GENESIS  # the first event's previous hash, in every chain

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

NATIONAL = "national"  # how the national chain (force None) is named in anchors and reports


def chain_name(force: str | None) -> str:
    return force or NATIONAL


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
    """Append one event to its chain (see the module docstring); that chain's head row is
    locked so concurrent appends form one chain, and other forces' chains are not touched.

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
    force = audit_log.chain_of(conn, keys, staff_id)
    # Digests first (this transaction already holds the rows it changed), then the head lock,
    # held only for the append itself.
    head_id, last_hash = audit_log.lock_head(conn, force)
    digest = event_hash(last_hash, at, staff_id, action, entity, str(entity_id), text, state)
    conn.execute(
        insert(tables.audit_event).values(
            at=at,
            staff_id=staff_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=text,
            state=state,
            prev_hash=last_hash,
            hash=digest,
            force_code=force,
        )
    )
    conn.execute(update(tables.audit_head).where(tables.audit_head.c.id == head_id).values(last_hash=digest))
    return digest


ANCHOR = re.compile(r"surrender-anchor (?:force=([a-z][a-z0-9]{1,9}) )?events=(\d{1,12}) head=([0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    events: int
    head: str
    force: str | None = None  # the chain's force (None: the national chain)
    named: bool = True  # False for a line from before chains per force (no `force=`)

    def __str__(self) -> str:
        return f"surrender-anchor force={chain_name(self.force)} events={self.events} head={self.head}"


def parse_anchor(line: str) -> Anchor:
    """Read an anchor line as printed by `audit anchor` (surrounding spaces or quotes ignored).
    A line from before chains per force names no force (`named` False): the caller decides
    which chain it can mean."""
    match = ANCHOR.fullmatch(line.strip().strip("'\"").strip().lower())
    if match is None:
        raise Refused(
            "an anchor looks like `surrender-anchor force=CAMBS events=123 head=<64 hex digits>`, "
            "as printed by `surrender audit anchor`"
        )
    named, events, head = match.groups()
    force = None if named in (None, NATIONAL) else named.upper()
    anchor = Anchor(int(events), head, force, named is not None)
    if anchor.events == 0:
        raise Refused(
            "an anchor of events=0 proves nothing (every chain has its first event): "
            "use one printed by `surrender audit anchor`"
        )
    return anchor


def anchor_line(conn: Connection, force: str | None) -> str:
    """The anchor of `force`'s chain (None: the national chain) as this conn sees it (including
    events it appended): `surrender-anchor force=CODE events=N head=<hash of the Nth event>`.
    Stable: exports, packs and reports print it."""
    count, last = audit_log.chain_tip(conn, force)
    return str(Anchor(count, last or GENESIS, force))


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: int | None  # id of the first event whose link does not hold
    problem: str | None
    record: str | None = None  # set when the chain holds but a record differs from it
    force: str | None = None  # whose chain (None: the national chain)


def verify_chain(
    conn: Connection,
    force: str | None,
    anchor: Anchor | None = None,
    latest: replay.Expected | None = None,
    wanted: set[str] | None = None,
) -> ChainReport:
    """Walk `force`'s chain (None: the national chain) in id order, recomputing every hash and checking each event's layout;
    stream, so memory stays flat.

    With `anchor`, the Nth event must exist with the anchored hash. With `latest`, the history
    is replayed into it: each record's newest digest per field (`replay.collect`), only of the
    records in `wanted` if given.
    """
    return replace(_walk(conn, force, anchor, latest, wanted), force=force)


def _walk(
    conn: Connection,
    force: str | None,
    anchor: Anchor | None,
    latest: replay.Expected | None,
    wanted: set[str] | None,
) -> ChainReport:
    prev = GENESIS
    count = 0
    rows = conn.execute(audit_log.chain_events(force).execution_options(yield_per=1000))
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
    head = audit_log.head_hash(conn, force)
    if (head or GENESIS) != prev:
        return ChainReport(count, None, "the chain's tip does not match the last event (events deleted)")
    if anchor is not None and count < anchor.events:
        return ChainReport(
            count, None, f"the anchor vouches for {anchor.events} events but only {count} remain (events deleted)"
        )
    return ChainReport(count, None, None)
