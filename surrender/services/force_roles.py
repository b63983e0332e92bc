"""`db force-role FORCE DBROLE`: let a PostgreSQL role work for one force, and only that force.

Row-level security (migration 0013) already keeps every role to the rows of the force
`force_role` maps it to; this use case writes that mapping and grants the role what the tool
needs, so `--db postgresql://beds_app@host/surrender --staff N` works with no other credential
and `psql` as beds_app shows Bedfordshire's rows alone. `national` maps a role to the figures by
force (the `force_totals` view) and nothing else. Run by the force's admin, connected as the
database owner (only the owner may grant); on SQLite one file is one force, so it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row, make_url

from surrender import db
from surrender.errors import NotFound, Refused
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import row_security
from surrender.store.forces import find_force

ONE_FILE_ONE_FORCE = (
    "a SQLite file is one force's database (its file permissions keep others out); "
    "to host several forces on one database use PostgreSQL"
)


@dataclass(frozen=True)
class ForceRoleMapped:
    role: str
    force: str | None  # None: the national figures
    newly: bool  # False: the mapping was there; the grants were renewed
    tables: list[str]  # what the role was granted (the national role: the one view)


def require_postgresql(url: str, command: str) -> None:
    if make_url(db.normalise_url(url)).get_backend_name() != "postgresql":
        raise Refused(f"{command} is for PostgreSQL: {ONE_FILE_ONE_FORCE}")


def map_force_role(ctx: Context, force: str, role: str) -> ForceRoleMapped:
    require_postgresql(ctx.url, "db force-role")
    wanted = None if force.strip().lower() == row_security.NATIONAL else force.strip().upper()
    role = role.strip()
    if not role:
        raise Refused("name the database role, e.g. `surrender db force-role BEDS beds_app`")

    def work(conn: Connection, admin: Row[Any]) -> ForceRoleMapped:
        if wanted is not None:
            if find_force(conn, wanted) is None:
                raise NotFound(f"no force {wanted}: add it first with `surrender force add {wanted} --name NAME`")
            if admin.force_code is not None and admin.force_code != wanted:
                raise Refused(f"an admin maps roles to their own force ({admin.force_code}), not to {wanted}")
        if not row_security.connected_as_owner(conn):
            raise Refused(
                "db force-role grants on the tables, so it needs the database owner's connection "
                "(the role that runs `db upgrade`), not a force's role"
            )
        facts = row_security.role_facts(conn, role)
        if facts is None:
            raise NotFound(
                f"no database role {role!r}: a database administrator creates it first, e.g. "
                f"CREATE ROLE {role} LOGIN PASSWORD '...'"
            )
        if facts.bypasses_rows or facts.name == row_security.owner_role(conn):
            raise Refused(f"role {role} is a superuser, bypasses row security or owns the tables: it sees every force")
        mapped, current = row_security.mapped_force(conn, role)
        if mapped and current != wanted:
            raise Refused(f"role {role} works for {current or row_security.NATIONAL} already: one role, one force")
        newly = row_security.map_role(conn, role, wanted)
        if wanted is None:
            row_security.grant_national_view(conn, role)
            granted = [row_security.FORCE_TOTALS]
        else:
            granted = row_security.grant_force_tables(conn, role)
        audit.record(
            conn,
            ctx.now(),
            admin.id,
            "db.force_role",
            "database",
            role,
            {"role": role, "force": wanted or row_security.NATIONAL, "new": newly},
        )
        return ForceRoleMapped(role, wanted, newly, granted)

    return perform(ctx, "db.force_role", work)
