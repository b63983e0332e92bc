"""Wrong-PIN counts, per member (`staff.failed_pins`, `last_failed_at`) and per terminal
(`pin_terminal`), read under a lock so one member's PIN tries are checked one at a time.

Counters, not records anyone reads by station: no `Scope` here. Callers hold the lock from
`hold_member` (PostgreSQL: that staff row; SQLite: the write lock `BEGIN IMMEDIATE` took) for
the whole check, so two tries never both see the same count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from surrender import tables
from surrender.db import insert_if_absent
from surrender.rules.lockout import Tries

staff_t, terminal_t = tables.staff, tables.pin_terminal


@dataclass(frozen=True)
class HeldMember:
    """The member's row as read under the lock: what the check decides from."""

    id: int
    number: str
    pin_hash: str | None
    active: bool
    locked: bool
    tries: Tries


def hold_member(conn: Connection, staff_id: int) -> HeldMember:
    """The member's row, locked until the transaction ends."""
    c = staff_t.c
    row = conn.execute(
        select(c.id, c.number, c.pin_hash, c.active, c.locked_at, c.failed_pins, c.last_failed_at)
        .where(c.id == staff_id)
        .with_for_update()
    ).one()
    return HeldMember(
        row.id,
        row.number,
        row.pin_hash,
        bool(row.active),
        row.locked_at is not None,
        Tries(row.failed_pins or 0, row.last_failed_at),
    )


def hold_terminal(conn: Connection, terminal: str) -> Tries:
    """The terminal's count, its row made if new and locked until the transaction ends (always
    after the member's row, so two tries never wait on each other in opposite order)."""
    c = terminal_t.c
    insert_if_absent(conn, terminal_t, terminal=terminal, failed_pins=0)
    row = conn.execute(select(c.failed_pins, c.last_failed_at).where(c.terminal == terminal).with_for_update()).one()
    return Tries(row.failed_pins, row.last_failed_at)


def terminal_state(conn: Connection, terminal: str) -> Tries:
    """The terminal's count as committed (no lock): for refusing early, before a PIN is asked."""
    c = terminal_t.c
    row = conn.execute(select(c.failed_pins, c.last_failed_at).where(c.terminal == terminal)).first()
    return Tries() if row is None else Tries(row.failed_pins, row.last_failed_at)


def set_member_tries(conn: Connection, staff_id: int, tries: Tries, locked_at: dt.datetime | None = None) -> None:
    values: dict[str, object] = {"failed_pins": tries.wrong, "last_failed_at": tries.last_wrong_at}
    if locked_at is not None:
        values["locked_at"] = locked_at
    conn.execute(update(staff_t).where(staff_t.c.id == staff_id).values(**values))


def set_terminal_tries(conn: Connection, terminal: str, tries: Tries) -> None:
    conn.execute(
        update(terminal_t)
        .where(terminal_t.c.terminal == terminal)
        .values(failed_pins=tries.wrong, last_failed_at=tries.last_wrong_at)
    )


def clear_member(conn: Connection, staff_id: int) -> None:
    """Unlocked, no wrong PINs counted (an admin's unlock, a new PIN, a recovery)."""
    conn.execute(
        update(staff_t).where(staff_t.c.id == staff_id).values(locked_at=None, failed_pins=0, last_failed_at=None)
    )
