"""PostgreSQL roles and what they may touch: which tables are force-owned (policed row by row by
migration 0013's policies), the `force_role` mapping those policies read, the grants a force's
role needs to run the tool, and the national role's one aggregate view."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from surrender import tables
from surrender.db import insert_if_absent
from surrender.store.reports import Period, totals_query
from surrender.store.scope import Scope

NATIONAL = "national"  # what `db force-role` calls the national figures' role
FORCE_TOTALS = "force_totals"  # the view the national role reads: figures by force, nothing personal
OWNED_PRIVILEGES = "SELECT, INSERT, UPDATE"
# Tables that are not force-owned (or need more or less than OWNED_PRIVILEGES), and what a
# force's role may do with them. A table in neither this nor the force-owned ones is not granted
# (`force_role`: read only through the policies' SECURITY DEFINER function).
PRIVILEGES = {
    "force": "SELECT",
    "campaign": "SELECT, INSERT, UPDATE",  # a campaign is registered on first use, locked to compare
    "modulus_table": "SELECT",
    "alembic_version": "SELECT",
    "audit_event": "SELECT, INSERT",  # appended to, never changed
    "audit_head": "SELECT, INSERT, UPDATE",
    "export_staging": "SELECT, INSERT, UPDATE, DELETE",  # staged export files, no personal data
    "staff_station": "SELECT, INSERT, UPDATE, DELETE",  # `staff update --stations` replaces them
    "status_miss": "SELECT, INSERT, UPDATE, DELETE",  # misses older than a day are dropped
    "pin_terminal": "SELECT, INSERT, UPDATE",  # wrong PINs per terminal: a desk may serve any force
}


@dataclass(frozen=True)
class RoleFacts:
    """A database role as the server knows it: may it log in, does it bypass row security."""

    name: str
    can_login: bool
    bypasses_rows: bool  # superuser or BYPASSRLS: it would see every force


def quote(conn: Connection, name: str) -> str:
    quoted: str = conn.dialect.identifier_preparer.quote(name)
    return quoted


def force_owned_tables(conn: Connection) -> list[str]:
    """Tables whose rows carry `force_code` (the ones the policies police)."""
    return list(
        conn.execute(
            text(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND column_name = 'force_code' AND table_name <> 'force_role' ORDER BY table_name"
            )
        ).scalars()
    )


def policed_tables(conn: Connection) -> dict[str, tuple[bool, list[str]]]:
    """Each table of the schema: (row security forced, its policies' names)."""
    rows = conn.execute(
        text(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity, "
            "COALESCE(array_agg(p.polname ORDER BY p.polname) FILTER (WHERE p.polname IS NOT NULL), '{}') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' GROUP BY c.relname, 2"
        )
    ).all()
    return {name: (bool(forced), list(policies)) for name, forced, policies in rows}


def role_facts(conn: Connection, role: str) -> RoleFacts | None:
    row = conn.execute(
        text("SELECT rolname, rolcanlogin, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).one_or_none()
    return None if row is None else RoleFacts(row[0], bool(row[1]), bool(row[2]))


def connected_as_owner(conn: Connection) -> bool:
    """The connection may grant on the tables: a superuser, or a member of the role owning them."""
    owns: bool = conn.execute(
        text(
            "SELECT rolsuper OR pg_has_role(current_user, (SELECT tableowner FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'surrender'), 'MEMBER') "
            "FROM pg_roles WHERE rolname = current_user"
        )
    ).scalar_one()
    return owns


def owner_role(conn: Connection) -> str:
    owner: str = conn.execute(
        text("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'surrender'")
    ).scalar_one()
    return owner


def mapped_force(conn: Connection, role: str) -> tuple[bool, str | None]:
    """(mapped at all, its force: None for the national role)."""
    row = conn.execute(
        select(tables.force_role.c.force_code).where(tables.force_role.c.role_name == role)
    ).one_or_none()
    return (False, None) if row is None else (True, row[0])


def map_role(conn: Connection, role: str, force: str | None) -> bool:
    """Record the mapping; False if it was there already."""
    return insert_if_absent(conn, tables.force_role, role_name=role, force_code=force)


def grant_force_tables(conn: Connection, role: str) -> list[str]:
    """What the tool needs as this role (the policies keep it to its force's rows); the tables granted."""
    who = quote(conn, role)
    conn.execute(text(f"GRANT USAGE ON SCHEMA {quote(conn, current_schema(conn))} TO {who}"))
    names = sorted(set(force_owned_tables(conn)) | set(PRIVILEGES) & set(all_tables(conn)))
    for name in names:
        conn.execute(text(f"GRANT {PRIVILEGES.get(name, OWNED_PRIVILEGES)} ON {quote(conn, name)} TO {who}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(conn, current_schema(conn))} TO {who}"))
    return names


def grant_national_view(conn: Connection, role: str) -> None:
    """(Re)make the force_totals view from `report totals --by force`'s own query and let `role`
    read it and nothing else. The view runs with its owner's rights (it sees every force)."""
    query = totals_query(Scope.everything(), Period(), ["force"], "postgresql")
    body = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    conn.execute(text(f"CREATE OR REPLACE VIEW {FORCE_TOTALS} AS {body}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {quote(conn, current_schema(conn))} TO {quote(conn, role)}"))
    conn.execute(text(f"GRANT SELECT ON {FORCE_TOTALS} TO {quote(conn, role)}"))


def current_schema(conn: Connection) -> str:
    schema: str = conn.execute(text("SELECT current_schema()")).scalar_one()
    return schema


def all_tables(conn: Connection) -> list[str]:
    return list(
        conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        ).scalars()
    )
