"""Fixtures: a migrated database per test on SQLite and, when configured, PostgreSQL.

Each backend is migrated and seeded with staff once per worker into a template; every test
gets its own copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL).
PostgreSQL tests read SURRENDER_TEST_POSTGRES_URL (a server URL whose database we may
create databases from); without it they skip, except under CI=true where that is a failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest

from surrender.services.context import Context

PG_URL = os.environ.get("SURRENDER_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
LONDON = ZoneInfo("Europe/London")
# Inside the zombie-2024 window: a Tuesday afternoon at the counter.
NOW = dt.datetime(2024, 9, 10, 14, 0, tzinfo=LONDON)



def cheap_pin_hash(pin: str) -> str:
    """Test-only: a real argon2id hash at a tiny cost, made here and handed to the tool through
    Context.pin_hasher (the template's staff are seeded with it). argon2 verifies a hash with the
    parameters written inside it, so checking these PINs is cheap in a subprocess too; the
    installed tool has no switch for it."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(pin)

PINS = {"1": "100001", "2001": "200102", "3001": "300103", "4001": "400104", "5001": "500105"}
STAFF = [  # number, name, role, station
    ("1", "Alex Admin", "admin", None),
    ("2001", "Sam Patel", "desk", "TW"),
    ("3001", "Jo Green", "desk", "PK"),
    ("4001", "Fin Ance", "finance", None),
    ("5001", "Morgan Lee", "manager", "TW"),
]


def seed_staff(url: str) -> None:
    from surrender.services.staff import add_staff

    admin = Context(url=url, staff="1", pin=PINS["1"], now=lambda: NOW, pin_hasher=cheap_pin_hash)
    for number, name, role, station in STAFF:
        add_staff(admin, number, name, role, station, PINS[number])


def _pg_admin_url() -> str:
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but SURRENDER_TEST_POSTGRES_URL is not set: .ci/run must start PostgreSQL")
        pytest.skip("PostgreSQL not configured: set SURRENDER_TEST_POSTGRES_URL to run these tests")
    return PG_URL


def _pg_execute(sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(_pg_admin_url().replace("postgresql+psycopg", "postgresql"))
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


def _pg_url_for(name: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(_pg_admin_url())
    return url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from surrender import db
    from surrender.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    seed_staff(url)
    db.dispose(url)
    return path


@pytest.fixture(scope="session")
def pg_template():
    from surrender import db
    from surrender.migrate import upgrade

    _pg_admin_url()
    name = f"surrender_tpl_{uuid.uuid4().hex[:8]}"
    _pg_execute(f"CREATE DATABASE {name}")
    url = _pg_url_for(name)
    upgrade(url)
    seed_staff(url)
    db.dispose(url)
    yield name
    _pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@contextlib.contextmanager
def copied_database(backend: str, request, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the migrated, seeded template on `backend`; closed and dropped after."""
    from surrender import db

    if backend == "sqlite":
        path = tmp_path / f"surrender-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url, drop = f"sqlite:///{path}", None
    else:
        name = f"surrender_t_{uuid.uuid4().hex[:10]}"
        _pg_execute(f"CREATE DATABASE {name} TEMPLATE {request.getfixturevalue('pg_template')}")
        url, drop = _pg_url_for(name), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    try:
        yield url
    finally:
        db.dispose(url)
        if drop:
            _pg_execute(drop)


@pytest.fixture
def db_url(backend, request, tmp_path) -> Iterator[str]:
    """A migrated database with the staff in STAFF, fresh for this test."""
    with copied_database(backend, request, tmp_path) as url:
        yield url


@pytest.fixture
def clock():
    """A settable clock: `clock.now` is what services see as now."""
    class Clock:
        now = NOW

        def __call__(self) -> dt.datetime:
            return self.now

    return Clock()


@pytest.fixture
def ctx(db_url, tmp_path, clock) -> Context:
    """Acting as desk officer 2001 at Thorpe Wood (with their PIN), at NOW."""
    return Context(url=db_url, staff="2001", pin=PINS["2001"], station="TW", receipts_dir=tmp_path / "receipts",
                   now=clock, pin_hasher=cheap_pin_hash)


def as_staff(ctx: Context, number: str, **changes) -> Context:
    return replace(ctx, **{"staff": number, "pin": PINS.get(number), **changes})


def error_line(result, code: int = 1) -> str:
    """A refusal as printed by a CliRunner result: exit `code`, exactly one line on stderr
    starting 'Error:', nothing on stdout, no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def in_session(url: str, work, write: bool = True):
    """Test-only: run `work` with an ORM Session over the models in one transaction, for tests
    that read or plant whole records through the schema; the tool itself runs on Connections."""
    from sqlalchemy.orm import Session

    from surrender import db

    bind = db.get_engine(url).execution_options(surrender_write=write)
    with Session(bind, expire_on_commit=False) as session, session.begin():
        return work(session)
