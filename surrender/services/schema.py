"""Schema upgrades: anyone may create a new database; once staff exist, only an admin.

Upgrading a database whose audit trail predates field digests also takes the trail's baseline
(one event vouching for every field as it stands, after checking the old trail), so the first
piece of ordinary work after an upgrade is checked field by field and nobody has to remember
`audit baseline`."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, inspect, text

from surrender import db
from surrender.errors import Forbidden, Refused
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
        staffed and inspector.has_table("audit_event") and db.run(ctx.url, _trail_predates_field_digests, write=False)
    )
    if staffed:
        if "locked_at" in {c["name"] for c in inspector.get_columns("staff")}:
            audit_refusals(ctx, lambda: sign_in(ctx, "db.upgrade"))
        else:
            _check_admin_before_auth_schema(ctx)
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


def _check_admin_before_auth_schema(ctx: Context) -> None:
    """A database from before the PIN counter: check the admin's PIN against its stored hash."""
    from surrender.services.pins import verify_pin

    row = db.run(
        ctx.url,
        lambda s: s.execute(
            text("SELECT role, active, pin_hash FROM staff WHERE number = :n"), {"n": (ctx.staff or "").strip()}
        ).first(),
        write=False,
    )
    if row is None or row.role != "admin" or not row.active:
        raise Forbidden("db upgrade needs an active admin: name one with --staff NUMBER")
    if not (ctx.pin or ctx.pin_prompt):
        raise Forbidden(f"db upgrade needs {ctx.staff}'s PIN: enter it on a terminal or set SURRENDER_PIN")
    if not ctx.pin and ctx.pin_prompt is not None:
        ctx.pin = ctx.pin_prompt(f"PIN for staff {ctx.staff}")
    if not verify_pin(ctx.pin or "", row.pin_hash):
        raise Forbidden(f"wrong PIN for staff member {ctx.staff}")
