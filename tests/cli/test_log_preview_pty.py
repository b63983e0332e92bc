"""`log --item/--items` at a terminal: a preview, then "Save?"; no spends no reference.

Driven through a pseudo-terminal with the installed script, as an officer types it.
"""

from __future__ import annotations

import pytest
from pty_helpers import finish, interrupt_when_reading, spawn_surrender
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
AT = ["--at", "2024-09-02 10:00"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # one backend: the flow, not the SQL, is tested


@pytest.fixture
def env(db_url, tmp_path):
    return {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": "2001", "SURRENDER_STATION": "TW",
            "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_PIN": ""}


def log_from_a_script(env, *args):
    result = CliRunner().invoke(app, ["log", *args, "--format", "json"], env={**env, "SURRENDER_PIN": PINS["2001"]},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_an_ineligible_item_is_shown_as_not_eligible_and_declining_spends_no_reference(env, tmp_path):
    child = spawn_surrender("log", *AT, "--anonymous", "--item", "zombie-knife:10", env=env, pin=PINS["2001"])
    child.expect("Preview: nothing saved yet")
    child.expect("Not eligible:")
    child.expect(r"Save\? Enter saves; n saves nothing \[Y/n\]")  # one save default, said in the prompt
    child.sendline("n")
    rest, status = finish(child)
    assert status == 0 and "Nothing saved." in rest
    assert not (tmp_path / "receipts").exists()
    saved = log_from_a_script(env, *AT, "--anonymous", "--item", KNIFE)
    assert '"reference": "TW-Z24-000001-' in saved.stdout  # the declined preview took no number


def test_enter_at_the_preview_of_eligible_items_saves_them(env):
    child = spawn_surrender("log", *AT, "--anonymous", "--item", KNIFE, "--item", KNIFE, env=env, pin=PINS["2001"])
    child.expect("Preview: nothing saved yet")
    preview = child.before
    child.expect(r"Save\? Enter saves; n saves nothing \[Y/n\]")
    preview += child.before
    assert "TW-Z24-" not in preview and "Not eligible" not in preview
    child.sendline("")
    rest, status = finish(child)
    assert status == 0 and "Saved" in rest and "TW-Z24-000001-" in rest


def test_ctrl_c_at_the_preview_saves_nothing(env):
    child = spawn_surrender("log", *AT, "--anonymous", "--item", KNIFE, env=env, pin=PINS["2001"])
    child.expect(r"Save\? Enter saves")
    interrupt_when_reading(child)
    rest, status = finish(child)
    assert "Nothing saved." in rest and "Traceback" not in rest and status == 0
    saved = log_from_a_script(env, *AT, "--anonymous", "--item", KNIFE)
    assert '"reference": "TW-Z24-000001-' in saved.stdout


def test_yes_saves_at_a_terminal_without_asking(env):
    child = spawn_surrender("log", *AT, "--anonymous", "--item", KNIFE, "--yes", env=env, pin=PINS["2001"])
    rest, status = finish(child)
    assert status == 0 and "Save?" not in rest and "TW-Z24-000001-" in rest


def test_a_refusal_is_told_at_the_preview_before_any_question(env):
    child = spawn_surrender("log", "--at", "2024-09-30 10:00", "--anonymous", "--item", KNIFE, env=env, pin=PINS["2001"])
    rest, status = finish(child)
    assert status == 1 and "outside the zombie-2024 window" in rest and "Save?" not in rest


def test_a_preview_of_an_items_file_groups_lines_and_totals_the_claim(env, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("kind,blade_length,plain_edge,sharp_point,serrated_length,quantity\n"
                     + "zombie-knife,25cm,yes,yes,3in,\n" * 3 + "zombie-knife,7in,yes,yes,,2\n")
    child = spawn_surrender("log", *AT, "--name", "Jane Smith", "--address", "1 High St", "--postcode", "CB1 1JG",
                            "--declare", "--items", str(items), env=env, pin=PINS["2001"])
    child.expect(r"Save\? Enter saves; n saves nothing \[Y/n\]")
    preview = child.before
    assert "(+2 lines)" in preview and "payable £30.00" in preview and "Not eligible: 2 of 5 item(s)" in preview
    child.sendline("")  # Enter saves, ineligible lines and all, as at the desk
    rest, status = finish(child)
    assert status == 0 and "TW-Z24-000001-" in rest and "payable £30.00" in rest


def test_a_big_items_file_is_previewed_as_a_summary_with_the_full_table_behind_t(env, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("kind,description,blade_length,plain_edge,sharp_point,serrated_length\n"
                     + "".join(f"zombie-knife,stock {n},10in,yes,yes,3in\n" for n in range(40))
                     + "zombie-knife,short,7in,yes,yes,3in\n")
    child = spawn_surrender("log", *AT, "--anonymous", "--items", str(items), env=env, pin=PINS["2001"])
    child.expect(r"Save\? Enter saves; n saves nothing; t the full table")
    preview = child.before
    assert "Summary: 41 item(s) on 41 line(s), 41 different" in preview and "stock 30" not in preview
    assert "The table shows 1 of 41 different lines; t shows them all" in preview
    child.sendline("t")
    child.expect(r"Save\? Enter saves")
    assert "stock 30" in child.before
    child.sendline("")
    rest, status = finish(child)  # saved: told as a summary too, not the whole table again
    assert status == 0 and "The table shows 1 of 41 different lines; every line is on the receipt" in rest
    assert "stock 30" not in rest


def test_log_items_with_many_bad_lines_tells_the_first_five_and_writes_them_all_to_errors(env, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("kind,blade_length,plain_edge\n" + "zombie-knife,10in,perhaps\n" * 8)
    listed = tmp_path / "bad.txt"
    result = CliRunner().invoke(app, ["log", *AT, "--anonymous", "--items", str(items), "--errors", str(listed)],
                                env={**env, "SURRENDER_PIN": PINS["2001"]})
    assert result.exit_code == 1 and f"8 bad line(s), nothing saved; all 8 are listed in {listed}; the first 5:" in result.stderr
    assert result.stderr.count("plain_edge must be yes or no") == 5 and result.stderr.count("\n") == 1
    assert len(listed.read_text().splitlines()) == 1 + 8  # what was refused, then each line


def test_the_preview_of_a_bulk_surrender_shows_its_booking_expected_against_received_at_80_columns(env):
    booked = CliRunner().invoke(app, ["booking", "add", "--name", "Pat Lee", "--business", "Lee Knives Ltd",
                                      "--expected", "6", "--on", "2024-09-02"],
                                env={**env, "SURRENDER_PIN": PINS["2001"]}, catch_exceptions=False)
    assert booked.exit_code == 0, booked.output
    child = spawn_surrender("log", *AT, "--name", "P Lee", "--business", "lee knives ltd", "--address", "1 High St",
                            "--postcode", "PE1 1AA", "--declare", "--item", f"{KNIFE}:qty=5",
                            env={**env, "COLUMNS": "80"}, pin=PINS["2001"])
    child.setwinsize(24, 80)
    child.expect("Preview: nothing saved yet")
    child.expect(r"Save\? Enter saves")
    assert "Booking: Lee Knives Ltd · expected 6 · received 5 (fewer than booked)" in child.before
    child.sendline("n")
    assert finish(child)[1] == 0
