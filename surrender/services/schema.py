"""Schema upgrades: anyone may create a new database; once staff exist, only an admin.

Upgrading a database whose audit trail predates field digests also takes the trail's baseline
(one event vouching for every field as it stands, after checking the old trail), so the first
piece of ordinary work after an upgrade is checked field by field and nobody has to remember
`audit baseline`."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from surrender import db, tables
from surrender.errors import Forbidden, Refused
from surrender.rules.lockout import LOCK_AFTER
from surrender.services.auth import audit_refusals, sign_in
from surrender.services.context import Context
from surrender.store.staff import staff_count


class Upgraded(NamedTuple):
    before: str | None
    after: str | None
    baseline: int | None = None  # records the trail now vouches for field by field (None: none taken)
    trail_problem: str | None = None  # why no baseline could be taken: the old trail does not verify


def upgrade_schema(ctx: Context, revision: str = "head") -> Upgraded:
    from surrender.migrate import upgrade

    engine = db.get_engine(ctx.url)
    inspector = inspect(engine)
    staffed = inspector.has_table("staff") and db.run(ctx.url, staff_count, write=False)
    # Asked before signing in: a sign-in may itself write an event (a PIN hash upgraded).
    predates = (
        staffed
        and inspector.has_table("audit_event")
        and "state" in {c["name"] for c in inspector.get_columns("audit_event")}
        and db.run(ctx.url, _trail_predates_field_digests, write=False)
    )
    if staffed:
        columns = {c["name"] for c in inspector.get_columns("staff")}
        if set(tables.staff.c.keys()) <= columns and inspector.has_table("pin_terminal"):
            audit_refusals(ctx, lambda: sign_in(ctx, "db.upgrade"))
        else:
            _check_admin_before_current_schema(ctx, "locked_at" in columns)
    before, after = upgrade(ctx.url, revision)
    if not predates:
        return Upgraded(before, after)
    from surrender.services.audit_log import baseline

    try:
        return Upgraded(before, after, baseline=baseline(ctx))
    except Refused as refused:
        return Upgraded(before, after, trail_problem=str(refused))


def _trail_predates_field_digests(conn: Connection) -> bool:
    from surrender.store import audit_log

    return audit_log.vouches_for_records(conn) and not audit_log.vouches_for_fields(conn)


def _check_admin_before_current_schema(ctx: Context, has_lock: bool) -> None:
    """A database whose staff or PIN-count tables are older than this version's (sign_in reads
    them): check the admin's PIN against its stored hash. Where the old schema counts wrong
    PINs (`locked_at`), count this try first, as that version did, and lock at LOCK_AFTER."""
    from surrender.services.pins import verify_pin

    number = (ctx.staff or "").strip()
    locked = "locked_at" if has_lock else "NULL"
    row = db.run(
        ctx.url,
        lambda s: s.execute(
            text(f"SELECT role, active, pin_hash, {locked} AS locked_at FROM staff WHERE number = :n"), {"n": number}
        ).first(),
        write=False,
    )
    if row is None or row.role != "admin" or not row.active:
        raise Forbidden("db upgrade needs an active admin: name one with --staff NUMBER")
    if row.locked_at is not None:
        raise Forbidden(
            f"staff member {number} is locked: the database's owner runs `surrender staff recover {number}` "
            "(it upgrades the database first)"
        )
    if not (ctx.pin or ctx.pin_prompt):
        raise Forbidden(f"db upgrade needs {ctx.staff}'s PIN: enter it on a terminal or set SURRENDER_PIN")
    if not ctx.pin and ctx.pin_prompt is not None:
        ctx.pin = ctx.pin_prompt(f"PIN for staff {ctx.staff}")
    tried = db.run(ctx.url, lambda s: _count_old_try(s, number)) if has_lock else 0
    if tried is None or tried > LOCK_AFTER:
        raise Forbidden(f"staff member {number} is locked: the database's owner runs `surrender staff recover`")
    right = verify_pin(ctx.pin or "", row.pin_hash)
    if has_lock and (right or tried == LOCK_AFTER):
        change = "failed_pins = 0" if right else "locked_at = :now"
        db.run(
            ctx.url,
            lambda s: s.execute(text(f"UPDATE staff SET {change} WHERE number = :n"), {"n": number, "now": ctx.now()}),
        )
    if not right:
        raise Forbidden(f"wrong PIN for staff member {ctx.staff}")


def _count_old_try(conn: Connection, number: str) -> int | None:
    """The try counted in the old schema's own column; None if that member is locked."""
    return conn.execute(
        text(
            "UPDATE staff SET failed_pins = failed_pins + 1 WHERE number = :n AND locked_at IS NULL "
            "RETURNING failed_pins"
        ),
        {"n": number},
    ).scalar_one_or_none()
