"""`audit verify` replays: every record's expected state is folded from the whole history of
events, each field held to the newest event that wrote it, then compared with the tables.

An event's fields have a fixed, typed layout (`malformed`): none of its text fields holds a
newline (the hash joins them with newlines, so a newline is how content moves between fields
without changing the hash), `detail` is a canonical JSON object and `state` is absent or a
canonical JSON object of records to fields to digests, each field one the layout defines and
its action may change. Events from before field digests (issue 18) carry whole *parts*
(`state_digest`); a record vouched only by them is compared part by part, as then.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from surrender.services import field_digest, state_digest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# {record: {field or legacy part: (digest, event id)}}
Expected = dict[str, dict[str, tuple[str, int]]]
RECORD_KEY = re.compile(r"(surrender|staff|batch|evidence|destruction):[1-9][0-9]{0,11}")
DIGEST = re.compile(r"[0-9a-f]{64}|absent|erased|gone")


def _canonical(text: str) -> Any:
    """The JSON `text` holds if it is written exactly as `audit.canonical` writes it, else None."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    same = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return value if same == text else None


def malformed(event: Any) -> str | None:
    """Why an event breaks the layout (None if it keeps it). Checked before its state is used."""
    for name in ("action", "entity", "entity_id", "detail", "state"):
        value = getattr(event, name)
        if value is not None and ("\n" in value or "\r" in value):
            return f"its {name} holds a line break (content moved between fields)"
    if not isinstance(_canonical(event.detail), dict):
        return "its detail is not a canonical JSON object"
    if event.state is None:
        return None
    state = _canonical(event.state)
    if not isinstance(state, dict):
        return "its state is not a canonical JSON object"
    for key, units in state.items():
        if not RECORD_KEY.fullmatch(key) or not isinstance(units, dict) or not units:
            return f"its state names {key!r}, not a record"
        for unit, digest in units.items():
            if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
                return f"its state holds a digest of another form for {key} {unit}"
            if "." in unit and unit != field_digest.GONE:
                if not field_digest.known(unit):
                    return f"its state names the field {unit!r}, which no record has"
                if not field_digest.allowed(event.action, unit):
                    return f"it records {unit} of {key}, which {event.action} does not change"
    return None


def collect(expected: Expected, event: Any, wanted: set[str] | None = None) -> None:
    """Fold one (well-formed) event into the expected state of the records it names."""
    if not event.state:
        return
    for key, units in json.loads(event.state).items():
        if wanted is not None and key not in wanted:
            continue
        seen = expected.setdefault(key, {})
        if field_digest.GONE in units or "gone" in units:
            seen.clear()
            seen[field_digest.GONE] = ("gone", event.id)
            continue
        for unit, digest in units.items():
            seen[unit] = (digest, event.id)


def _fields_of(vouched: dict[str, tuple[str, int]]) -> bool:
    return any("." in unit and unit != field_digest.GONE for unit in vouched)


def _compare(
    conn: Connection, key: str, label: str, current: dict[str, str] | None, vouched: dict[str, tuple[str, int]] | None
) -> str | None:
    """The problem with one record, or None if it is what its events say."""
    whole = f"surrender {label}" if key.startswith("surrender:") else label
    if vouched is None or field_digest.GONE in vouched:
        return f"{whole} has no audit event (added behind the tool's back)"
    if not _fields_of(vouched):  # vouched only by events from before field digests
        parts = state_digest.parts_of(conn, key) or {}
        for part, digest in parts.items():
            name = state_digest.PART_LABEL[part].format(label)
            if part not in vouched:
                return f"{name} has no audit event vouching for it"
            if vouched[part][0] != digest:
                return f"{name} differs from the audit trail (last event #{vouched[part][1]})"
        return None
    for field, digest in (current or {}).items():
        if field not in vouched:
            return f"{field} of {whole} has no audit event vouching for it (run `surrender audit baseline` once after upgrading)"
        if vouched[field][0] != digest:
            return f"{field} of {whole} differs from the audit trail (last event #{vouched[field][1]})"
    return None


def first_difference(conn: Connection, expected: Expected, owned: set[str] | None = None) -> tuple[str, str] | None:
    """(record label, problem) for the first record (of those `owned` by the chain's force, if
    given) whose rows differ from its replayed state, has no event, or is named by events but
    gone; None if every record matches."""
    for key, label, current in field_digest.all_records(conn):
        if owned is not None and key not in owned:
            continue  # another force's record: its own chain vouches for it
        problem = _compare(conn, key, label, current, expected.pop(key, None))
        if problem is not None:
            return label, problem
    for key, vouched in expected.items():
        if field_digest.GONE in vouched:
            continue
        last = max(event for _, event in vouched.values())
        kind, _, ident = key.partition(":")
        return key, f"{kind} #{ident} is in the audit trail (last event #{last}) but gone from the database"
    return None


def differences(conn: Connection, expected: Expected, records: Iterable[tuple[str, str]]) -> list[str]:
    """The problems of just these (key, label) records, e.g. the claims an export would pay."""
    found = []
    for key, label in records:
        problem = _compare(conn, key, label, field_digest.fields_of(conn, key), expected.get(key))
        if problem is not None:
            found.append(problem)
    return found
