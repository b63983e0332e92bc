"""Engines from a URL, and one transaction per use case with bounded retry on a busy database.

SQLite gets WAL, a busy timeout and write transactions begun IMMEDIATE (so two terminals
never both read a counter then collide on the upgrade to a write lock). Its file holds bank
details and PIN hashes, so it is created owner-only (0600) before SQLite first opens it;
SQLite gives the -wal and -shm files the database file's permissions. PostgreSQL needs
nothing special here: the services lock the rows they bump.
"""

from __future__ import annotations

import os
import random
import re
import time
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from surrender.errors import Refused

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.pool import ConnectionPoolEntry
    from sqlalchemy.sql.expression import Insert, TableClause

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000
RETRIES = 5


SUPPORTED_URLS = "a SQLite file path (surrender.db), sqlite:///path/to/surrender.db, or postgresql://user@host/dbname"


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here; a bare path means a SQLite file. Anything else
    (another database, a garbled URL) is refused naming the forms that work."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if "://" not in url:
        if not url.strip():
            raise Refused(f"no database given; use {SUPPORTED_URLS}")
        return f"sqlite:///{url}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        url = "postgresql+psycopg://" + rest
    elif scheme not in ("sqlite", "postgresql+psycopg"):
        shown = scheme if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", scheme) else "..."
        raise Refused(f"unsupported database URL {shown}://...; use {SUPPORTED_URLS}")
    try:
        _ = make_url(url).port  # a port that is not a number fails only here
    except (ArgumentError, ValueError):
        raise Refused(f"the database URL {scheme}://... cannot be read; use {SUPPORTED_URLS}") from None
    return url


def sqlite_path(url: str) -> str | None:
    """The SQLite database file a URL names (None for PostgreSQL or an in-memory database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def require_existing_file(url: str) -> None:
    """Refuse to work on a SQLite file that is not there (a command run from the wrong folder)
    instead of creating an empty one beside the real one; only `db upgrade` creates a file."""
    path = sqlite_path(url)
    if path is None or path.startswith("file:") or os.path.exists(path):
        return
    raise Refused(
        f"no database at {os.path.abspath(path)}: point at yours with --db PATH or "
        "SURRENDER_DATABASE_URL, or create a new one there with `surrender db upgrade`"
    )


_made: weakref.WeakSet[Engine] = weakref.WeakSet()  # every live engine, for close_all


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _made.add(engine)
    return engine


def dispose(url: str) -> None:
    """Close pooled connections to `url` (tests drop databases; long sessions switch them)."""
    get_engine(url).dispose()


def close_all() -> None:
    """Close every pooled connection, as a command ends: SQLite folds its write-ahead log back
    into the database file on the last close, so the file alone holds everything committed."""
    for engine in list(_made):
        engine.dispose()


def insert_if_absent(conn: Connection, table: TableClause, **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING in the session's own dialect (SQLite or PostgreSQL):
    two terminals creating the same row at once both succeed and one row results. True if
    this call inserted it (RETURNING one of its columns: psycopg reports no row count here).
    `table` is a clause from tables.py."""
    statement: Insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        statement = postgresql_insert(table).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    return conn.execute(statement.returning(table.c[next(iter(values))])).first() is not None


def make_private(path: str) -> None:
    """Create the database file owner-only if absent; tighten it (and -wal, -shm) if others can
    read it. A missing folder is left for SQLite to report."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        pass
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            st = os.stat(name)
            if st.st_mode & 0o077 and st.st_uid == os.getuid():
                os.chmod(name, 0o600)
        except OSError:
            continue


def _configure_sqlite(engine: Engine) -> None:
    path = engine.url.database
    if path not in (None, "", ":memory:") and not path.startswith("file:"):

        @event.listens_for(engine, "do_connect")
        def before_connect(
            _dialect: Dialect, _record: ConnectionPoolEntry, _cargs: list[Any], _cparams: dict[str, Any]
        ) -> None:
            make_private(path)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("surrender_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _is_busy(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(
        s in text for s in ("database is locked", "database is busy", "could not serialize", "deadlock detected")
    )


def _missing_schema(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _not_permitted(exc: DBAPIError) -> bool:
    """PostgreSQL refused the connected role (no grant, or a row outside its force: row security)."""
    return getattr(exc.orig, "sqlstate", None) == "42501"


def run(url: str, work: Callable[[Connection], T], write: bool = True) -> T:
    """Run `work` on a Connection in one transaction: committed if it returns, rolled back if
    it raises.

    A busy database (another terminal mid-write) is retried a few times with jitter; every
    attempt starts from a clean transaction, so a retry can never half-apply anything.
    """
    require_existing_file(url)
    engine = get_engine(url)
    bind = engine.execution_options(surrender_write=write)
    for attempt in range(RETRIES + 1):
        try:
            with bind.begin() as connection:
                return work(connection)
        except DBAPIError as exc:
            if _missing_schema(exc):
                raise Refused(
                    f"the database at {engine.url.render_as_string(hide_password=True)} "
                    "has no surrender tables yet: run `surrender db upgrade`"
                ) from None
            if _not_permitted(exc):
                who = engine.url.username or "this"
                reason = str(exc.orig).strip().splitlines()[0]
                raise Refused(f"the database refused role {who}: {reason}") from None
            if isinstance(exc, OperationalError) and _is_busy(exc) and attempt < RETRIES:
                time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
                continue
            if _is_busy(exc):
                raise Refused("the database stayed busy (another terminal is writing): try again") from None
            raise
    raise AssertionError("unreachable")
