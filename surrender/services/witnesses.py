"""A witness confirms with their own PIN, checked exactly as a member signing in is
(`services.auth.check_pin_try`): counted under the member's row lock, slowed per member and per
terminal, locked at the fifth wrong in a row; a wrong PIN or a lock is an audited refusal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from surrender import db
from surrender.errors import Refused
from surrender.services.auth import AccountLocked, Member, audit_refusals, check_pin_try, locked_message
from surrender.services.context import Context
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
                Member(staff.id, staff.number, staff.pin_hash, staff.role),
                staff.locked_at is not None,
            )

        witness, member, locked = db.run(ctx.url, read, write=False)
        if locked:
            raise AccountLocked(locked_message(member.number, member.role), member.id, action)
        if not pin:
            raise Refused(
                f"witness {member.number} must confirm with their own PIN "
                "(typed at the prompt, or SURRENDER_WITNESS_PINS=NUMBER:PIN,NUMBER:PIN in scripts)"
            )
        check_pin_try(ctx, member, pin, action, who="witness")
        return witness

    return audit_refusals(ctx, attempt)
