"""`db backup`: a consistent copy of a SQLite database while other terminals keep writing.

`VACUUM INTO` writes the copy under one read snapshot (WAL lets writers carry on meanwhile) as
one self-contained rollback-journal file, without free pages (nothing deleted is carried into
the copy). The copy is staged like an export (surrender/staging.py): written owner-only under
a hidden staged name beside `--out`, synced, then linked into place, never over a file. A
backup killed part-way leaves nothing under the backup's name, so the name stays free; the
next backup into that folder removes the abandoned staged copy and says so. PostgreSQL has
pg_dump.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

from sqlalchemy.engine import Connection, Row, make_url

from surrender import db
from surrender.errors import Refused
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.staging import StagedFile, is_staged_name, remove_abandoned, staged_path

STAGED_KIND = "backup-"  # a backup's staged token starts so: a backup removes only abandoned backups


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
    if is_staged_name(out.name):
        raise Refused(f"--out {out} looks like a staged file's name; choose another name")


def backup(ctx: Context, out: Path) -> Path:
    """Copy the database to `out` (a new file, 0600, put in place whole), then audit who took it.
    `ctx.checkpoint` is called at "staged" (empty file made) and "copied" (filled, synced)."""
    source = sqlite_path(ctx.url)
    if source is None:
        raise Refused(pg_dump_hint(ctx.url))
    check_new_file(out)

    def authorised(conn: Connection, admin: Row) -> int:
        return admin.id

    admin_id = perform(ctx, "db.backup", authorised, write=False)
    remove_abandoned(out.parent, STAGED_KIND)  # staged copies of backups killed part-way
    staged = StagedFile(staged_path(out, f"{STAGED_KIND}{uuid.uuid4().hex}"))
    try:
        ctx.checkpoint("staged")
        with sqlite3.connect(source) as src:
            src.execute(f"PRAGMA busy_timeout={db.BUSY_TIMEOUT_MS}")
            src.execute("VACUUM INTO ?", (str(staged.path),))
        src.close()
        assert staged.fd is not None  # held open since it was made
        os.fsync(staged.fd)
        ctx.checkpoint("copied")
        try:
            staged.place(out)
        except FileExistsError:
            raise Refused(f"--out {out} appeared meanwhile: backups never overwrite a file") from None
    except BaseException:
        staged.discard()
        raise
    staged.close()

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
