"""`db backup`: a consistent copy of a SQLite database while other terminals keep writing.

SQLite's online backup API copies the pages under one read snapshot (WAL lets writers carry on
meanwhile); the copy is created owner-only before a byte is written. PostgreSQL has pg_dump.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Connection, Row, make_url

from surrender import db
from surrender.errors import Refused
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context


def pg_dump_hint(url: str) -> str:
    plain = make_url(db.normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        f"PostgreSQL is backed up with its own tool: pg_dump --format=custom --file surrender.dump '{plain}' "
        f"(restore: pg_restore --clean --if-exists --dbname '{plain}' surrender.dump); "
        "one force's data alone: surrender db backup --force CODE --out FILE"
    )


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(db.normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise Refused("an in-memory database cannot be backed up")
    return Path(parsed.database)


def check_new_file(out: Path) -> None:
    """A backup goes to a new file in an existing folder, never over anything."""
    if out.is_dir():
        raise Refused(f"--out {out} is a folder: name a new file, e.g. {out / 'surrender-backup.db'}")
    if out.exists() or out.is_symlink():
        raise Refused(f"--out {out} already exists: backups never overwrite a file")
    if not out.parent.is_dir():
        raise Refused(f"--out {out}: folder {out.parent} does not exist")


def backup(ctx: Context, out: Path) -> Path:
    """Copy the database to `out` (a new file, 0600), then audit who took it."""
    source = sqlite_path(ctx.url)
    if source is None:
        raise Refused(pg_dump_hint(ctx.url))
    check_new_file(out)

    def authorised(conn: Connection, admin: Row) -> int:
        return admin.id

    admin_id = perform(ctx, "db.backup", authorised, write=False)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Refused(f"--out {out} already exists: backups never overwrite a file") from None
    os.close(fd)
    try:
        with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
            src.execute(f"PRAGMA busy_timeout={db.BUSY_TIMEOUT_MS}")
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        src.close()
        dst.close()
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    os.chmod(out, 0o600)

    def record(conn: Connection) -> None:
        # the path too: purge lists the backups that still hold what it erased
        audit.record(
            conn,
            ctx.now(),
            admin_id,
            "db.backed_up",
            "database",
            "backup",
            {"file": out.name, "path": str(out.resolve())},
        )

    db.run(ctx.url, record)
    return out
