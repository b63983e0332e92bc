"""Schema upgrades: anyone may create a new database; once staff exist, only an admin."""

from __future__ import annotations

from sqlalchemy import inspect, text

from surrender import db
from surrender.errors import Forbidden
from surrender.services.auth import audit_refusals, sign_in
from surrender.services.context import Context
from surrender.store.staff import staff_count


def upgrade_schema(ctx: Context, revision: str = "head") -> tuple[str | None, str | None]:
    from surrender.migrate import upgrade

    engine = db.get_engine(ctx.url)
    inspector = inspect(engine)
    if inspector.has_table("staff") and db.run(ctx.url, staff_count, write=False):
        if "locked_at" in {c["name"] for c in inspector.get_columns("staff")}:
            audit_refusals(ctx, lambda: sign_in(ctx, "db.upgrade"))
        else:
            _check_admin_before_auth_schema(ctx)
    return upgrade(ctx.url, revision)


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
