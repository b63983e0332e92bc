"""Who is acting: look the staff member up, check role, PIN, lock and station; audit refusals.

Every action goes through `perform` (or `sign_in` then `authorize`):

1. `sign_in(ctx, action)` runs *before* the command's transaction: it checks the member exists,
   is active, unlocked and has the role, then checks their PIN once per process. Each try is
   counted first, in a committed transaction of its own (`failed_pins = failed_pins + 1 ...
   RETURNING`), so a refused or crashed command still counts, parallel guesses cannot
   overshoot the limit, and the slow hash runs outside any lock. A right PIN resets the count;
   the fifth wrong PIN in a row locks the account until an admin runs `staff unlock`.
2. `authorize(conn, ctx, action)` runs inside the command's transaction and re-checks role,
   active and lock (cheap), and that this process signed the member in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import update

from surrender import db, tables
from surrender.errors import Forbidden, NotFound, Refused
from surrender.rules.permissions import roles_for, station_refusal
from surrender.rules.stations import closed_refusal
from surrender.services.context import Context
from surrender.services.pins import hash_pin, needs_rehash
from surrender.store.forces import find_station, station_rows
from surrender.store.scope import Scope
from surrender.store.staff import find_staff, granted_stations

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

T = TypeVar("T")
MAX_WRONG_PINS = 5


class PinRequired(Forbidden):
    """The action needs the acting member's PIN, none was given and there is no terminal."""


class RoleRefused(Forbidden):
    """A refusal about who is acting (role, PIN, lock, station): audited on its own."""

    def __init__(self, message: str, staff_id: int | None, action: str):
        super().__init__(message)
        self.staff_id = staff_id
        self.action = action


class AccountLocked(RoleRefused):
    """Too many wrong PINs in a row: refused even with the right PIN until an admin unlocks."""


@dataclass(frozen=True)
class Member:
    id: int
    number: str
    pin_hash: str | None


def locked_message(number: str) -> str:
    return (
        f"staff member {number} is locked after {MAX_WRONG_PINS} wrong PINs in a row, so no PIN is asked "
        "now (do not type it): "
        f"an admin unlocks it with `surrender staff unlock {number}`"
    )


def _check_member(conn: Connection, ctx: Context, action: str) -> Row:
    """The acting member, if they exist, are active, unlocked and have a role for `action`."""
    if not ctx.staff:
        raise Forbidden("name the acting staff member with --staff NUMBER or SURRENDER_STAFF")
    staff = find_staff(conn, ctx.staff, ctx.force)
    if not staff.active:
        raise RoleRefused(f"staff member {staff.number} is no longer active", staff.id, action)
    if staff.locked_at is not None:
        raise AccountLocked(locked_message(staff.number), staff.id, action)
    allowed = roles_for(action)
    if staff.role not in allowed:
        needed = " or ".join(sorted(allowed))
        raise RoleRefused(
            f"{action.replace('.', ' ')} needs the {needed} role; {staff.number} is {staff.role}", staff.id, action
        )
    return staff


def _key(url: str, number: str, stored: str, pin: str) -> tuple[str, str, str]:
    return url, number, hashlib.sha256(f"{stored}\0{pin}".encode()).hexdigest()


def sign_in(ctx: Context, action: str) -> None:
    """Check who is acting and, once per process, their PIN (asking through ctx.pin_prompt on a
    terminal when none was given). Call before the command's transaction; `perform` does."""

    def look_up(conn: Connection) -> Member:
        staff = _check_member(conn, ctx, action)
        return Member(staff.id, staff.number, staff.pin_hash)

    member = db.run(ctx.url, look_up, write=False)
    if ctx.pin and member.pin_hash and _key(ctx.url, member.number, member.pin_hash, ctx.pin) in ctx.signed_in:
        return
    if not member.pin_hash:
        raise RoleRefused(
            f"staff member {member.number} has no PIN yet: an admin sets one with "
            f"`surrender staff set-pin {member.number}`",
            member.id,
            action,
        )
    if not ctx.pin:
        if ctx.pin_prompt is None:
            raise PinRequired(
                f"{action.replace('.', ' ')} needs {member.number}'s PIN: enter it on a terminal or set SURRENDER_PIN"
            )
        ctx.pin = ctx.pin_prompt(f"PIN for staff {member.number}")
    attempt = db.run(ctx.url, lambda conn: _count_try(conn, member.id))
    if attempt is None or attempt > MAX_WRONG_PINS:
        raise AccountLocked(locked_message(member.number), member.id, action)
    if _check_pin(ctx.pin_checker, ctx.pin, member.pin_hash, ctx.while_pin_checks):
        stored = hash_pin(ctx.pin) if needs_rehash(member.pin_hash) else member.pin_hash
        db.run(ctx.url, lambda conn: _reset_tries(conn, ctx, member, stored))
        ctx.signed_in.add(_key(ctx.url, member.number, stored, ctx.pin))
        return
    if attempt == MAX_WRONG_PINS:
        db.run(ctx.url, lambda conn: _lock(conn, ctx, member, action))
        raise AccountLocked(f"wrong PIN; {locked_message(member.number)}", member.id, action)
    left = MAX_WRONG_PINS - attempt
    raise RoleRefused(f"wrong PIN for staff member {member.number} ({left} more wrong and it locks)", member.id, action)


def _check_pin(
    verify_pin: Callable[[str, str | None], bool], pin: str, stored: str, meanwhile: Callable[[], None] | None
) -> bool:
    """verify_pin, with `meanwhile` run alongside: argon2 hashes in C without holding Python's
    lock, so on a second core the command's own preparation costs nothing. The answer is
    waited for before anything else happens."""
    if meanwhile is None:
        return verify_pin(pin, stored)
    import threading

    answer: list[bool | BaseException] = []

    def check() -> None:
        try:
            answer.append(verify_pin(pin, stored))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            answer.append(exc)

    worker = threading.Thread(target=check, name="pin-check", daemon=True)
    worker.start()
    try:
        meanwhile()
    finally:
        worker.join()
    if isinstance(answer[0], BaseException):
        raise answer[0]
    return answer[0]


def _count_try(conn: Connection, staff_id: int) -> int | None:
    """Count this try before checking it; None if the account is locked."""
    staff = tables.staff.c
    return conn.execute(
        update(tables.staff)
        .where(staff.id == staff_id, staff.locked_at.is_(None))
        .values(failed_pins=staff.failed_pins + 1)
        .returning(staff.failed_pins)
    ).scalar_one_or_none()


def _reset_tries(conn: Connection, ctx: Context, member: Member, stored: str) -> None:
    staff = tables.staff.c
    conn.execute(update(tables.staff).where(staff.id == member.id, staff.locked_at.is_(None)).values(failed_pins=0))
    if stored != member.pin_hash:  # an old scrypt (or weaker) hash becomes argon2id, on the record
        from surrender.services import audit

        rehashed = conn.execute(
            update(tables.staff).where(staff.id == member.id, staff.pin_hash == member.pin_hash).values(pin_hash=stored)
        ).rowcount
        if rehashed:
            audit.record(
                conn, ctx.now(), member.id, "staff.pin_rehashed", "staff", member.id, {"number": member.number}
            )


def _lock(conn: Connection, ctx: Context, member: Member, action: str) -> None:
    from surrender.services import audit

    now = ctx.now()
    staff = tables.staff.c
    locked = conn.execute(
        update(tables.staff).where(staff.id == member.id, staff.locked_at.is_(None)).values(locked_at=now)
    ).rowcount
    if locked:
        audit.record(
            conn,
            now,
            member.id,
            "staff.locked",
            "staff",
            member.id,
            {"number": member.number, "wrong_pins": MAX_WRONG_PINS, "action": action},
        )


def authorize(conn: Connection, ctx: Context, action: str) -> Row:
    """Inside the command's transaction: the acting member's row, re-checked, signed in by `sign_in`."""
    staff = _check_member(conn, ctx, action)
    if not (ctx.pin and staff.pin_hash and _key(ctx.url, staff.number, staff.pin_hash, ctx.pin) in ctx.signed_in):
        if not ctx.pin:
            raise PinRequired(
                f"{action.replace('.', ' ')} needs {staff.number}'s PIN: enter it on a terminal or set SURRENDER_PIN"
            )
        # sign_in was skipped, or the PIN changed since: never act on an unchecked PIN.
        raise Forbidden(f"{staff.number}'s PIN was not checked for this command (changed meanwhile?): run it again")
    return staff


def perform(ctx: Context, action: str, work: Callable[[Connection, Row], T], write: bool = True) -> T:
    """Sign in, then authorise and run `work(conn, member_row)` in one transaction; refusals are
    audited on their own."""

    def transaction(conn: Connection) -> T:
        return work(conn, authorize(conn, ctx, action))

    def attempt() -> T:
        sign_in(ctx, action)
        return db.run(ctx.url, transaction, write=write)

    return audit_refusals(ctx, attempt)


def audit_refusals(ctx: Context, attempt: Callable[[], T]) -> T:
    """Run `attempt`; if a role, PIN, lock or station check refused it, write that refusal to the
    audit trail in a transaction of its own (the refused one has rolled back), then re-raise."""
    try:
        return attempt()
    except RoleRefused as refusal:
        staff_id, action, reason = refusal.staff_id, refusal.action, str(refusal)

        def record_refusal(conn: Connection) -> None:
            from surrender.services import audit

            audit.record(conn, ctx.now(), staff_id, "refused", "command", action, {"reason": reason})

        db.run(ctx.url, record_refusal)
        raise


def check_station(conn: Connection, staff: Row, action: str, code: str) -> None:
    """Refuse (audited) a desk officer logging, or a manager voiding, at a station not theirs."""
    reason = station_refusal(
        staff.number, staff.role, action, code, staff.station_code, granted_stations(conn, staff.id)
    )
    if reason:
        raise RoleRefused(reason, staff.id, action)


def require_station(conn: Connection, code: str | None, staff: Row, action: str = "log"):
    """The station row (with its force's name) the work happens at (--station, else the
    member's own), if it is one of their force's and they may act there."""
    code = (code or staff.station_code or "").upper()
    if not code:
        raise Refused("name the station with --station CODE or SURRENDER_STATION")
    force = Scope.of_force(staff.force_code)
    station = find_station(conn, code, force)
    if station is None:
        codes = ", ".join(row.code for row in conn.execute(station_rows(force)))
        raise NotFound(f"no station {code!r}; stations: {codes}")
    check_station(conn, staff, action, station.code)
    return station


def require_open_station(conn: Connection, code: str | None, staff: Row, at: datetime) -> Row:
    """The station a surrender is logged at, refused if it has closed by `at`."""
    station = require_station(conn, code, staff)
    if reason := closed_refusal(station.code, station.closed_at, at):
        raise Refused(reason)
    return station
