"""`db backup --force CODE --out FILE` on PostgreSQL: one force's data alone, as a SQLite file.

Each force is its own data controller, so a pg_dump of the shared database (every force's
claimants) is no backup to hand one force. Instead the force's rows are read in one
REPEATABLE READ snapshot (every force-owned table filtered by `force_code`, the force's own
`force` row, and the shared campaign and modulus tables), into a new owner-only SQLite file
migrated to the same revision: `surrender --db FILE` reads it like any one-force database (and
`db upgrade` carries it forward). The migrations' seed rows (Cambridgeshire, TW, PK) are deleted
first and the file is VACUUMed last, so no byte of another force remains. Tables that are not
force-owned (the audit trail while it is one chain for all forces, export staging) are left out.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, func, insert, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.expression import TableClause

from surrender import db, tables
from surrender.errors import Refused
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.backup import check_new_file
from surrender.services.context import Context
from surrender.services.force_roles import require_postgresql
from surrender.store.forces import find_force

SHARED = ("campaign", "modulus_table")  # no force's data: every force's copy needs them
CHUNK = 5000


@dataclass(frozen=True)
class ForceBackup:
    path: Path
    force: str
    rows: dict[str, int]  # table -> rows copied
    sha256: str


def _which_rows(table: TableClause, force: str) -> Any:
    """The SELECT of `force`'s rows of `table`, or None for a table no force backup holds."""
    if table.name == "force":
        return select(table).where(table.c.code == force)
    if "force_code" in table.c and table.name != "force_role":
        return select(table).where(table.c.force_code == force)
    if table.name in SHARED:
        return select(table)
    return None


def backup_force(ctx: Context, force: str, out: Path) -> ForceBackup:
    require_postgresql(ctx.url, "db backup --force")
    force = force.strip().upper()
    check_new_file(out)

    def authorised(conn: Connection, admin: Row[Any]) -> int:
        if find_force(conn, force) is None:
            raise Refused(f"no force {force} in this database")
        if admin.force_code is not None and admin.force_code != force:
            raise Refused(f"an admin backs up their own force ({admin.force_code}), not {force}")
        return int(admin.id)

    admin_id = perform(ctx, "db.backup", authorised, write=False)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Refused(f"--out {out} already exists: backups never overwrite a file") from None
    os.close(fd)
    try:
        rows = _copy(ctx.url, force, out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    digest = hashlib.sha256(out.read_bytes()).hexdigest()

    def record(conn: Connection) -> None:
        detail = {"file": out.name, "path": str(out.resolve()), "force": force, "sha256": digest, "rows": rows}
        audit.record(conn, ctx.now(), admin_id, "db.backed_up", "database", "backup", detail)

    db.run(ctx.url, record)
    return ForceBackup(out, force, rows, digest)


def _copy(url: str, force: str, out: Path) -> dict[str, int]:
    """Migrate an empty SQLite file, empty it of seed rows, fill it from one snapshot, VACUUM."""
    from surrender.migrate import upgrade

    target_url = f"sqlite:///{out}"
    upgrade(target_url)
    db.dispose(target_url)
    target = create_engine(target_url)  # plain: foreign keys unchecked while tables fill in any order
    source = db.get_engine(url).execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    copied: dict[str, int] = {}
    try:
        with source.connect() as read, target.begin() as write:
            for table in tables.ALL:
                write.execute(delete(table))
                query = _which_rows(table, force)
                if query is None:
                    continue
                copied[table.name] = 0
                result = read.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
                for chunk in result.mappings().partitions(CHUNK):
                    write.execute(insert(table), [dict(row) for row in chunk])
                    copied[table.name] += len(chunk)
            for name, count in copied.items():
                table = next(t for t in tables.ALL if t.name == name)
                if write.execute(select(func.count()).select_from(table)).scalar_one() != count:
                    raise Refused(f"the backup's {name} table does not hold the {count} rows read: not written")
        with target.connect().execution_options(isolation_level="AUTOCOMMIT") as tidy:
            tidy.exec_driver_sql("VACUUM")  # nothing deleted above lingers in free pages
    finally:
        target.dispose()
    os.chmod(out, 0o600)
    return copied
