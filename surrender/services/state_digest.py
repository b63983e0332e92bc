"""Digests of the records the audit trail vouches for, so `audit verify` can prove the tables
still say what the events say.

The rule (applied inside `audit.record`, so every call site gets it):

- A *record* is one of `surrender:ID`, `batch:ID` or `staff:ID`. An event about entity
  "surrender" (or "claim"/"claimant", mapped to their surrender) covers that surrender; an
  event about a "batch" covers the batch and every surrender whose claim it holds; "staff"
  covers the staff row. Callers may name more records with `touches=`.
- Each record has *parts*, each the SHA-256 of a canonical text of its rows AFTER the change:
    surrender: `surrender` (the surrender row), `items` (its item_line and item rows),
               `claim` (amounts, reasons, flags), `claim status` (status, approvals,
               decisions, batch, payment), `claimant` (name, address, contact),
               `payment details` (account name, sort code, account number);
    batch:     `batch` (the export_batch row but its file-placement columns in UNTRACKED);
    staff:     `staff` (every column except the failed-PIN counters in UNTRACKED, plus the
               member's staff_station rows where that table exists).
  Canonical text = for each row in key order, JSON of all its columns (sorted, UTC ISO
  times), one row per line; new columns are covered without code changes.
- Claimant parts are salted with `claimant.salt` (random, per claimant): the chain keeps a
  digest nobody can test guesses of a name or postcode against. Purge wipes the salt, so
  after purge nothing in the chain links to the person.
- An action listed in CHANGES records only the parts it may change; verify refuses an event
  that records any other part. So a legitimate export after someone edited a payable amount
  cannot re-bless the forged amount: the claim part stays vouched for by the logging event.
  Actions not listed record every part of the records they cover (add new actions here).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from sqlalchemy import select

from surrender import tables

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.expression import TableClause as Table

EXHIBITS = "exhibits"  # custody (issue 16): see the custody block at the end of this module
SURRENDER_PARTS = ("surrender", "items", "claim", "claim status", "claimant", "payment details", EXHIBITS)
CLAIM_STATUS_COLUMNS = frozenset(
    {
        "status",
        "manager_approved_by",
        "manager_approved_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "batch_id",
        "paid_at",
        "paid_by",
    }
)
PAYMENT_COLUMNS = frozenset({"account_name", "sort_code", "account_number"})
# Columns that change without an audit event, so never digested: wrong-PIN counting, and
# where an export file was staged and put (settled after the batch's commit). Not money.
UNTRACKED = {
    "staff": frozenset(
        {"failed_pins", "failed_pin_count", "pin_failures", "failed_attempts", "last_failed_at", "last_seen_at"}
    ),
    "claimant": frozenset({"salt"}),
    "export_batch": frozenset({"settled_at", "staged_path", "host", "path", "anchor"}),
}
STAFF_EXTRA = "staff_station"  # stations an admin lets a member act at, digested with the member

ALL = None  # every part of the records covered
CLAIM_STEP = frozenset({"claim status"})
CHANGES: dict[str, frozenset[str] | None] = {
    "surrender.logged": ALL,
    "surrender.voided": frozenset({"surrender"}),
    "claim.manager_approved": CLAIM_STEP,
    "claim.approved": CLAIM_STEP,
    "claim.rejected": CLAIM_STEP,
    "claim.paid": CLAIM_STEP,
    "claims.exported": frozenset({"batch", "claim status"}),
    "claims.batch_recreated": frozenset(),
    "receipt.reprinted": frozenset(),
    "claimants.purged": frozenset({"claimant", "payment details", "evidence", "surrender", "items", "claim status"}),
    "claim.payment_details_set": frozenset({"payment details"}),
    "claim.contact_details_set": frozenset({"claimant"}),
    "claim.status_looked_up": frozenset(),
    "staff.added": ALL,
    # issue 17 (evidence records are `evidence:ID`, one part each: see evidence_parts)
    "evidence.added": ALL,
    "evidence.extracted": frozenset(),
    "claims.packed": frozenset({"batch", "claim status"}),
    "claim.decided_by_payer": frozenset({"claim", "claim status"}),
    "claim.dispute_opened": frozenset(),
    "claim.dispute_closed": CLAIM_STEP,
}


def _value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# A row's force (issue 15) is left out, so digests recorded before forces existed still check.
NOT_DIGESTED = frozenset({"force_code"})


def _line(row: dict, skip: frozenset[str] = frozenset()) -> bytes:
    clean = {k: _value(v) for k, v in row.items() if k not in skip and k not in NOT_DIGESTED}
    return json.dumps(clean, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False).encode() + b"\n"


def _hash(lines: Iterable[bytes], salt: str | None = None) -> str:
    digest = hashlib.sha256((salt or "").encode() + b"\x00")
    for line in lines:
        digest.update(line)
    return digest.hexdigest()


def _rows(conn: Connection, table: Table, where, order) -> Iterator[dict]:
    result = conn.execute(select(table).where(where).order_by(*order).execution_options(yield_per=2000))
    for row in result.mappings():
        yield dict(row)


def _one(conn: Connection, table: Table, where) -> dict | None:
    row = conn.execute(select(table).where(where)).mappings().first()
    return None if row is None else dict(row)


ABSENT = "absent"  # the part's rows do not exist (no claim, no claimant)


def surrender_digests(
    row: dict,
    lines: Iterable[dict],
    items: Iterable[tuple[int, int]],
    claim: dict | None,
    person: dict | None,
    want: set[str],
    exhibits: Iterable[bytes] = (),
) -> dict[str, str]:
    """The wanted parts of one surrender from its rows (lines in number order, items as
    (line, line_number) in line order): one definition for recording and for verifying."""
    out: dict[str, str] = {}
    if "surrender" in want:
        out["surrender"] = _hash([_line(row)])
    if "items" in want:
        out["items"] = _hash(_chain((_line(r) for r in lines), [b"--items--\n"], _pair_lines(items)))
    if "claim" in want:
        out["claim"] = ABSENT if claim is None else _hash([_line(claim, CLAIM_STATUS_COLUMNS)])
    if "claim status" in want:
        out["claim status"] = (
            ABSENT
            if claim is None
            else _hash([_line({k: v for k, v in claim.items() if k in CLAIM_STATUS_COLUMNS | {"id"}})])
        )
    salt = None if person is None else person.get("salt")
    if "claimant" in want:
        out["claimant"] = (
            ABSENT if person is None else _hash([_line(person, UNTRACKED["claimant"] | PAYMENT_COLUMNS)], salt)
        )
    if "payment details" in want:
        out["payment details"] = (
            ABSENT
            if person is None
            else _hash([_line({k: v for k, v in person.items() if k in PAYMENT_COLUMNS | {"id"}})], salt)
        )
    if EXHIBITS in want:  # custody (issue 16)
        out[EXHIBITS] = _hash(exhibits)
    return out


def surrender_parts(conn: Connection, surrender_id: int, parts: frozenset[str] | None = ALL) -> dict[str, str] | None:
    """The wanted parts of one surrender as it now is, or None if the surrender row is gone."""
    s_t, l_t, c_t, p_t = tables.surrender, tables.item_line, tables.claim, tables.claimant
    row = _one(conn, s_t, s_t.c.id == surrender_id)
    if row is None:
        return None
    want = set(SURRENDER_PARTS if parts is None else parts)
    lines: Iterable[dict] = ()
    items: Iterable[tuple[int, int]] = ()
    if "items" in want:
        lines = _rows(conn, l_t, l_t.c.surrender_id == surrender_id, [l_t.c.number])
        items = _item_pairs(conn, surrender_id)
    claim = _one(conn, c_t, c_t.c.surrender_id == surrender_id) if want & {"claim", "claim status"} else None
    person = None
    if want & {"claimant", "payment details"} and row["claimant_id"] is not None:
        person = _one(conn, p_t, p_t.c.id == row["claimant_id"])
    exhibits = exhibit_lines(conn, surrender_id) if EXHIBITS in want else ()  # custody (issue 16)
    return surrender_digests(row, lines, items, claim, person, want, exhibits)


def _item_pairs(conn: Connection, surrender_id: int) -> Iterator[tuple[int, int]]:
    """(line, line_number) of a surrender's item rows in line order, a block at a time straight
    from the driver's cursor: a stock list has tens of thousands, and building SQLAlchemy rows
    for them took as long again as reading them."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.exec_driver_sql(
        f"SELECT line, line_number FROM item WHERE surrender_id = {mark} ORDER BY line", (surrender_id,)
    ).cursor
    while block := cursor.fetchmany(5000):
        yield from block


class _Stream:
    """Rows of one table ordered by surrender id, handed out one surrender at a time."""

    def __init__(self, rows: Iterator, key):
        self.rows, self.key, self.head = rows, key, next(rows, None)

    def take(self, surrender_id: int) -> Iterator:
        while self.head is not None and self.key(self.head) < surrender_id:
            self.head = next(self.rows, None)  # rows of a surrender that is gone
        while self.head is not None and self.key(self.head) == surrender_id:
            yield self.head
            self.head = next(self.rows, None)

    def one(self, surrender_id: int):
        found = list(self.take(surrender_id))
        return found[0] if found else None


def _legacy_parts(row, lines, items, claim, person, exhibits) -> dict[str, str]:
    return surrender_digests(row, lines, items, claim, person, set(SURRENDER_PARTS), exhibits)


def all_surrenders(conn: Connection, digests=_legacy_parts) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Every surrender's digests (`digests(row, lines, items, claim, person, exhibits)`) from
    five streams merged on surrender id: a handful of queries however many surrenders there are."""
    s_t, l_t, i_t, c_t, p_t = tables.surrender, tables.item_line, tables.item, tables.claim, tables.claimant

    def stream(query):
        return conn.execute(query.execution_options(yield_per=5000))

    lines = _Stream(
        (dict(r) for r in stream(select(l_t).order_by(l_t.c.surrender_id, l_t.c.number)).mappings()),
        lambda r: r["surrender_id"],
    )
    items = _Stream(
        iter(
            stream(select(i_t.c.surrender_id, i_t.c.line, i_t.c.line_number).order_by(i_t.c.surrender_id, i_t.c.line))
        ),
        lambda r: r[0],
    )
    claims = _Stream(
        (dict(r) for r in stream(select(c_t).order_by(c_t.c.surrender_id)).mappings()), lambda r: r["surrender_id"]
    )
    people = _Stream(
        iter(
            stream(
                select(s_t.c.id.label("of_surrender"), p_t).join(p_t, p_t.c.id == s_t.c.claimant_id).order_by(s_t.c.id)
            ).mappings()
        ),
        lambda r: r["of_surrender"],
    )
    custody = _ExhibitStreams(conn)  # custody (issue 16)
    for row in stream(select(s_t).order_by(s_t.c.id)).mappings():
        ident = row["id"]
        person = people.one(ident)
        person = None if person is None else {k: v for k, v in person.items() if k != "of_surrender"}
        parts = digests(
            dict(row),
            lines.take(ident),
            ((r[1], r[2]) for r in items.take(ident)),
            claims.one(ident),
            person,
            custody.lines(ident),
        )
        yield f"surrender:{ident}", row["reference"], parts


def _pair_lines(pairs: Iterable[tuple[int, int]]) -> Iterator[bytes]:
    """b"line,number\\n" for each item row, joined a block at a time: the same bytes to hash
    as one line each, without an encode and a hash update per row (a stock list has 35,871)."""
    pairs = iter(pairs)
    while block := list(islice(pairs, 5000)):
        yield "".join([f"{line},{number}\n" for line, number in block]).encode()


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


def batch_parts(conn: Connection, batch_id: int, parts: frozenset[str] | None = ALL) -> dict[str, str] | None:
    table = tables.export_batch
    row = _one(conn, table, table.c.id == batch_id)
    return None if row is None else {"batch": _hash([_line(row, UNTRACKED["export_batch"])])}


def staff_parts(conn: Connection, staff_id: int, parts: frozenset[str] | None = ALL) -> dict[str, str] | None:
    table = tables.staff
    row = _one(conn, table, table.c.id == staff_id)
    if row is None:
        return None
    lines = [_line(row, UNTRACKED["staff"])]
    extra = tables.staff_station  # its primary key: (staff_id, station_code)
    lines += [
        _line(r) for r in _rows(conn, extra, extra.c.staff_id == staff_id, [extra.c.staff_id, extra.c.station_code])
    ]
    return {"staff": _hash(lines)}


def evidence_parts(conn: Connection, evidence_id: int, parts: frozenset[str] | None = ALL) -> dict[str, str] | None:
    """One evidence file: its row, the content standing as its own SHA-256 (computed, so edited
    bytes show even where the `sha256` column was edited to match)."""
    table = tables.evidence
    row = _one(conn, table, table.c.id == evidence_id)
    if row is None:
        return None
    content = row.pop("content")
    row["content"] = None if content is None else hashlib.sha256(content).hexdigest()
    return {"evidence": _hash([_line(row)])}


PARTS_OF = {"surrender": surrender_parts, "batch": batch_parts, "staff": staff_parts, "evidence": evidence_parts}
OWN_PARTS: dict[str, set[str]] = {
    "surrender": set(SURRENDER_PARTS),
    "batch": {"batch"},
    "staff": {"staff"},
    "evidence": {"evidence"},
}


def parts_of(conn: Connection, key: str, parts: frozenset[str] | None = ALL) -> dict[str, str] | None:
    """Current digests of `key`'s wanted parts (None: the record is gone)."""
    kind, _, ident = key.partition(":")
    return PARTS_OF[kind](conn, int(ident), parts)


def records_for(conn: Connection, entity: str, entity_id: object) -> list[str]:
    """The records an event about (entity, entity_id) covers; [] for entities not tracked."""
    try:
        ident = int(str(entity_id))
    except ValueError:
        return []
    if entity in CUSTODY_ENTITIES:  # custody (issue 16)
        return custody_records_for(conn, entity, ident)
    if entity in ("surrender", "staff", "evidence"):
        return [f"{entity}:{ident}"]
    if entity == "claim":
        claim = tables.claim.c
        found = conn.execute(select(claim.surrender_id).where(claim.id == ident)).scalar()
        return [] if found is None else [f"surrender:{found}"]
    if entity == "claimant":
        return [
            f"surrender:{i}"
            for i in conn.execute(
                select(tables.surrender.c.id)
                .where(tables.surrender.c.claimant_id == ident)
                .order_by(tables.surrender.c.id)
            ).scalars()
        ]
    if entity == "batch":
        claim = tables.claim.c
        held = conn.execute(
            select(claim.surrender_id).where(claim.batch_id == ident).order_by(claim.surrender_id)
        ).scalars()
        return [f"batch:{ident}", *(f"surrender:{i}" for i in held)]
    return []


def wanted(action: str, key: str) -> frozenset[str] | None:
    """The parts an event of `action` records for `key` (ALL for actions not in CHANGES)."""
    change = CHANGES.get(action, ALL)
    if change is None:
        return ALL
    kind = key.partition(":")[0]
    return frozenset(change & OWN_PARTS[kind])


def state_for_event(conn: Connection, action: str, keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """{record: {part: digest}} for an event; records whose wanted parts are empty are left out."""
    state: dict[str, dict[str, str]] = {}
    for key in dict.fromkeys(keys):
        parts = wanted(action, key)
        if parts is not None and not parts:
            continue
        current = parts_of(conn, key, parts)
        state[key] = current if current is not None else {"gone": "gone"}
    return state


def current_records(conn: Connection, surrenders: bool = True) -> Iterator[tuple[str, str, dict[str, str] | None]]:
    """Every tracked record now in the database: (key, label, all its parts), streamed."""
    if surrenders:
        yield from all_surrenders(conn)
    batch, staff = tables.export_batch.c, tables.staff.c
    for ident in conn.execute(select(batch.id).order_by(batch.id)).scalars().all():
        yield f"batch:{ident}", f"batch {ident}", batch_parts(conn, ident)
    for ident, number in conn.execute(select(staff.id, staff.number).order_by(staff.id)).all():
        yield f"staff:{ident}", f"staff member {number}", staff_parts(conn, ident)
    evidence, surrender = tables.evidence.c, tables.surrender.c
    for ident, number, reference in conn.execute(
        select(evidence.id, evidence.number, surrender.reference)
        .select_from(tables.evidence.join(tables.surrender, surrender.id == evidence.surrender_id))
        .order_by(evidence.id)
    ).all():
        yield f"evidence:{ident}", f"evidence file {number} of {reference}", evidence_parts(conn, ident)
    yield from custody_records(conn)  # custody (issue 16)


PART_LABEL = {
    "surrender": "surrender {}",
    "items": "items of {}",
    "claim": "claim of {}",
    "claim status": "claim status of {}",
    "claimant": "claimant of {}",
    "payment details": "payment details of {}",
    "batch": "{}",
    "staff": "{}",
    "evidence": "{}",
    EXHIBITS: "exhibits (tags and custody) of {}",
    "destruction": "{}",
}


def first_difference(conn: Connection, latest: dict[str, dict[str, tuple[str, int]]]) -> tuple[str, str] | None:
    """(record label, problem) for the first record whose rows differ from its newest digests,
    has no event, or is named by events but gone; None if every record matches."""
    for key, label, parts in current_records(conn):
        vouched = latest.pop(key, None)
        if vouched is None or "gone" in vouched:
            whole = f"surrender {label}" if key.startswith("surrender:") else label
            return whole, f"{whole} has no audit event (added behind the tool's back)"
        for part, digest in (parts or {}).items():
            if part not in vouched:
                name = PART_LABEL[part].format(label)
                return name, f"{name} has no audit event vouching for it"
            if vouched[part][0] != digest:
                name = PART_LABEL[part].format(label)
                return name, f"{name} differs from the audit trail (last event #{vouched[part][1]})"
    for key, vouched in latest.items():
        if "gone" in vouched:
            continue
        last = max(event for _, event in vouched.values())
        kind, _, ident = key.partition(":")
        return key, f"{kind} #{ident} is in the audit trail (last event #{last}) but gone from the database"
    return None


# === Custody (issue 16): exhibits and destruction batches ========================================
# A surrender's part `exhibits` is its exhibit rows (the tags: place, state, batch) and every
# custody_event of them, so a tag moved, destroyed or deleted with sqlite3 differs from the
# event that last vouched for it. Custody events name their surrenders with `touches=`; an
# event about entity "exhibit" covers its surrender. A destruction batch is the record
# `destruction:ID` (part `destruction`: its row: method, contractor, witnesses, seal, certificate).
# Locations are reference data: their creation is an event with its details, not a record.

CUSTODY_ENTITIES = frozenset({"exhibit", "destruction"})
OWN_PARTS["destruction"] = {"destruction"}
CHANGES.update(
    {
        "custody.moved": frozenset({EXHIBITS}),
        "custody.checked": frozenset({EXHIBITS}),
        "custody.never_received": frozenset({EXHIBITS}),
        "custody.retained": frozenset({EXHIBITS}),
        "custody.backfilled": frozenset({EXHIBITS}),
        "custody.location_added": frozenset(),
        "destruction.opened": ALL,
        "destruction.added": frozenset({EXHIBITS}),
        "destruction.removed": frozenset({EXHIBITS}),
        "destruction.sealed": frozenset({"destruction", EXHIBITS}),
        "destruction.confirmed": frozenset({"destruction"}),
    }
)


def _exhibit_block(exhibits: Iterable[dict], events: Iterable[dict]) -> Iterator[bytes]:
    yield from (_line(r) for r in exhibits)
    yield b"--custody--\n"
    yield from (_line(r) for r in events)


def exhibit_lines(conn: Connection, surrender_id: int) -> Iterator[bytes]:
    """The canonical lines of one surrender's exhibits and their custody events."""
    e_t, c_t = tables.exhibit, tables.custody_event
    exhibits = _rows(conn, e_t, e_t.c.surrender_id == surrender_id, [e_t.c.id])
    events = conn.execute(
        select(c_t).join(e_t, e_t.c.id == c_t.c.exhibit_id).where(e_t.c.surrender_id == surrender_id).order_by(c_t.c.id)
    ).mappings()
    return _exhibit_block(exhibits, (dict(r) for r in events))


class _ExhibitStreams:
    """Every surrender's exhibits and custody events, streamed in surrender order (two queries)."""

    def __init__(self, conn: Connection):
        e_t, c_t = tables.exhibit, tables.custody_event
        exhibits = conn.execute(
            select(e_t).order_by(e_t.c.surrender_id, e_t.c.id).execution_options(yield_per=5000)
        ).mappings()
        events = conn.execute(
            select(e_t.c.surrender_id.label("of_surrender"), c_t)
            .join(e_t, e_t.c.id == c_t.c.exhibit_id)
            .order_by(e_t.c.surrender_id, c_t.c.id)
            .execution_options(yield_per=5000)
        ).mappings()
        self.exhibits = _Stream((dict(r) for r in exhibits), lambda r: r["surrender_id"])
        self.events = _Stream((dict(r) for r in events), lambda r: r["of_surrender"])

    def lines(self, surrender_id: int) -> Iterator[bytes]:
        """Read now (the surrender's other parts are hashed in between)."""
        exhibits = list(self.exhibits.take(surrender_id))
        events = [{k: v for k, v in r.items() if k != "of_surrender"} for r in self.events.take(surrender_id)]
        return _exhibit_block(exhibits, events)


def destruction_parts(conn: Connection, batch_id: int, parts: frozenset[str] | None = ALL) -> dict[str, str] | None:
    table = tables.destruction_batch
    row = _one(conn, table, table.c.id == batch_id)
    return None if row is None else {"destruction": _hash([_line(row)])}


PARTS_OF["destruction"] = destruction_parts


def custody_records_for(conn: Connection, entity: str, ident: int) -> list[str]:
    if entity == "exhibit":
        found = conn.execute(select(tables.exhibit.c.surrender_id).where(tables.exhibit.c.id == ident)).scalar()
        return [] if found is None else [f"surrender:{found}"]
    return [f"destruction:{ident}"]


def custody_records(conn: Connection) -> Iterator[tuple[str, str, dict[str, str]]]:
    batch = tables.destruction_batch.c
    for ident in conn.execute(select(batch.id).order_by(batch.id)).scalars().all():
        parts = destruction_parts(conn, ident)
        if parts is not None:
            yield f"destruction:{ident}", f"destruction batch {ident}", parts
