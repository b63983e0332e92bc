"""One digest per field: what an audit event vouches for since issue 18.

An event carries `state` = {record: {field: digest}} for the fields its action changes, and
nothing else, so an honest event after a forgery cannot bless a field it did not change:
`audit verify` replays every event and holds each field to the newest event that wrote it.

- A *field* is `<table>.<column>` of a record's rows (`surrender.voided_at`, `claim.status`,
  `claimant.account_number`, `staff.role`, `batch.total_pence`, ...) or a unit of many rows
  (`items.lines`, `items.descriptions`, `exhibits.all`, `staff.stations`). Columns come from
  the table clauses, so a new column is a new field without code changes.
- digest = SHA-256 of `salt NUL field NUL json(value)`: the field's name is inside, so a digest
  moved to another field (or record) no longer matches.
- Free text typed by staff (`FREE_TEXT`) and the claimant's own fields are salted with the
  claimant's salt; once purge erases the salt they digest to `ERASED` (nothing left to confirm
  a guessed name against).
- `FIELD_CHANGES[action]` is what an action may change; `audit.record(fields=...)` narrows it
  to what one call changed. Verify refuses an event recording a field its action cannot change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select

from surrender import tables
from surrender.services import state_digest as legacy

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

ABSENT = "absent"  # the row does not exist (no claim, no claimant)
ERASED = "erased"  # salted free text whose salt purge erased
GONE = "record.gone"  # the record was deleted by the event (the one key without a table prefix)

FREE_TEXT = frozenset({"surrender.void_reason", "claim.decision_note", "items.descriptions"})
UNITS = frozenset({"items.lines", "items.descriptions", "exhibits.all", "staff.stations"})
UNTRACKED = {
    "surrender": frozenset(),
    "claim": frozenset(),
    "claimant": legacy.UNTRACKED["claimant"],
    "staff": legacy.UNTRACKED["staff"],
    "batch": legacy.UNTRACKED["export_batch"],
    "evidence": frozenset(),
    "destruction": frozenset(),
}
TABLE_OF = {
    "surrender": tables.surrender,
    "claim": tables.claim,
    "claimant": tables.claimant,
    "staff": tables.staff,
    "batch": tables.export_batch,
    "evidence": tables.evidence,
    "destruction": tables.destruction_batch,
}
RECORD_TABLES = {
    "surrender": ("surrender", "claim", "claimant", "items", "exhibits"),
    "staff": ("staff",),
    "batch": ("batch",),
    "evidence": ("evidence",),
    "destruction": ("destruction",),
}


def columns(prefix: str) -> list[str]:
    """The tracked columns of a prefix's table, in the table's order."""
    return [str(c) for c in TABLE_OF[prefix].c.keys() if c not in UNTRACKED[prefix]]  # noqa: SIM118


def known(field: str) -> bool:
    """A field name the layout defines (verify refuses any other)."""
    prefix, dot, column = field.partition(".")
    return field in UNITS or (dot == "." and prefix in TABLE_OF and column in columns(prefix))


def digest(field: str, value: object, salt: str | None = None) -> str:
    text = json.dumps(legacy._value(value), sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(f"{salt or ''}\x00{field}\x00{text}".encode()).hexdigest()


def _row_fields(prefix: str, row: Mapping[str, object] | None, salt: str | None = None, salted=()) -> dict[str, str]:
    out = {}
    for col in columns(prefix):
        name = f"{prefix}.{col}"
        if row is None:
            out[name] = ABSENT
        else:
            out[name] = digest(name, row.get(col), salt if (name in salted or name in FREE_TEXT) else None)
    return out


def surrender_fields(
    row: dict,
    lines: Iterable[dict],
    items: Iterable[tuple[int, int]],
    claim: dict | None,
    person: dict | None,
    exhibits: Iterable[bytes] = (),
) -> dict[str, str]:
    """Every field of one surrender record from its rows (one definition for recording and verifying)."""
    salt = None if person is None else person.get("salt")
    erased = person is not None and not salt  # purged: salted text can no longer be checked
    out = _row_fields("surrender", row, salt)
    lines = list(lines)
    numbers = legacy._hash(
        legacy._chain(
            (legacy._line(r, frozenset({"description"})) for r in lines),
            [b"--items--\n"],
            legacy._pair_lines(items),
        )
    )
    out["items.lines"] = numbers
    out["items.descriptions"] = digest("items.descriptions", [r.get("description") for r in lines], salt)
    out.update(_row_fields("claim", claim, salt))
    out.update(_row_fields("claimant", person, salt, salted=[f"claimant.{c}" for c in columns("claimant")]))
    out["exhibits.all"] = legacy._hash(exhibits)
    if erased:
        for name in FREE_TEXT:
            out[name] = ERASED
    return out


def _surrender(conn: Connection, surrender_id: int) -> dict[str, str] | None:
    s_t, l_t, c_t, p_t = tables.surrender, tables.item_line, tables.claim, tables.claimant
    row = legacy._one(conn, s_t, s_t.c.id == surrender_id)
    if row is None:
        return None
    lines = legacy._rows(conn, l_t, l_t.c.surrender_id == surrender_id, [l_t.c.number])
    claim = legacy._one(conn, c_t, c_t.c.surrender_id == surrender_id)
    person = None if row["claimant_id"] is None else legacy._one(conn, p_t, p_t.c.id == row["claimant_id"])
    return surrender_fields(
        row,
        lines,
        legacy._item_pairs(conn, surrender_id),
        claim,
        person,
        legacy.exhibit_lines(conn, surrender_id),
    )


def _staff(conn: Connection, staff_id: int) -> dict[str, str] | None:
    table, extra = tables.staff, tables.staff_station
    row = legacy._one(conn, table, table.c.id == staff_id)
    if row is None:
        return None
    out = _row_fields("staff", row)
    stations = conn.execute(
        select(extra.c.station_code).where(extra.c.staff_id == staff_id).order_by(extra.c.station_code)
    ).scalars()
    out["staff.stations"] = digest("staff.stations", list(stations))
    return out


def _evidence(conn: Connection, evidence_id: int) -> dict[str, str] | None:
    table = tables.evidence
    row = legacy._one(conn, table, table.c.id == evidence_id)
    if row is None:
        return None
    content = row.pop("content")
    row["content"] = None if content is None else hashlib.sha256(content).hexdigest()
    return _row_fields("evidence", row)


def _simple(prefix: str):
    table = TABLE_OF[prefix]

    def fields(conn: Connection, ident: int) -> dict[str, str] | None:
        row = legacy._one(conn, table, table.c.id == ident)
        return None if row is None else _row_fields(prefix, row)

    return fields


FIELDS_OF = {
    "surrender": _surrender,
    "staff": _staff,
    "evidence": _evidence,
    "batch": _simple("batch"),
    "destruction": _simple("destruction"),
}


def fields_of(conn: Connection, key: str) -> dict[str, str] | None:
    """Every field of record `key` as it now is (None: the record is gone)."""
    kind, _, ident = key.partition(":")
    return FIELDS_OF[kind](conn, int(ident))


def all_records(conn: Connection) -> Iterator[tuple[str, str, dict[str, str] | None]]:
    """Every tracked record now in the database with all its fields: (key, label, fields), streamed."""
    yield from legacy.all_surrenders(conn, surrender_fields)
    for key, label, _parts in legacy.current_records(conn, surrenders=False):
        yield key, label, fields_of(conn, key)


# --- what each action may change -----------------------------------------------------------------

ALL = None
CLAIM_DECISION = frozenset({"claim.status", "claim.decided_by", "claim.decided_at", "claim.decision_note"})
FIELD_CHANGES: dict[str, frozenset[str] | None] = {
    "surrender.logged": ALL,
    "surrender.voided": frozenset({"surrender.voided_at", "surrender.voided_by", "surrender.void_reason"}),
    "claim.manager_approved": frozenset({"claim.manager_approved_by", "claim.manager_approved_at"}),
    "claim.approved": CLAIM_DECISION,
    "claim.rejected": CLAIM_DECISION,
    "claim.sent_back": CLAIM_DECISION,
    "claim.paid": frozenset({"claim.status", "claim.paid_at", "claim.paid_by"}),
    "claims.exported": frozenset({"batch.*", "claim.status", "claim.batch_id"}),
    "claims.packed": frozenset({"batch.*", "claim.status", "claim.batch_id"}),
    "claims.batch_recreated": frozenset(),
    "receipt.reprinted": frozenset(),
    "claimants.purged": frozenset({"claimant.*", "evidence.*", *FREE_TEXT}),
    "claim.payment_details_set": frozenset({"claimant.account_name", "claimant.sort_code", "claimant.account_number"}),
    "claim.contact_details_set": frozenset(
        {"claimant.address", "claimant.postcode", "claimant.phone", "claimant.email"}
    ),
    "claim.status_looked_up": frozenset(),
    "claim.decided_by_payer": frozenset(
        {"claim.status", "claim.payable_pence", "claim.decided_at", "claim.decided_by"}
    ),
    "claim.dispute_opened": frozenset(),
    "claim.dispute_closed": frozenset({"claim.status"}),
    "staff.added": ALL,
    "staff.updated": frozenset({"staff.name", "staff.role", "staff.station_code", "staff.stations"}),
    "staff.locked": frozenset({"staff.locked_at"}),
    "staff.unlocked": frozenset({"staff.locked_at"}),
    "staff.pin_set": frozenset({"staff.pin_hash"}),
    "staff.pin_rehashed": frozenset({"staff.pin_hash"}),
    "staff.deactivated": frozenset({"staff.active"}),
    "evidence.added": ALL,
    "evidence.extracted": frozenset(),
    "custody.moved": frozenset({"exhibits.all"}),
    "custody.checked": frozenset({"exhibits.all"}),
    "custody.never_received": frozenset({"exhibits.all"}),
    "custody.retained": frozenset({"exhibits.all"}),
    "custody.backfilled": frozenset({"exhibits.all"}),
    "custody.location_added": frozenset(),
    "destruction.opened": ALL,
    "destruction.added": frozenset({"exhibits.all"}),
    "destruction.removed": frozenset({"exhibits.all"}),
    "destruction.sealed": frozenset({"destruction.*", "exhibits.all"}),
    "destruction.confirmed": frozenset({"destruction.*"}),
    "audit.baseline": ALL,
}


def allowed(action: str, field: str) -> bool:
    """May an event of `action` record `field`? Actions not listed may record every field."""
    change = FIELD_CHANGES.get(action, ALL)
    if change is None:
        return True
    return field in change or f"{field.partition('.')[0]}.*" in change


def state_for_event(
    conn: Connection, action: str, keys: Iterable[str], fields: Iterable[str] | None = None
) -> dict[str, dict[str, str]]:
    """{record: {field: digest}} of the fields `action` changes (narrowed to `fields` if given);
    records with none of them are left out."""
    only = None if fields is None else frozenset(fields)
    state: dict[str, dict[str, str]] = {}
    for key in dict.fromkeys(keys):
        current = fields_of(conn, key)
        if current is None:
            state[key] = {GONE: "gone"}
            continue
        kept = {f: d for f, d in current.items() if allowed(action, f) and (only is None or f in only)}
        if kept:
            state[key] = kept
    return state
