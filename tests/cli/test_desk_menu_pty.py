"""The `surrender desk` menu at a real terminal: show, reprint and recent between surrenders,
a mistyped command and a cancelled surrender leave the session open."""

from __future__ import annotations

import json

import pytest
from pty_helpers import finish, interrupt_when_reading, spawn_surrender
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
MENU = "recent · quit"


@pytest.fixture
def env(db_url, tmp_path):
    return {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": "2001", "SURRENDER_STATION": "TW",
            "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_PIN": ""}


def test_show_reprint_and_recent_from_the_desk_prompt(env, tmp_path):
    logged = CliRunner().invoke(app, ["log", "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE,
                                      "--format", "json"], env={**env, "SURRENDER_PIN": PINS["2001"]},
                                catch_exceptions=False)
    reference = json.loads(logged.stdout)["reference"]
    child = spawn_surrender("desk", env=env, pin=PINS["2001"])
    child.expect(MENU)
    child.sendline("recent")  # logged today from a paper form: found again
    child.expect(reference)
    child.expect("anonymous")
    child.expect(MENU)
    child.sendline(f"show {reference.lower()}")
    child.expect("Anonymous surrender")
    child.expect(MENU)
    child.sendline(f"reprint {reference}")
    child.expect(f"Reprinted {reference}")
    child.expect(MENU)
    child.sendline("void " + reference)
    child.expect("'void' is not a desk command")
    child.sendline("show TW-Z24-000999-X")
    child.expect("Refused:")
    child.expect(MENU)
    child.sendline("quit")
    rest, status = finish(child)
    assert status == 0 and "Session ended: 0 surrender(s) logged." in rest
    assert (tmp_path / "receipts" / f"{reference}-reprint.pdf").exists()


def test_ctrl_c_in_a_new_surrender_cancels_it_and_the_session_goes_on(env):
    child = spawn_surrender("desk", env=env, pin=PINS["2001"])
    child.expect(MENU)
    child.sendline("")  # Enter: a new surrender
    child.expect("Handed in at")
    interrupt_when_reading(child)
    child.expect("nothing saved")
    child.expect(MENU)
    child.sendeof()
    rest, status = finish(child)
    assert status == 0 and "Session ended: 0 surrender(s) logged." in rest


def test_ctrl_c_at_the_menu_has_nothing_to_cancel_and_the_session_stays_open(env):
    child = spawn_surrender("desk", env=env, pin=PINS["2001"])
    child.expect(MENU)
    interrupt_when_reading(child)
    child.expect("nothing to cancel here")
    child.expect(MENU)
    child.sendline("quit")
    rest, status = finish(child)
    assert status == 0 and "Session ended: 0 surrender(s) logged." in rest


def test_the_desk_takes_times_the_british_way_and_asks_for_the_time_when_only_a_date_is_typed(env):
    child = spawn_surrender("desk", env=env, pin=PINS["2001"])
    child.expect(MENU)
    child.sendline("")  # Enter: a new surrender
    child.expect("Handed in at")
    child.sendline("next tuesday")  # unreadable: asked again in place, the desk does not go back to its menu
    child.expect("is not a date and time")
    child.expect("Handed in at")
    child.sendline("2/9/2024")  # a date alone is never midnight: the time is asked for
    child.expect(r"Time on 2/9/2024")
    child.sendline("2:30pm")
    child.expect("Claimant name")
    child.sendline("")
    child.expect("Item 1")
    child.sendline("10in serrated=3in")
    child.expect("Item 2")
    child.sendline("")
    child.expect(r"Save\?")
    child.sendline("")
    child.expect(MENU)
    child.sendline("quit")
    rest, status = finish(child)
    assert status == 0 and "Session ended: 1 surrender(s) logged." in rest
    shown = CliRunner().invoke(app, ["recent", "--date", "2024-09-02", "--format", "json"],
                               env={**env, "SURRENDER_PIN": PINS["2001"]}, catch_exceptions=False)
    assert [row["surrendered_at"] for row in json.loads(shown.stdout)] == ["2024-09-02T14:30:00+01:00"]


def test_void_at_a_terminal_shows_what_it_voids_and_asks_and_the_voided_claim_says_so(env):
    logged = CliRunner().invoke(app, ["log", "--at", "2024-09-02 10:00", "--name", "Jane Smith", "--address",
                                      "1 High St", "--postcode", "CB1 1JG", "--declare", "--item", f"{KNIFE}:qty=3",
                                      "--format", "json"], env={**env, "SURRENDER_PIN": PINS["2001"]},
                                catch_exceptions=False)
    reference = json.loads(logged.stdout)["reference"]
    manager = {**env, "SURRENDER_STAFF": "5001"}
    child = spawn_surrender("void", reference, "--reason", "logged twice", env=manager, pin=PINS["5001"])
    child.expect("To void")
    child.expect(reference)
    child.expect(r"for good .*\[y/N\]")
    child.sendline("")  # Enter keeps it
    rest, status = finish(child)
    assert status == 1 and "Nothing voided." in rest
    child = spawn_surrender("void", reference, "--reason", "logged twice", env=manager, pin=PINS["5001"])
    child.expect(r"for good .*\[y/N\]")
    child.sendline("y")
    rest, status = finish(child)
    assert status == 0 and f"{reference} is now VOID: logged twice" in rest
    shown = CliRunner().invoke(app, ["show", reference], env={**manager, "SURRENDER_PIN": PINS["5001"],
                                                               "COLUMNS": "120"}, catch_exceptions=False)
    assert "Claim: void (pays nothing) · claimed £30.00 · payable £0.00" in shown.stdout
