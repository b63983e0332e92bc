"""Bulk surrenders by appointment through the CLI (issue 17 point 5): `booking add`/`list`, and
`log` matching a surrender at or over the threshold (5 for the presets) to the day's booking."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS, error_line

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
DAY = "2024-09-10"  # the tests' NOW


@pytest.fixture
def cli(db_url, tmp_path):
    runner = CliRunner()

    def invoke(staff: str, *args: str):
        env = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"),
               "SURRENDER_STAFF": None, "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None,
               "SURRENDER_PIN": PINS[staff], "COLUMNS": "200"}
        return runner.invoke(app, ["--staff", staff, *args], env=env)
    return invoke


def log(cli, qty, name="Pat Lee", business=None, station="TW", staff="2001"):
    extra = ["--business", business] if business else []
    result = cli(staff, "--station", station, "log", "--at", f"{DAY} 11:00", "--name", name, *extra,
                 "--address", "1 High Street", "--postcode", "PE1 1AA", "--declare",
                 "--item", f"{KNIFE}:qty={qty}", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_booked_bulk_surrender_is_matched_and_the_desk_sees_expected_against_received(cli):
    added = cli("2001", "booking", "add", "--name", "Pat Lee", "--business", "Lee Knives Ltd", "--expected", "6",
                "--on", DAY, "--station", "TW")
    assert added.exit_code == 0, added.output
    assert "Booked #1: Pat Lee (Lee Knives Ltd), 6 items, TW on Tue 10 Sep 2024" in added.stdout
    shown = log(cli, 7, name="P. Lee", business="LEE KNIVES, LTD.")  # the business matches, folded
    assert shown["booking"] == {"threshold": 5, "received": 7, "expected": 6, "booked_as": "Lee Knives Ltd"}
    rows = json.loads(cli("5001", "booking", "list", "--on", DAY, "--format", "json").stdout)
    assert [(r["name"], r["expected"], r["received"], r["reference"]) for r in rows] == [
        ("Pat Lee", 6, 7, shown["reference"])]
    table = cli("2001", "show", shown["reference"])
    assert "Booking: Lee Knives Ltd · expected 6 · received 7 (more than booked)" in table.stdout


def test_a_bulk_surrender_with_no_booking_is_logged_and_the_desk_told(cli):
    cli("2001", "booking", "add", "--name", "Someone Else", "--expected", "9", "--on", DAY)
    shown = log(cli, 5)
    assert shown["booking"] == {"threshold": 5, "received": 5, "expected": None, "booked_as": None}
    assert shown["claim"]["status"] == "pending"
    table = cli("2001", "show", shown["reference"])
    assert "No booking that day at this station for 5 items (5 or more should book through 101)" in table.stdout


def test_under_the_threshold_no_booking_is_looked_for(cli):
    cli("2001", "booking", "add", "--name", "Pat Lee", "--expected", "4", "--on", DAY)
    assert log(cli, 4)["booking"] is None
    assert json.loads(cli("2001", "booking", "list", "--format", "json").stdout)[0]["received"] is None


def test_a_booking_at_another_station_is_not_matched(cli):
    assert cli("3001", "booking", "add", "--name", "Pat Lee", "--expected", "6", "--on", DAY).exit_code == 0
    assert log(cli, 6)["booking"]["expected"] is None


def test_booking_list_speaks_csv_and_keeps_to_the_readers_stations(cli):
    cli("2001", "booking", "add", "--name", "Pat Lee", "--expected", "6", "--on", DAY)
    cli("3001", "booking", "add", "--name", "Jo Bloggs", "--business", "[b]Bold[/b] Ltd", "--expected", "12",
        "--on", "2024-09-11")
    desk_tw = list(csv.DictReader(io.StringIO(cli("2001", "booking", "list", "--format", "csv").stdout)))
    assert [r["name"] for r in desk_tw] == ["Pat Lee"]
    table = cli("3001", "booking", "list")
    assert "[b]Bold[/b] Ltd" in table.stdout  # typed text shown literally
    assert "Pat Lee" not in table.stdout


@pytest.mark.parametrize(("staff", "args", "message"), [
    ("4001", ["--name", "A", "--expected", "6", "--on", DAY, "--station", "TW"], "booking add needs the desk or manager role; 4001 is finance"),
    ("2001", ["--name", "A", "--expected", "6", "--on", DAY, "--station", "PK"], "may book only at TW, not at PK"),
    ("2001", ["--name", "A", "--expected", "0", "--on", DAY], "--expected must be a whole number of items from 1"),
    ("2001", ["--name", "A", "--expected", "6", "--on", "2024-09-31"], "--on must be a date like"),
    ("2001", ["--name", "  ", "--expected", "6", "--on", DAY], "a booking needs the --name"),
])
def test_a_booking_refused_is_one_line_and_nothing_is_booked(cli, staff, args, message):
    line = error_line(cli(staff, "booking", "add", *args))
    assert message in line
    assert json.loads(cli("5001", "booking", "list", "--format", "json").stdout) == []
