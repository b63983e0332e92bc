"""`surrender force` and `surrender station` as typed, and signing in where a staff number is
in two forces: one-line refusals, every listing in each format."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from surrender import db
from surrender.cli import app
from tests.conftest import PINS, _pg_execute, _pg_url_for, copied_database, error_line


def run(url: str, *args: str, staff: str | None = "1", pin: str | None = None, force: str | None = None):
    env = {"SURRENDER_DATABASE_URL": url, "SURRENDER_STAFF": staff, "SURRENDER_PIN": pin or PINS.get(staff or ""),
           "SURRENDER_FORCE": force, "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None, "COLUMNS": "200"}
    return CliRunner().invoke(app, list(args), env=env)


def test_an_admin_adds_updates_lists_and_closes_a_station(db_url):
    added = run(db_url, "station", "add", "hu", "--name", "Huntingdon Police Station", "--town", "Huntingdon",
                "--hours", "Mon-Fri 08:00-18:00", "--contact", "101 [ask for property]")
    assert added.exit_code == 0, added.output
    assert "Added station HU Huntingdon Police Station (Cambridgeshire Constabulary)." in added.stdout
    updated = run(db_url, "station", "update", "HU", "--address", "Ferrars Road, Huntingdon PE29 3DQ")
    assert updated.exit_code == 0, updated.output
    closed = run(db_url, "station", "close", "TW")
    assert closed.exit_code == 0 and "it takes no new surrenders" in closed.stdout, closed.output
    listed = run(db_url, "station", "list", "--format", "json", staff="2001")
    rows = {row["code"]: row for row in json.loads(listed.stdout)}
    assert sorted(rows) == ["HU", "PK", "TW"]
    assert rows["HU"]["contact"] == "101 [ask for property]"  # as typed, no markup eaten
    assert rows["HU"]["address"] == "Ferrars Road, Huntingdon PE29 3DQ" and rows["HU"]["force"] == "CAMBS"
    assert rows["TW"]["closed"] is not None and rows["PK"]["closed"] is None
    csv_out = run(db_url, "station", "list", "--format", "csv", staff="2001").stdout
    assert csv_out.splitlines()[0] == "code,name,town,force,address,hours,contact,closed"
    assert "Huntingdon Police Station" in run(db_url, "station", "list", staff="2001").stdout
    logged = run(db_url, "log", "--anonymous", "--item", "zombie-knife:10in:plain:point:serrated=3in",
                 "--at", "2024-09-10 10:00", staff="2001")
    assert "station TW is closed" in error_line(logged)


@pytest.mark.parametrize(("args", "message"), [
    (("station", "add", "TW", "--name", "Again", "--town", "Peterborough"), "station code TW is taken"),
    (("station", "add", "T1", "--name", "Bad", "--town", "X"), "station code 'T1' must be two letters"),
    (("station", "close", "ZZ"), "no station 'ZZ' in force CAMBS"),
    (("station", "update", "TW"), "nothing to change"),
    (("force", "add", "CAMBS", "--name", "Again"), "force CAMBS exists already"),
])
def test_refusals_are_one_line(db_url, args, message):
    assert message in error_line(run(db_url, *args))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_second_force_on_sqlite_points_to_postgresql(db_url):
    line = error_line(run(db_url, "force", "add", "BEDS", "--name", "Bedfordshire Police"))
    assert "a SQLite database file holds one force" in line and "PostgreSQL" in line


def test_force_list_and_report_totals_by_force(db_url):
    forces = run(db_url, "force", "list", "--format", "json")
    assert json.loads(forces.stdout) == [{"code": "CAMBS", "name": "Cambridgeshire Constabulary", "stations": 2}]
    report = run(db_url, "report", "totals", "--by", "force", "--format", "csv", staff="5001")
    assert report.exit_code == 0, report.output
    assert report.stdout.splitlines()[0] == "force,surrenders,items,claims,claimed,payable"


def test_a_number_in_two_forces_signs_in_with_force(request, tmp_path):
    with copied_database("postgresql", request, tmp_path) as url:
        assert run(url, "force", "add", "BEDS", "--name", "Bedfordshire Police").exit_code == 0
        added = run(url, "staff", "add", "1", "--name", "Bea Admin", "--role", "admin", "--force", "BEDS",
                    "--pin", "700001", force="CAMBS")
        assert added.exit_code == 0, added.output
        line = error_line(run(url, "station", "list"))
        assert "staff number 1 is in more than one force (BEDS, CAMBS)" in line and "--force CODE" in line
        beds = run(url, "station", "add", "LU", "--name", "Luton Police Station", "--town", "Luton",
                   pin="700001", force="BEDS")
        assert beds.exit_code == 0, beds.output
        mine = run(url, "station", "list", "--format", "json", "--force", "beds", pin="700001")
        assert [row["code"] for row in json.loads(mine.stdout)] == ["LU"]
        theirs = run(url, "station", "list", "--format", "json", force="CAMBS")
        assert [row["code"] for row in json.loads(theirs.stdout)] == ["PK", "TW"]


@pytest.fixture
def empty_postgresql() -> Iterator[str]:
    """A new, empty PostgreSQL database (the demo migrates it and makes its own staff)."""
    name = f"surrender_demo_{uuid.uuid4().hex[:10]}"
    _pg_execute(f"CREATE DATABASE {name}")
    url = _pg_url_for(name)
    try:
        yield url
    finally:
        db.dispose(url)
        _pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_demo_with_two_forces_makes_bedfordshire_beside_cambridgeshire(empty_postgresql, tmp_path):
    url = empty_postgresql
    made = run(url, "demo", "--forces", "2", "--days", "1", "--dir", str(tmp_path / "demo"), staff=None)
    assert made.exit_code == 0, made.output
    assert "Bedfordshire Police (BEDS): stations LU and BD, 3 surrenders, its own export batch 1." in made.stdout
    batches = run(url, "claims", "batches", "--format", "json", staff="4410", pin="441124", force="BEDS")
    assert [(b["batch"], b["claims"]) for b in json.loads(batches.stdout)] == [(1, 3)]
    cambs = run(url, "station", "list", "--format", "json", staff="2041", pin="204124")
    assert [row["code"] for row in json.loads(cambs.stdout)] == ["PK", "TW"]
