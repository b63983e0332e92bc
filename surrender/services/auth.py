"""Who is acting: look the staff member up, check role and PIN, and audit refusals."""

from __future__ import annotations

from typing import Callable, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surrender import db
from surrender.errors import Forbidden, NotFound, Refused
from surrender.models import Staff
from surrender.rules.permissions import PIN_ROLES, roles_for
from surrender.services import audit
from surrender.services.context import Context
from surrender.services.pins import verify_pin

T = TypeVar("T")


class PinRequired(Forbidden):
    """The action needs the acting member's PIN and none was given (the CLI may prompt)."""


class RoleRefused(Forbidden):
    def __init__(self, message: str, staff_id: int | None, action: str):
        super().__init__(message)
        self.staff_id = staff_id
        self.action = action


def staff_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Staff)).scalar_one()


def find_staff(session: Session, number: str) -> Staff:
    staff = session.execute(select(Staff).where(Staff.number == number.strip())).scalar_one_or_none()
    if staff is None:
        raise NotFound(f"no staff member with number {number!r}: an admin adds staff with `surrender staff add`")
    return staff


def authorize(session: Session, ctx: Context, action: str) -> Staff:
    """The acting staff member, if their role may do `action` and their PIN (if needed) matches."""
    if not ctx.staff:
        raise Forbidden("name the acting staff member with --staff NUMBER or SURRENDER_STAFF")
    staff = find_staff(session, ctx.staff)
    if not staff.active:
        raise RoleRefused(f"staff member {staff.number} is no longer active", staff.id, action)
    allowed = roles_for(action)
    if staff.role not in allowed:
        needed = " or ".join(sorted(allowed))
        raise RoleRefused(f"{action.replace('.', ' ')} needs the {needed} role; {staff.number} is {staff.role}",
                          staff.id, action)
    if staff.role in PIN_ROLES and staff.pin_hash:
        if not ctx.pin:
            raise PinRequired(f"{action.replace('.', ' ')} needs {staff.number}'s PIN: enter it or set SURRENDER_PIN")
        if not verify_pin(ctx.pin, staff.pin_hash):
            raise RoleRefused(f"wrong PIN for staff member {staff.number}", staff.id, action)
    return staff


def perform(ctx: Context, action: str, work: Callable[[Session, Staff], T], write: bool = True) -> T:
    """Authorise and run `work` in one transaction; a role refusal is audited on its own."""
    def transaction(session: Session) -> T:
        return work(session, authorize(session, ctx, action))

    return audit_refusals(ctx, lambda: db.run(ctx.url, transaction, write=write))


def audit_refusals(ctx: Context, attempt: Callable[[], T]) -> T:
    """Run `attempt`; if a role or PIN check refused it, write that refusal to the audit trail
    in a transaction of its own (the refused one has rolled back), then re-raise."""
    try:
        return attempt()
    except RoleRefused as refusal:
        staff_id, action, reason = refusal.staff_id, refusal.action, str(refusal)

        def record_refusal(session: Session) -> None:
            audit.record(session, ctx.now(), staff_id, "refused", "command", action, {"reason": reason})
        db.run(ctx.url, record_refusal)
        raise


def require_station(session: Session, code: str | None, staff: Staff):
    """The station the work happens at: --station, else the staff member's own."""
    from surrender.models import Station

    code = (code or staff.station_code or "").upper()
    if not code:
        raise Refused("name the station with --station TW|PK or SURRENDER_STATION")
    station = session.get(Station, code)
    if station is None:
        codes = ", ".join(session.execute(select(Station.code)).scalars())
        raise NotFound(f"no station {code!r}; stations: {codes}")
    return station
