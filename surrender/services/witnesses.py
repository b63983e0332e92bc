"""A witness confirms with their own PIN, checked exactly as a member signing in is
(`services.auth`): each try counted first in a committed transaction of its own, a right PIN
resets the count, the fifth wrong one in a row locks the account, and a wrong PIN or a lock is
an audited refusal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from surrender import db
from surrender.errors import Refused
from surrender.services.auth import (
    MAX_WRONG_PINS,
    AccountLocked,
    Member,
    RoleRefused,
    _check_pin,
    _count_try,
    _lock,
    _reset_tries,
    audit_refusals,
    locked_message,
)
from surrender.services.context import Context
from surrender.services.pins import hash_pin, needs_rehash
from surrender.store.staff import find_staff


@dataclass(frozen=True)
class Witness:
    id: int
    number: str
    name: str


def _witness(conn: Connection, ctx: Context, number: str) -> Row[Any]:
    """The member with this number in the acting member's force: a witness is a colleague."""
    force = find_staff(conn, ctx.staff, ctx.force).force_code if ctx.staff else ctx.force
    return find_staff(conn, number, force)


def look_up(ctx: Context, number: str) -> Witness:
    """The witness, if they are an active member with a PIN (no PIN checked yet)."""

    def read(conn: Connection) -> Witness:
        staff = _witness(conn, ctx, number)
        if not staff.active:
            raise Refused(f"staff member {staff.number} is no longer active and cannot witness")
        if not staff.pin_hash:
            raise Refused(f"staff member {staff.number} has no PIN yet and cannot witness")
        return Witness(staff.id, staff.number, staff.name)

    return db.run(ctx.url, read, write=False)


def confirm(ctx: Context, number: str, pin: str | None, action: str) -> Witness:
    """Check witness `number`'s own PIN; refusals (wrong PIN, locked) are audited."""

    def attempt() -> Witness:
        def read(conn: Connection) -> tuple[Witness, Member, bool]:
            staff = _witness(conn, ctx, number)
            if not staff.active:
                raise Refused(f"staff member {staff.number} is no longer active and cannot witness")
            if not staff.pin_hash:
                raise Refused(f"staff member {staff.number} has no PIN yet and cannot witness")
            return (
                Witness(staff.id, staff.number, staff.name),
                Member(staff.id, staff.number, staff.pin_hash),
                staff.locked_at is not None,
            )

        witness, member, locked = db.run(ctx.url, read, write=False)
        if locked:
            raise AccountLocked(locked_message(member.number), member.id, action)
        if not pin:
            raise Refused(
                f"witness {member.number} must confirm with their own PIN "
                "(typed at the prompt, or SURRENDER_WITNESS_PINS=NUMBER:PIN,NUMBER:PIN in scripts)"
            )
        tried = db.run(ctx.url, lambda conn: _count_try(conn, member.id))
        if tried is None or tried > MAX_WRONG_PINS:
            raise AccountLocked(locked_message(member.number), member.id, action)
        if _check_pin(ctx.pin_checker, pin, member.pin_hash or "", None):
            stored = hash_pin(pin) if needs_rehash(member.pin_hash or "") else member.pin_hash
            db.run(ctx.url, lambda conn: _reset_tries(conn, ctx, member, stored or ""))
            return witness
        if tried == MAX_WRONG_PINS:
            db.run(ctx.url, lambda conn: _lock(conn, ctx, member, action))
            raise AccountLocked(
                f"wrong PIN for witness {member.number}; {locked_message(member.number)}", member.id, action
            )
        left = MAX_WRONG_PINS - tried
        raise RoleRefused(f"wrong PIN for witness {member.number} ({left} more wrong and it locks)", member.id, action)

    return audit_refusals(ctx, attempt)
