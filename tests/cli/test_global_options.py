"""Global options (SPEC 5) are taken after the command as well as before it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS

KNIFE = "zombie-knife:10in:plain:point"


@pytest.fixture
def cli(db_url, tmp_path):
    runner = CliRunner()
    env = {"SURRENDER_DATABASE_URL": None, "SURRENDER_STAFF": None, "SURRENDER_STATION": None,
           "SURRENDER_CAMPAIGN": None, "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "COLUMNS": "200"}

    def invoke(*args, pin: str | None = None, **extra):
        return runner.invoke(app, list(args), env={**env, "SURRENDER_PIN": pin, **extra})
    invoke.url = db_url
    return invoke


def logged(cli) -> str:
    result = cli("log", "--anonymous", "--item", KNIFE, "--at", "2024-09-02 10:00", "--format", "json",
                 "--db", cli.url, "--staff", "2001", pin=PINS["2001"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["reference"]


def test_show_takes_staff_and_db_after_the_reference(cli):
    reference = logged(cli)
    result = cli("show", reference, "--staff", "2001", "--db", cli.url, "--format", "json", pin=PINS["2001"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reference"] == reference


def test_a_nested_command_takes_them_too(cli):
    logged(cli)
    result = cli("--db", cli.url, "claims", "list", "--staff", "4001", "--format", "json", pin=PINS["4001"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 0  # anonymous: no claim


def test_after_the_command_beats_before_it_and_the_environment(cli):
    reference = logged(cli)
    result = cli("--staff", "9999", "show", reference, "--staff", "2001", "--db", cli.url, "--format", "json",
                 pin=PINS["2001"], SURRENDER_STAFF="8888")
    assert result.exit_code == 0, result.output
    refused = cli("--staff", "2001", "show", reference, "--staff", "9999", "--db", cli.url, pin=PINS["2001"])
    assert refused.exit_code == 1 and "no staff member with number '9999'" in refused.stderr


def test_before_the_command_still_works_with_the_environment_beneath(cli):
    reference = logged(cli)
    result = cli("--staff", "2001", "show", reference, "--format", "json", pin=PINS["2001"],
                 SURRENDER_DATABASE_URL=cli.url)
    assert result.exit_code == 0, result.output


def test_station_after_log_chooses_where_it_is_logged(cli):
    result = cli("log", "--anonymous", "--item", KNIFE, "--at", "2024-09-02 10:00", "--format", "json",
                 "--db", cli.url, "--staff", "3001", "--station", "PK", pin=PINS["3001"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reference"].startswith("PK-")


def test_a_command_with_its_own_option_of_that_name_keeps_its_meaning(cli):
    help_text = cli("staff", "add", "--help").output
    assert "Their own station" in help_text and "Global: station code" not in help_text


@pytest.mark.parametrize("command", [["show"], ["log"], ["claims", "list"], ["staff", "unlock"], ["audit", "verify"],
                                     ["report", "totals"], ["db", "upgrade"]])
def test_every_command_lists_the_global_options_in_its_help(cli, command):
    help_text = cli(*command, "--help").output
    for option in ("--db", "--staff", "--campaign", "--receipts-dir"):
        assert option in help_text, (command, option)


@pytest.mark.parametrize("args", [("show", "TW-Z24-000017-7"), ("recent",), ("claims", "list"), ("audit", "verify")])
def test_a_command_run_where_there_is_no_database_says_where_it_looked_and_creates_nothing(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # another folder, as a person in the wrong directory would be
    result = CliRunner().invoke(app, list(args), env={"SURRENDER_DATABASE_URL": None, "SURRENDER_STAFF": "2001",
                                                      "SURRENDER_PIN": "123456"})
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert str(tmp_path / "surrender.db") in line and "--db" in line and "db upgrade" in line
    assert len(line.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
