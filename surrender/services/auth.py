"""Who is acting: look the staff member up, check role, PIN, lock and station; audit refusals.

Every action goes through `perform` (or `sign_in` then `authorize`):

1. `sign_in(ctx, action)` runs *before* the command's transaction: it checks the member exists,
   is active, unlocked, has the role and is not made to wait, then checks their PIN once per
   process (`check_pin_try`). A PIN is checked inside a transaction holding the member's row
   (PostgreSQL: that row; SQLite: the write lock), so one member's tries are checked one at a
   time: the count is exact however many terminals try at once, a wrong PIN is counted before
   its answer is shown, and a right PIN that arrives meanwhile waits its turn instead of being
   refused. Wrong PINs slow the member and the terminal down (rules/lockout.py); the fifth in a
   row locks the member until an admin runs `staff unlock` (the last admin: `staff recover`).
2. `authorize(conn, ctx, action)` runs inside the command's transaction and re-checks role,
   active and lock (cheap), and that this process signed the member in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import update

from surrender import db, tables
from surrender.errors import Forbidden, NotFound, Refused
from surrender.rules.lockout import (
    LOCK_AFTER,
    TERMINAL_MAX_WAIT,
    Tries,
    left_before_lock,
    locks,
    member_wait,
    terminal_tries,
    terminal_wait,
    wait_after,
    whole_seconds,
)
from surrender.rules.permissions import roles_for, station_refusal
from surrender.rules.stations import closed_refusal
from surrender.services.context import Context
from surrender.services.pins import needs_rehash
from surrender.store.forces import find_station, station_rows
from surrender.store.pin_tries import hold_member, hold_terminal, set_member_tries, set_terminal_tries, terminal_state
from surrender.store.scope import Scope
from surrender.store.staff import find_staff, granted_stations

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

T = TypeVar("T")


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


class TooSoon(Forbidden):
    """Wrong PINs made this member or terminal wait: refused without checking any PIN (and not
    audited one by one: nothing was tried). `wait` is how long is left."""

    def __init__(self, message: str, wait: dt.timedelta = dt.timedelta(0)):
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class Member:
    id: int
    number: str
    pin_hash: str | None
    role: str = ""


def locked_message(number: str, role: str = "") -> str:
    recover = (
        f"; if no other admin can, the database's owner runs `surrender staff recover {number}`"
        if role == "admin"
        else ""
    )
    return (
        f"staff member {number} is locked after {LOCK_AFTER} wrong PINs in a row, so no PIN is asked "
        "now (do not type it): "
        f"an admin unlocks it with `surrender staff unlock {number}`{recover}"
    )


def _wait_refusal(ctx: Context, number: str, member: Tries, terminal: Tries) -> TooSoon | None:
    """Refusal if this member or this terminal must still wait after wrong PINs."""
    now = ctx.now()
    by_member, by_terminal = member_wait(member, now), terminal_wait(terminal, now)
    if by_member <= dt.timedelta(0) and by_terminal <= dt.timedelta(0):
        return None
    if by_member >= by_terminal:
        return TooSoon(
            f"{member.wrong} wrong PINs in a row for staff member {number}: try again in {_seconds(by_member)}",
            by_member,
        )
    return TooSoon(
        f"{terminal.wrong} wrong PINs in a row at this terminal ({ctx.terminal}): try again in {_seconds(by_terminal)}",
        by_terminal,
    )


def _seconds(wait: dt.timedelta) -> str:
    seconds = whole_seconds(wait)
    return "1 second" if seconds == 1 else f"{seconds} seconds"


def _check_member(conn: Connection, ctx: Context, action: str) -> Row:
    """The acting member, if they exist, are active, unlocked and have a role for `action`."""
    if not ctx.staff:
        raise Forbidden("name the acting staff member with --staff NUMBER or SURRENDER_STAFF")
    staff = find_staff(conn, ctx.staff, ctx.force)
    if not staff.active:
        raise RoleRefused(f"staff member {staff.number} is no longer active", staff.id, action)
    if staff.locked_at is not None:
        raise AccountLocked(locked_message(staff.number, staff.role), staff.id, action)
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

    def look_up(conn: Connection) -> tuple[Member, TooSoon | None]:
        staff = _check_member(conn, ctx, action)
        waiting = _wait_refusal(
            ctx, staff.number, Tries(staff.failed_pins or 0, staff.last_failed_at), terminal_state(conn, ctx.terminal)
        )
        return Member(staff.id, staff.number, staff.pin_hash, staff.role), waiting

    member, waiting = db.run(ctx.url, look_up, write=False)
    if ctx.pin and member.pin_hash and _key(ctx.url, member.number, member.pin_hash, ctx.pin) in ctx.signed_in:
        return
    if not member.pin_hash:
        raise RoleRefused(
            f"staff member {member.number} has no PIN yet: an admin sets one with "
            f"`surrender staff set-pin {member.number}`",
            member.id,
            action,
        )
    if waiting is not None:
        raise waiting  # before the PIN is asked: nobody types a PIN that would not be checked
    if not ctx.pin:
        if ctx.pin_prompt is None:
            raise PinRequired(
                f"{action.replace('.', ' ')} needs {member.number}'s PIN: enter it on a terminal or set SURRENDER_PIN"
            )
        ctx.pin = ctx.pin_prompt(f"PIN for staff {member.number}")
    stored = check_pin_try(ctx, member, ctx.pin, action, meanwhile=ctx.while_pin_checks)
    ctx.signed_in.add(_key(ctx.url, member.number, stored, ctx.pin))


@dataclass(frozen=True)
class _Outcome:
    """A checked try, decided inside the transaction and acted on once it has committed."""

    stored: str | None = None  # the hash a right PIN matched
    refusal: Forbidden | None = None


def check_pin_try(
    ctx: Context,
    member: Member,
    pin: str,
    action: str,
    who: str = "staff member",
    meanwhile: Callable[[], None] | None = None,
) -> str:
    """Check one PIN try for `member` (as `who`: a staff member signing in, a witness): refused
    without a check while locked or made to wait; checked and counted in one transaction holding
    the member's row; returns the stored hash it matched, else raises the refusal (a wrong PIN
    is a RoleRefused, audited by `audit_refusals`). An old scrypt hash becomes argon2id."""

    def check(conn: Connection) -> _Outcome:
        held = hold_member(conn, member.id)
        if held.locked:
            return _Outcome(refusal=AccountLocked(locked_message(held.number, member.role), held.id, action))
        terminal = hold_terminal(conn, ctx.terminal)
        if (waiting := _wait_refusal(ctx, held.number, held.tries, terminal)) is not None:
            return _Outcome(refusal=waiting)
        now = ctx.now()
        counted = terminal_tries(terminal, now)
        if held.pin_hash and _check_pin(ctx.pin_checker, pin, held.pin_hash, meanwhile):
            if held.tries != Tries():
                set_member_tries(conn, held.id, Tries())
            if terminal != Tries():
                set_terminal_tries(conn, ctx.terminal, Tries())
            return _Outcome(stored=held.pin_hash)
        wrong = held.tries.wrong + 1
        locked = locks(wrong)
        set_member_tries(conn, held.id, Tries(wrong, now), locked_at=now if locked else None)
        set_terminal_tries(conn, ctx.terminal, Tries(counted.wrong + 1, now))
        if locked:
            from surrender.services import audit

            detail = {"number": held.number, "wrong_pins": wrong, "action": action}
            audit.record(conn, now, held.id, "staff.locked", "staff", held.id, detail)
            message = f"wrong PIN for {who} {held.number}; {locked_message(held.number, member.role)}"
            return _Outcome(refusal=AccountLocked(message, held.id, action))
        message = f"wrong PIN for {who} {held.number} ({left_before_lock(wrong)} more wrong and it locks)"
        wait = max(wait_after(wrong), wait_after(counted.wrong + 1, TERMINAL_MAX_WAIT))
        if wait > dt.timedelta(0):
            message += f": try again in {_seconds(wait)}"
        return _Outcome(refusal=RoleRefused(message, held.id, action))

    outcome = db.run(ctx.url, check)
    if outcome.refusal is not None:
        raise outcome.refusal
    assert outcome.stored is not None  # a right PIN matched a stored hash
    if needs_rehash(outcome.stored):
        return _rehash(ctx, member, outcome.stored, ctx.pin_hasher(pin))
    return outcome.stored


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


def _rehash(ctx: Context, member: Member, old: str, new: str) -> str:
    """An old scrypt hash becomes argon2id, on the record (unless the PIN changed meanwhile)."""

    def work(conn: Connection) -> str:
        staff = tables.staff.c
        rehashed = conn.execute(
            update(tables.staff).where(staff.id == member.id, staff.pin_hash == old).values(pin_hash=new)
        ).rowcount
        if not rehashed:
            return old
        from surrender.services import audit

        audit.record(conn, ctx.now(), member.id, "staff.pin_rehashed", "staff", member.id, {"number": member.number})
        return new

    return db.run(ctx.url, work)


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
