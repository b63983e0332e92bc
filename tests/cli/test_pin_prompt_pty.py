"""The PIN as a person gives it: the real `surrender` script on a pseudo-terminal, hidden input,
asked at the point of need, once; wrong PINs are one line, then a wait and a lock refuse before a PIN is asked. Real hash cost."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pexpect
import pytest
from sqlalchemy import text
from pty_helpers import interrupt_when_reading

from surrender import db
from surrender.services.context import Context
from tests.cli.test_installed_e2e import installed_surrender
from tests.conftest import NOW

ADMIN_PIN, DESK_PIN = "135790", "246813"


@pytest.fixture
def desk_db(tmp_path, monkeypatch):
    """A fresh SQLite database with an admin, a TW desk officer (full-cost hashes) and one surrender."""
    from surrender.migrate import upgrade
    from surrender.rules.items import item_from_spec
    from surrender.services.staff import add_staff
    from surrender.services.surrenders import LogRequest, log_surrender

    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    admin = Context(url=url, staff="1", pin=ADMIN_PIN, now=lambda: NOW)
    add_staff(admin, "1", "Alex Admin", "admin", None, ADMIN_PIN)
    add_staff(admin, "2041", "PC Sam Patel", "desk", "TW", DESK_PIN)
    desk = Context(url=url, staff="2041", pin=DESK_PIN, receipts_dir=tmp_path / "receipts", now=lambda: NOW)
    reference = log_surrender(desk, LogRequest(items=[item_from_spec("zombie-knife:10in:plain:point")],
                                               anonymous=True)).reference
    db.dispose(url)
    yield url, reference
    db.dispose(url)


def spawn(url: str, tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SURRENDER_PIN", "SURRENDER_STAFF")}
    env.update(SURRENDER_DATABASE_URL=url, SURRENDER_RECEIPTS_DIR=str(tmp_path / "receipts"), COLUMNS="200")
    return pexpect.spawn(installed_surrender(), list(args), env=env, cwd=str(tmp_path), encoding="utf-8",
                         timeout=60, dimensions=(40, 200))


def finish(child: pexpect.spawn) -> tuple[str, int]:
    """What the child printed after the last expectation (colours removed), and its exit status."""
    rest = re.sub(r"\x1b\[[0-9;]*m", "", child.read())
    child.close()
    return rest, child.exitstatus


def test_a_command_asks_for_the_pin_hidden_and_then_does_its_work(desk_db, tmp_path):
    url, reference = desk_db
    child = spawn(url, tmp_path, "show", reference, "--staff", "2041")  # a global option after the command
    child.expect_exact("PIN for staff 2041: ")
    child.sendline(DESK_PIN)
    output, status = finish(child)
    assert status == 0, output
    assert reference in output and DESK_PIN not in output  # not echoed
    assert "Missing command" not in output


def test_wrong_pins_are_one_line_each_then_the_wait_and_the_lock_refuse_before_any_pin_is_asked(desk_db, tmp_path):
    url, reference = desk_db
    for expected in ("Error: wrong PIN for staff member 2041 (4 more wrong and it locks)",
                     "Error: wrong PIN for staff member 2041 (3 more wrong and it locks): try again in 4 seconds"):
        child = spawn(url, tmp_path, "--staff", "2041", "show", reference)
        child.expect_exact("PIN for staff 2041: ")
        child.sendline("000000")
        output, status = finish(child)
        lines = [line for line in output.splitlines() if line.strip()]
        assert status == 1 and lines == [expected], output
    # Planted: four wrong in a row just now (the real clock runs in the child), so 16 s to wait.
    plant = "UPDATE staff SET failed_pins = 4, last_failed_at = :now WHERE number = '2041'"
    db.run(url, lambda conn: conn.execute(text(plant), {"now": dt.datetime.now(dt.UTC)}))
    db.dispose(url)
    child = spawn(url, tmp_path, "--staff", "2041", "show", reference)  # refused before any PIN is asked
    output, status = finish(child)
    assert status == 1 and "PIN for staff" not in output, output
    assert re.fullmatch(r"Error: 4 wrong PINs in a row for staff member 2041: try again in (\d+) seconds", output.strip())
    assert 8 < int(re.findall(r"\d+", output)[-1]) <= 16
    db.run(url, lambda conn: conn.execute(text("UPDATE staff SET locked_at = :now WHERE number = '2041'"),
                                          {"now": dt.datetime.now(dt.UTC)}))
    db.dispose(url)
    child = spawn(url, tmp_path, "--staff", "2041", "show", reference)  # locked: refused before any PIN is asked
    output, status = finish(child)
    assert status == 1 and output.strip() == ("Error: staff member 2041 is locked after 5 wrong PINs in a row, so no PIN is asked now (do not type it): "
                                              "an admin unlocks it with `surrender staff unlock 2041`")


def test_the_desk_session_asks_for_the_pin_once_at_the_start(desk_db, tmp_path):
    url, _ = desk_db
    child = spawn(url, tmp_path, "--staff", "2041", "desk")
    child.expect_exact("PIN for staff 2041: ")
    child.sendline(DESK_PIN)
    child.expect_exact("Desk session")
    for _ in range(2):  # two surrenders begun, no second PIN
        child.expect("Enter = new surrender")
        child.sendline("")
        child.expect("Handed in at")
        interrupt_when_reading(child)
        child.expect("Cancelled: nothing saved.")
    child.expect("Enter = new surrender")
    child.sendeof()
    output, status = finish(child)
    assert status == 0 and "Session ended" in output and "PIN for" not in output


def test_the_desk_session_with_a_wrong_pin_ends_before_any_question(desk_db, tmp_path):
    url, _ = desk_db
    child = spawn(url, tmp_path, "--staff", "2041", "desk")
    child.expect_exact("PIN for staff 2041: ")
    child.sendline("000000")
    output, status = finish(child)
    assert status == 1 and output.strip().startswith("Error: wrong PIN for staff member 2041")
    assert "Handed in at" not in output


def test_an_admin_adds_a_member_typing_their_own_pin_then_the_new_one_twice(desk_db, tmp_path):
    url, _ = desk_db
    child = spawn(url, tmp_path, "--staff", "1", "staff", "add", "3187", "--name", "PC Jo Green", "--role", "desk",
                  "--station", "PK")
    child.expect_exact("PIN for staff 1: ")
    child.sendline(ADMIN_PIN)
    child.expect_exact("New PIN for 3187: ")
    child.sendline("1234")  # too short: asked again
    child.expect_exact("a PIN is 6 to 12 digits")
    child.expect_exact("New PIN for 3187: ")
    child.sendline("318731")
    child.expect_exact("Repeat the new PIN: ")
    child.sendline("318731")
    output, status = finish(child)
    assert status == 0 and "Added 3187 PC Jo Green (desk, PK)" in output, output
    assert "318731" not in output

    from surrender.services.staff import list_staff  # the new PIN works

    rows = list_staff(Context(url=url, staff="1", pin=ADMIN_PIN))
    assert [r.number for r in rows] == ["1", "2041", "3187"]


def test_a_desk_officer_changes_their_own_pin_at_the_terminal(desk_db, tmp_path):
    url, reference = desk_db
    child = spawn(url, tmp_path, "--staff", "2041", "staff", "set-pin")
    child.expect_exact("PIN for staff 2041: ")
    child.sendline(DESK_PIN)
    child.expect_exact("New PIN for 2041: ")
    child.sendline("975310")
    child.expect_exact("Repeat the new PIN: ")
    child.sendline("975311")
    child.expect_exact("the two PINs differ: again")
    child.expect_exact("New PIN for 2041: ")
    child.sendline("975310")
    child.expect_exact("Repeat the new PIN: ")
    child.sendline("975310")
    output, status = finish(child)
    assert status == 0 and output.strip() == "New PIN set for 2041.", output

    from surrender.services.reading import show_surrender

    assert show_surrender(Context(url=url, staff="2041", pin="975310"), reference).reference == reference
