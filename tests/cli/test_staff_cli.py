"""`surrender staff` through the CLI as a script drives it (no terminal): PINs from
--new-pin / SURRENDER_NEW_PIN, the acting PIN from SURRENDER_PIN; one line per refusal."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from surrender import db

from surrender.cli import app
from tests.conftest import NOW, PINS


@pytest.fixture
def cli(db_url, tmp_path):
    runner = CliRunner()

    def invoke(staff: str, *args: str, pin: str | None = None, **env):
        settings = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": staff, "SURRENDER_STATION": None,
                    "SURRENDER_NEW_PIN": None, "SURRENDER_PIN": pin or PINS.get(staff), "COLUMNS": "200", **env}
        return runner.invoke(app, list(args), env=settings)
    return invoke


def staff_rows(cli) -> dict[str, dict]:
    result = cli("1", "staff", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["number"]: row for row in json.loads(result.stdout)}


def test_an_admin_adds_a_member_with_a_pin_and_stations(cli):
    result = cli("1", "staff", "add", "7001", "--name", "Pat New", "--role", "desk", "--station", "TW",
                 "--stations", "TW,PK", SURRENDER_NEW_PIN="700107")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Added 7001 Pat New (desk, TW,PK)"
    assert staff_rows(cli)["7001"] == {**staff_rows(cli)["7001"], "stations": "TW,PK", "pin": True, "locked": False}
    assert cli("7001", "staff", "set-pin", "--new-pin", "777777", pin="700107").exit_code == 0


def test_adding_without_a_pin_is_refused_in_one_line(cli):
    result = cli("1", "staff", "add", "7001", "--name", "Pat New", "--role", "desk")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: 7001 needs a PIN: give it at the prompt, with --pin or SURRENDER_NEW_PIN"


def test_a_member_sets_their_own_pin_and_the_old_one_stops_working(cli):
    assert cli("2001", "staff", "set-pin", SURRENDER_NEW_PIN="222222").stdout.strip() == "New PIN set for 2001."
    assert "wrong PIN" in cli("2001", "show", "TW-Z24-000001-X").stderr
    assert "wrong PIN" not in cli("2001", "show", "TW-Z24-000001-X", pin="222222").stderr


def test_a_desk_officer_cannot_set_anyone_elses_pin(cli):
    result = cli("2001", "staff", "set-pin", "3001", "--new-pin", "333333")
    assert result.exit_code == 1 and "staff needs the admin role; 2001 is desk" in result.stderr


def test_unlock_deactivate_and_update_print_one_line_each(cli, db_url):
    db.run(db_url, lambda s: s.execute(text("UPDATE staff SET locked_at = :at, failed_pins = 10 WHERE number = '3001'"),
                                       {"at": NOW}))
    assert staff_rows(cli)["3001"]["locked"] is True
    assert cli("1", "staff", "unlock", "3001").stdout.strip() == "Unlocked 3001."
    assert cli("1", "staff", "update", "3001", "--stations", "PK,TW").stdout.strip() == \
        "Updated 3001 Jo Green: desk, stations PK,TW."
    assert cli("1", "staff", "deactivate", "3001").stdout.strip() == "Deactivated 3001 Jo Green."
    rows = staff_rows(cli)
    assert rows["3001"]["active"] is False and rows["3001"]["locked"] is False
    refused = cli("1", "staff", "deactivate", "1")
    assert refused.exit_code == 1 and refused.stderr.strip() == \
        "Error: 1 is the last active admin: add another admin first"


def test_the_database_owner_recovers_a_locked_admin_with_one_line(cli, db_url):
    db.run(db_url, lambda s: s.execute(text("UPDATE staff SET locked_at = :at, failed_pins = 10 WHERE number = '1'"),
                                       {"at": NOW}))
    result = cli("", "staff", "recover", "1", "--new-pin", "808080")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Recovered 1: unlocked, with the new PIN."
    listed = cli("1", "staff", "list", "--format", "json", pin="808080")  # the admin is back in, new PIN
    assert listed.exit_code == 0 and {r["number"]: r for r in json.loads(listed.stdout)}["1"]["locked"] is False
    refused = cli("", "staff", "recover", "2001", "--new-pin", "808080")
    assert refused.exit_code == 1 and refused.stderr.strip() == (
        "Error: staff member 2001 is not an active admin: recover is for admins; "
        "an admin unlocks anyone else with `surrender staff unlock 2001`")


@pytest.mark.parametrize("command", ["add", "list", "set-pin", "unlock", "deactivate", "update", "recover"])
def test_every_staff_command_has_help_with_an_example(cli, command):
    result = cli("1", "staff", command, "--help")
    assert result.exit_code == 0 and "Example" in result.output


@pytest.mark.parametrize("command", [("add", "7001", "--role", "desk", "--station", "TW"), ("update", "2001")])
def test_a_staff_name_of_100000_characters_is_refused_with_the_limit_and_nothing_changes(cli, command):
    before = staff_rows(cli)
    result = cli("1", "staff", *command, "--name", "N" * 100_000, SURRENDER_NEW_PIN="700107")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: the staff name is 100,000 characters long; the most is 120: shorten it"
    assert staff_rows(cli) == before


@pytest.mark.parametrize("pin", ["７００１０７", "٧٠٠١٠٧", "७००१०७"])  # fullwidth, Arabic-Indic, Devanagari
def test_a_pin_of_digits_no_desk_keypad_types_is_refused(cli, pin):
    before = staff_rows(cli)
    result = cli("1", "staff", "add", "7001", "--name", "Pat New", "--role", "desk", SURRENDER_NEW_PIN=pin)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: a PIN is 6 to 12 digits 0-9"
    assert staff_rows(cli) == before
