"""Staff register: add, list, update, set PINs, unlock and deactivate. All audited.

The very first member (an admin) may be added with no one acting; after that an admin acts.
PIN hashes are computed before the transaction (they are slow on purpose).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from surrender import db, tables
from surrender.errors import Refused
from surrender.migrate import upgrade
from surrender.rules.claimant import normalise_name
from surrender.rules.lockout import Tries
from surrender.rules.permissions import NATIONAL, ROLES
from surrender.services import audit
from surrender.services.auth import audit_refusals, authorize, perform, sign_in
from surrender.services.context import Context
from surrender.services.db_owner import require_owner
from surrender.services.pins import check_pin_format
from surrender.store.pin_tries import clear_member, set_terminal_tries
from surrender.store.staff import find_staff, staff_by_id, staff_count, stations_of

STAFF = tables.staff


@dataclass(frozen=True)
class StaffRow:
    number: str
    name: str
    role: str
    station: str | None
    stations: str  # every station they may act at, own first: "TW,PK"
    pin: bool
    locked: bool
    active: bool
    force: str | None = None  # None: national staff


def parse_stations(text: str | None) -> list[str]:
    """`TW,PK` (or `tw pk`) as a list of codes; empty text is no stations."""
    return [code for code in re.split(r"[\s,]+", (text or "").upper()) if code]


def sign_in_for_staff_change(ctx: Context, own_pin: bool = False) -> None:
    """Check the acting member's PIN before a new PIN is typed twice (nothing to check while no
    staff exist): as an admin, or (own_pin) as anyone changing their own."""
    if not db.run(ctx.url, staff_count, write=False):
        return
    audit_refusals(ctx, lambda: sign_in(ctx, "own-pin" if own_pin else "staff"))


def add_staff(
    ctx: Context,
    number: str,
    name: str,
    role: str,
    station: str | None,
    pin: str | None,
    stations: list[str] | None = None,
    force: str | None = None,
) -> StaffRow:
    """`force`: the member's force (default: the acting admin's; the first member: the
    database's only force). National staff belong to no force."""
    number, name, role = number.strip(), normalise_name(name, "staff name"), role.strip().lower()
    if not re.fullmatch(r"[A-Za-z0-9]{1,20}", number):
        raise Refused(f"staff number {number!r} must be 1-20 letters or digits")
    if not name:
        raise Refused("--name must not be empty")
    if role not in ROLES:
        raise Refused(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not pin:
        raise Refused(f"{number} needs a PIN: give it at the prompt, with --pin or SURRENDER_NEW_PIN")
    check_pin_format(pin)
    pin_hash = ctx.pin_hasher(pin)  # slow: computed outside the transaction

    def work(conn: Connection) -> StaffRow:
        actor = None
        if staff_count(conn):
            actor = authorize(conn, ctx, "staff")
        elif role != "admin":
            raise Refused("the first staff member must be an admin (--role admin), who then adds the rest")
        actor_id = None if actor is None else actor.id
        member_force = _member_force(conn, actor, role, force)
        code = _station(conn, station, member_force)
        same = select(STAFF.c.id).where(STAFF.c.number == number, _same_force(member_force))
        if conn.execute(same).first():
            raise Refused(f"staff number {number} is already registered{_in_force(member_force)}")
        member_id = conn.execute(
            insert(STAFF)
            .values(
                number=number,
                force_code=member_force,
                name=name,
                role=role,
                station_code=code,
                pin_hash=pin_hash,
                active=True,
                created_at=ctx.now(),
                failed_pins=0,
            )
            .returning(STAFF.c.id)
        ).scalar_one()
        granted = _grant(conn, member_id, member_force, code, stations or [])
        audit.record(
            conn,
            ctx.now(),
            actor_id,
            "staff.added",
            "staff",
            member_id,
            {"number": number, "role": role, "station": code, "stations": granted},
        )
        return _row(conn, member_id)

    def attempt() -> StaffRow:
        if db.run(ctx.url, staff_count, write=False):
            sign_in(ctx, "staff")
        return db.run(ctx.url, work)

    return audit_refusals(ctx, attempt)


def list_staff(ctx: Context) -> list[StaffRow]:
    def work(conn: Connection, actor: Row) -> list[StaffRow]:
        ids = (
            conn.execute(select(STAFF.c.id).where(_same_force(actor.force_code)).order_by(STAFF.c.number))
            .scalars()
            .all()
        )
        return [_row(conn, staff_id) for staff_id in ids]

    return perform(ctx, "staff", work, write=False)


def update_staff(
    ctx: Context,
    number: str,
    *,
    stations: list[str] | None = None,
    role: str | None = None,
    name: str | None = None,
    station: str | None = None,
) -> StaffRow:
    """Change what an admin may change: stations granted, role, name, own station."""
    if role is not None and role not in ROLES:
        raise Refused(f"role {role!r} is not one of {', '.join(ROLES)}")
    if name is not None and not normalise_name(name, "staff name"):
        raise Refused("--name must not be empty")
    if stations is None and role is None and name is None and station is None:
        raise Refused("nothing to change: give --stations, --role, --name or --station")

    def work(conn: Connection, admin: Row) -> StaffRow:
        member = find_staff(conn, number, admin.force_code)
        changes: dict[str, object] = {}
        values: dict[str, object] = {}
        home = member.station_code
        if name is not None:
            tidied = " ".join(name.split())
            values["name"] = tidied
            changes["name"] = {"sha256": hashlib.sha256(tidied.encode()).hexdigest()}  # no names in the chain
        if station is not None:
            changes["station"] = values["station_code"] = home = _station(conn, station, member.force_code)
        if role is not None and role != member.role:
            if member.role == "admin":
                _keep_an_admin(conn, member)
            changes["role"] = values["role"] = role
        if values:
            conn.execute(update(STAFF).where(STAFF.c.id == member.id).values(**values))
        if stations is not None:
            changes["stations"] = _grant(conn, member.id, member.force_code, home, stations)
        changed = [f"staff.{k}" for k in values] + (["staff.stations"] if stations is not None else [])
        audit.record(
            conn,
            ctx.now(),
            admin.id,
            "staff.updated",
            "staff",
            member.id,
            {"number": member.number, **changes},
            fields=changed,
        )
        return _row(conn, member.id)

    return perform(ctx, "staff", work)


def is_own(ctx: Context, number: str | None) -> bool:
    return number is None or number.strip() == (ctx.staff or "").strip()


def set_pin(ctx: Context, number: str | None, new_pin: str | None) -> StaffRow:
    """Your own PIN (any role, with your current PIN), or anyone's if you are an admin."""
    if not new_pin:
        raise Refused("give the new PIN at the prompt, with --new-pin or SURRENDER_NEW_PIN")
    check_pin_format(new_pin)
    own = is_own(ctx, number)
    pin_hash = ctx.pin_hasher(new_pin)

    def work(conn: Connection, actor: Row) -> StaffRow:
        member = actor if own or number is None else find_staff(conn, number, actor.force_code)
        conn.execute(
            update(STAFF).where(STAFF.c.id == member.id).values(pin_hash=pin_hash, failed_pins=0, last_failed_at=None)
        )
        audit.record(
            conn, ctx.now(), actor.id, "staff.pin_set", "staff", member.id, {"number": member.number, "own": own}
        )
        return _row(conn, member.id)

    return perform(ctx, "own-pin" if own else "staff", work)


def unlock_staff(ctx: Context, number: str) -> StaffRow:
    def work(conn: Connection, admin: Row) -> StaffRow:
        member = find_staff(conn, number, admin.force_code)
        if member.locked_at is None:
            raise Refused(f"staff member {member.number} is not locked")
        clear_member(conn, member.id)
        audit.record(conn, ctx.now(), admin.id, "staff.unlocked", "staff", member.id, {"number": member.number})
        return _row(conn, member.id)

    return perform(ctx, "staff", work)


def recover_admin(ctx: Context, number: str, new_pin: str | None) -> StaffRow:
    """The way back for a locked-out admin (the last one, say): run as the database's owner
    (services/db_owner.py), no PIN of anyone's asked; brings an older database's schema up to
    date (as its owner could anyway), unlocks them, sets their new PIN, clears this terminal's
    wait and audits who recovered whom. Any other member is unlocked by an admin."""
    if not new_pin:
        raise Refused("give the admin's new PIN at the prompt, with --new-pin or SURRENDER_NEW_PIN")
    check_pin_format(new_pin)
    pin_hash = ctx.pin_hasher(new_pin)
    db.run(ctx.url, lambda conn: require_owner(conn, ctx.url), write=False)
    upgrade(ctx.url)  # a database older than this version first gets the columns recovery writes

    def work(conn: Connection) -> StaffRow:
        owner = require_owner(conn, ctx.url)
        member = find_staff(conn, number)
        if member.role != "admin" or not member.active:
            raise Refused(
                f"staff member {member.number} is not an active admin: recover is for admins; "
                f"an admin unlocks anyone else with `surrender staff unlock {member.number}`"
            )
        conn.execute(update(STAFF).where(STAFF.c.id == member.id).values(pin_hash=pin_hash))
        clear_member(conn, member.id)
        set_terminal_tries(conn, ctx.terminal, Tries())  # the owner's own terminal starts afresh too
        detail = {"number": member.number, "by": owner, "was_locked": member.locked_at is not None}
        audit.record(conn, ctx.now(), None, "staff.recovered", "staff", member.id, detail)
        return _row(conn, member.id)

    return db.run(ctx.url, work)


def deactivate_staff(ctx: Context, number: str) -> StaffRow:
    def work(conn: Connection, admin: Row) -> StaffRow:
        member = find_staff(conn, number, admin.force_code)
        if not member.active:
            raise Refused(f"staff member {member.number} is already inactive")
        if member.role == "admin":
            _keep_an_admin(conn, member)
        conn.execute(update(STAFF).where(STAFF.c.id == member.id).values(active=False))
        audit.record(conn, ctx.now(), admin.id, "staff.deactivated", "staff", member.id, {"number": member.number})
        return _row(conn, member.id)

    return perform(ctx, "staff", work)


def _keep_an_admin(conn: Connection, member: Row) -> None:
    """Refuse taking away the last active admin (rows locked, so two admins cannot each remove
    the other at once)."""
    admins = (
        conn.execute(
            select(STAFF.c.id)
            .where(STAFF.c.role == "admin", STAFF.c.active.is_(True), _same_force(member.force_code))
            .with_for_update()
        )
        .scalars()
        .all()
    )
    if admins == [member.id]:
        raise Refused(f"{member.number} is the last active admin: add another admin first")


def _same_force(force: str | None) -> ColumnElement[bool]:
    """SQL: the staff row is in `force` (None: national staff, who belong to no force)."""
    return STAFF.c.force_code.is_(None) if force is None else STAFF.c.force_code == force


def _in_force(force: str | None) -> str:
    return f" in force {force}" if force else " as national staff"


def _member_force(conn: Connection, actor: Row | None, role: str, force: str | None) -> str | None:
    """The force a new member joins. An admin adds staff to their own force, national staff
    (no force), or the first admin of a force that has none yet (setting up a new force)."""
    if role == NATIONAL:
        if force:
            raise Refused("national staff belong to no force: leave out --force")
        if actor is None:
            raise Refused("the first staff member must be a force's admin (--role admin)")
        return None
    known = list(conn.execute(select(tables.force.c.code).order_by(tables.force.c.code)).scalars())
    wanted = force.strip().upper() if force else None
    if wanted is None:
        if actor is not None and actor.force_code:
            return str(actor.force_code)
        if len(known) == 1:
            return known[0]
        raise Refused(f"say which force the member joins with --force CODE ({', '.join(known)})")
    if wanted not in known:
        raise Refused(f"no force {wanted!r}; forces: {', '.join(known)} (an admin adds one with `surrender force add`)")
    if actor is not None and wanted != actor.force_code:
        admins = select(STAFF.c.id).where(STAFF.c.force_code == wanted, STAFF.c.role == "admin")
        if role != "admin" or conn.execute(admins).first() is not None:
            raise Refused(f"an admin adds staff only to their own force ({actor.force_code}), not to {wanted}")
    return wanted


def _station(conn: Connection, code: str | None, force: str | None) -> str | None:
    """The station code, if it is one of `force`'s stations."""
    code = code.strip().upper() if code else None
    stations = tables.station.c
    if (
        code
        and conn.execute(select(stations.code).where(stations.code == code, stations.force_code == force)).first()
        is None
    ):
        raise Refused(f"no station {code!r}{_in_force(force)}")
    return code


def _grant(conn: Connection, member_id: int, force: str | None, home: str | None, codes: list[str]) -> list[str]:
    """Replace the stations granted to a member with `codes` (their own station is implied),
    each one of their force's."""
    wanted = sorted({c.upper() for c in codes} - {home})
    stations, granted = tables.station.c, tables.staff_station
    known = set(
        conn.execute(select(stations.code).where(stations.code.in_(wanted), stations.force_code == force)).scalars()
    )
    if missing := [c for c in wanted if c not in known]:
        raise Refused(f"no station {missing[0]!r}{_in_force(force)}")
    conn.execute(delete(granted).where(granted.c.staff_id == member_id))
    if wanted:
        conn.execute(
            insert(granted),
            [{"staff_id": member_id, "station_code": code, "force_code": force} for code in wanted],
        )
    return wanted


def _row(conn: Connection, member_id: int) -> StaffRow:
    """The member as listed, read back after any change in this transaction."""
    member = staff_by_id(conn, member_id)
    assert member is not None
    return StaffRow(
        member.number,
        member.name,
        member.role,
        member.station_code,
        ",".join(stations_of(conn, member)),
        bool(member.pin_hash),
        member.locked_at is not None,
        bool(member.active),
        member.force_code,
    )
