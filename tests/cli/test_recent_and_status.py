"""`surrender recent`, `surrender status`, `--version` and shell completion."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
from importlib.metadata import version

import pytest
from conftest import PINS
from pty_helpers import installed_surrender
from typer.testing import CliRunner

from surrender.cli import app
from surrender.cli.status import status_fields
from surrender.rules.items import item_from_spec
from surrender.services.status import TodayCounts, shown_url, system_status
from surrender.services.surrenders import LogRequest, log_surrender

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
CLAIMANT = ["--name", "Jane Smith", "--address", "1 High Street, Cambridge", "--postcode", "CB1 1JG", "--declare"]


@pytest.fixture
def cli(db_url, tmp_path):
    runner = CliRunner()
    env = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": "2001", "SURRENDER_STATION": None,
           "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_PIN": PINS["2001"], "SURRENDER_PRINTER": None}

    def invoke(*args, **extra_env):
        return runner.invoke(app, list(args), env={**env, **extra_env}, catch_exceptions=False)
    return invoke


def logged(cli, *args, **env) -> str:
    result = cli("log", *args, "--format", "json", **env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["reference"]


def test_recent_lists_the_days_surrenders_at_this_station_with_void_marked(cli):
    first = logged(cli, "--at", "2024-09-02 10:00", *CLAIMANT, "--item", KNIFE, "--item", KNIFE, "--item", KNIFE)
    second = logged(cli, "--at", "2024-09-02 11:30", "--anonymous", "--item", KNIFE)
    logged(cli, "--at", "2024-09-03 09:00", "--anonymous", "--item", KNIFE)  # another day
    logged(cli, "--at", "2024-09-02 10:15", "--anonymous", "--item", KNIFE, SURRENDER_STAFF="3001",
           SURRENDER_PIN=PINS["3001"])  # Parkside
    voided = cli("void", second, "--reason", "logged twice", SURRENDER_STAFF="5001", SURRENDER_PIN=PINS["5001"])
    assert voided.exit_code == 0, voided.output
    result = cli("recent", "--date", "2024-09-02", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["reference"], r["time"], r["items"], r["kinds"], r["claim"], r["payable"], r["void"]) for r in rows] == [
        (first, "10:00", 3, "3 zombie-knife", "pending", "30.00", False),
        (second, "11:30", 1, "1 zombie-knife", "anonymous", None, True)]
    table = cli("recent", "--date", "2024-09-02").stdout
    assert first in table and "VOID" in table and "TW" in table
    rows = list(csv.DictReader(io.StringIO(cli("recent", "--date", "2024-09-02", "--format", "csv").stdout)))
    assert [r["void"] for r in rows] == ["", "VOID"]


def test_recent_without_a_date_finds_what_was_recorded_today_from_paper_forms(cli):
    reference = logged(cli, "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE)  # recorded now
    rows = json.loads(cli("recent", "--format", "json").stdout)
    assert [r["reference"] for r in rows] == [reference]
    assert rows[0]["time"] == "10:00 02 Sep"  # handed in on another day


def test_recent_is_for_desk_and_managers_only(cli):
    result = cli("recent", SURRENDER_STAFF="4001", SURRENDER_PIN=PINS["4001"])
    assert result.exit_code == 1 and "recent needs the desk or manager role" in result.stderr


def test_recent_refuses_a_date_that_is_not_one(cli):
    result = cli("recent", "--date", "02/09/2024")
    assert result.exit_code == 1 and "not a date like 2024-09-02" in result.stderr


def test_status_shows_staff_station_schema_and_the_campaign_window(cli, tmp_path):
    result = cli("status", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["staff"] == "2001 Sam Patel (desk)" and found["station"].startswith("TW ")
    assert found["schema"].endswith("(up to date)")
    assert found["receipts"].endswith("(does not exist yet; will be created)")
    assert found["window"].startswith("closed ")  # the real clock is long after zombie-2024
    assert found["today"]["surrenders"] == 0
    unknown = json.loads(cli("status", "--format", "json", SURRENDER_STAFF="9999").stdout)
    assert unknown["staff"] == "9999: no such staff member"


def test_status_counts_todays_surrenders_at_the_station_while_the_window_is_open(ctx):
    log_surrender(ctx, LogRequest(items=[item_from_spec(KNIFE)] * 3, anonymous=True))
    found = system_status(ctx)
    assert status_fields(found)["window"].startswith("open (26 Aug 2024 to 23 Sep 2024")
    assert found.today == TodayCounts(dt.date(2024, 9, 10), surrenders=1, items=3, void=0, claims=0)
    assert status_fields(found)["today"] == {"date": "2024-09-10", "surrenders": 1, "items": 3, "void": 0,
                                             "claims": 0}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_status_on_a_missing_database_says_so_and_creates_nothing(cli, tmp_path):
    missing = tmp_path / "nowhere" / "surrender.db"
    result = cli("status", SURRENDER_DATABASE_URL=f"sqlite:///{missing}", SURRENDER_STAFF=None)
    assert result.exit_code == 0, result.output
    assert f"no database at {missing}: create it with `surrender db upgrade`" in result.stdout
    assert "none given" in result.stdout and not missing.parent.exists()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_status_on_an_unreachable_server_hides_the_password(cli):
    url = "postgresql://desk:s3cret@127.0.0.1:9/surrender"
    result = cli("status", "--format", "json", SURRENDER_DATABASE_URL=url)
    assert result.exit_code == 0 and "s3cret" not in result.stdout
    found = json.loads(result.stdout)
    assert found["database"] == "postgresql+psycopg://desk:***@127.0.0.1:9/surrender"
    assert found["schema"].startswith("cannot connect:")
    assert shown_url("postgresql://a:b@h/d") == "postgresql+psycopg://a:***@h/d"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_version_comes_from_the_installed_package(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"surrender {version('surrender')}"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_shell_completion_installs_for_bash_and_completes_commands(tmp_path, backend):
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    done = subprocess.run([installed_surrender(), "--install-completion", "bash"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".bash_completions" / "surrender.sh").exists()
    assert "surrender.sh" in (tmp_path / ".bashrc").read_text()
    words = subprocess.run([installed_surrender()], env={**env, "_SURRENDER_COMPLETE": "complete_bash",
                                                      "COMP_WORDS": "surrender re", "COMP_CWORD": "1"},
                           capture_output=True, text=True, timeout=60).stdout.split()
    assert {"recent", "receipt", "report"} <= set(words)
