"""Staff register: add and list. The very first member may be added with no one acting."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surrender import db
from surrender.errors import Refused
from surrender.models import Staff, Station
from surrender.rules.permissions import PIN_ROLES, ROLES
from surrender.services import audit
from surrender.services.auth import audit_refusals, authorize, perform, staff_count
from surrender.services.context import Context
from surrender.services.pins import check_pin_format, hash_pin


@dataclass(frozen=True)
class StaffRow:
    number: str
    name: str
    role: str
    station: str | None
    pin: bool
    active: bool


def add_staff(ctx: Context, number: str, name: str, role: str, station: str | None, pin: str | None) -> StaffRow:
    number, name, role = number.strip(), " ".join(name.split()), role.strip().lower()
    if not re.fullmatch(r"[A-Za-z0-9]{1,20}", number):
        raise Refused(f"staff number {number!r} must be 1-20 letters or digits")
    if not name:
        raise Refused("--name must not be empty")
    if role not in ROLES:
        raise Refused(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role in PIN_ROLES and not pin:
        raise Refused(f"the {role} role needs a PIN: give --pin or set SURRENDER_PIN")
    if pin:
        check_pin_format(pin)
    pin_hash = hash_pin(pin) if pin else None  # slow: computed outside the transaction

    def work(session: Session) -> StaffRow:
        actor_id = None
        if staff_count(session):
            actor_id = authorize(session, ctx, "staff").id
        elif role != "admin":
            raise Refused("the first staff member must be an admin (--role admin), who then adds the rest")
        code = station.upper() if station else None
        if code and session.get(Station, code) is None:
            raise Refused(f"no station {code!r}")
        if session.execute(select(Staff.id).where(Staff.number == number)).first():
            raise Refused(f"staff number {number} is already registered")
        member = Staff(number=number, name=name, role=role, station_code=code, pin_hash=pin_hash,
                       created_at=ctx.now())
        session.add(member)
        session.flush()
        audit.record(session, ctx.now(), actor_id, "staff.added", "staff", member.id,
                     {"number": number, "role": role, "station": code})
        return _row(member)

    return audit_refusals(ctx, lambda: db.run(ctx.url, work))


def list_staff(ctx: Context) -> list[StaffRow]:
    def work(session: Session, _actor: Staff) -> list[StaffRow]:
        return [_row(s) for s in session.execute(select(Staff).order_by(Staff.number)).scalars()]

    return perform(ctx, "staff", work, write=False)


def _row(member: Staff) -> StaffRow:
    return StaffRow(member.number, member.name, member.role, member.station_code, bool(member.pin_hash), member.active)
