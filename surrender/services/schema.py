"""Schema upgrades: anyone may create a new database; once staff exist, only an admin."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from surrender import db
from surrender.services.auth import audit_refusals, authorize, staff_count
from surrender.services.context import Context


def upgrade_schema(ctx: Context, revision: str = "head") -> tuple[str | None, str | None]:
    from surrender.migrate import upgrade

    engine = db.get_engine(ctx.url)
    if inspect(engine).has_table("staff"):
        def check(session: Session) -> None:
            if staff_count(session):
                authorize(session, ctx, "db.upgrade")
        audit_refusals(ctx, lambda: db.run(ctx.url, check, write=False))
    return upgrade(ctx.url, revision)
