"""`surrender custody scan` at a real terminal, fed the way a USB barcode scanner types: each
tag's characters in a burst and Enter (a carriage return), tag after tag faster than anyone
reads, with a duplicate, an unknown tag and another station's tag among them. Each line is
answered on its own line, a refused one without stopping the scan."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from pty_helpers import finish, plain, spawn_surrender

from surrender import db
from surrender.rules.items import item_from_spec
from surrender.services import custody
from surrender.services.context import Context
from surrender.services.staff import add_staff
from surrender.services.surrenders import LogRequest, log_surrender
from tests.conftest import NOW, PINS

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
OFFICER, OFFICER_PIN = "6001", "600106"


@pytest.fixture
def tags(db_url, tmp_path):
    """A TW store officer and store; two TW knives and a PK knife at their counters."""
    admin = Context(url=db_url, staff="1", pin=PINS["1"], now=lambda: NOW)
    add_staff(admin, OFFICER, "Pat Store", "property", "TW", OFFICER_PIN)
    custody.add_location(replace(admin, staff=OFFICER, pin=OFFICER_PIN), "TW-STORE", "Thorpe Wood property store",
                         "TW")

    def log(station, staff, qty):
        desk = replace(admin, staff=staff, pin=PINS[staff], station=station, receipts_dir=tmp_path / "receipts")
        return log_surrender(desk, LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}:desc=black survival knife")],
                                              anonymous=True)).reference

    tw, pk = log("TW", "2001", 2), log("PK", "3001", 1)
    db.dispose(db_url)
    return {"tw1": f"{tw}/1", "tw2": f"{tw}/2", "pk": f"{pk}/1", "unknown": "TW-Z24-000999-A/1"}


@pytest.fixture
def env(db_url, tmp_path):
    return {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": OFFICER, "SURRENDER_PIN": "",
            "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts")}


def scanner(child, code: str) -> None:
    """A scanner's burst: the characters a few at a time, then Enter as a carriage return."""
    for start in range(0, len(code), 6):
        child.send(code[start:start + 6])
    child.send("\r")


def test_a_scanners_fast_lines_are_each_answered_and_a_refused_line_does_not_stop_the_scan(tags, env, db_url):
    child = spawn_surrender("custody", "scan", "--to", "TW-STORE", env=env, pin=OFFICER_PIN)
    child.expect("Scanning to TW-STORE")
    for code in (tags["tw1"], tags["tw1"], tags["unknown"], tags["pk"], tags["tw2"].lower()):
        scanner(child, code)  # no pause: the scanner does not wait to be answered
    child.expect(re.escape(f"✓ {tags['tw1']}") + r"\s+Zombie-style knife · black survival knife\s+from TW-COUNTER → TW-STORE")
    child.expect(re.escape(f"✗ {tags['tw1']}: already at TW-STORE"))
    child.expect(re.escape(f"✗ {tags['unknown']}: no such tag at TW"))
    child.expect(re.escape(f"✗ {tags['pk']}: no such tag at TW"))
    child.expect(re.escape(f"✓ {tags['tw2']}"))
    child.send("\r")  # a blank line ends the scan
    rest, status = finish(child)
    assert "2 tag(s) moved to TW-STORE; 3 refused." in plain(rest)
    assert status == 1
    moved = custody.list_exhibits(Context(url=db_url, staff=OFFICER, pin=OFFICER_PIN, now=lambda: NOW),
                                  location="TW-STORE")
    assert sorted(v.tag for v in moved) == sorted([tags["tw1"], tags["tw2"]])


def test_ctrl_d_ends_a_scan_and_every_tag_said_back_was_recorded(tags, env, db_url):
    child = spawn_surrender("custody", "scan", "--to", "TW-STORE", env=env, pin=OFFICER_PIN)
    child.expect("Scanning to TW-STORE")
    scanner(child, tags["tw2"])
    child.expect(re.escape(f"✓ {tags['tw2']}"))
    time.sleep(0.05)
    child.sendeof()
    rest, status = finish(child)
    assert status == 0 and "1 tag(s) moved to TW-STORE; 0 refused." in plain(rest)
    story = custody.where(Context(url=db_url, staff=OFFICER, pin=OFFICER_PIN, now=lambda: NOW), tags["tw2"])
    assert [(e.action, e.staff, e.to) for e in story.history][-1] == ("moved", OFFICER, "TW-STORE")


def test_a_stock_check_at_the_terminal_says_each_tag_and_what_the_shelf_lacks(tags, env):
    mover = Context(url=env["SURRENDER_DATABASE_URL"], staff=OFFICER, pin=OFFICER_PIN, now=lambda: NOW)
    custody.move_tags(mover, [tags["tw1"], tags["tw2"]], "TW-STORE")
    db.dispose(env["SURRENDER_DATABASE_URL"])
    child = spawn_surrender("custody", "check", "--location", "TW-STORE", env=env, pin=OFFICER_PIN)
    child.expect("Stock check of TW-STORE")
    for code in (tags["tw1"], "rubbish", tags["tw1"]):
        scanner(child, code)
    child.expect(re.escape(f"✓ {tags['tw1']}"))
    child.expect(re.escape("✗ rubbish: 'rubbish' is not a tag"))
    child.send("\r")
    rest, status = finish(child)
    text = plain(rest)
    assert status == 0
    assert re.search(re.escape(tags["tw2"]) + r"\s+│?\s*missing", text), text
    assert "2 expected, 1 found, 1 missing, 0 recorded elsewhere, 1 unknown" in text


def test_each_witness_types_their_own_pin_at_the_terminal_and_a_wrong_one_seals_nothing(tags, env):
    from surrender.services import destruction

    mover = Context(url=env["SURRENDER_DATABASE_URL"], staff=OFFICER, pin=OFFICER_PIN, now=lambda: NOW)
    batch = destruction.open_batch(mover, "incineration", "Eastern Metals Ltd")
    destruction.add_to_batch(mover, batch.id, [tags["tw1"]])
    db.dispose(env["SURRENDER_DATABASE_URL"])
    child = spawn_surrender("destruction", "seal", str(batch.id), "--witness", "5001", "--witness", "2001",
                            env=env, pin=OFFICER_PIN)
    child.expect(r"PIN for witness 5001 \(Morgan Lee\)")
    child.sendline(PINS["5001"])
    child.expect(r"PIN for witness 2001 \(Sam Patel\)")
    child.sendline("000000")
    rest, status = finish(child)
    assert status == 1 and "wrong PIN for witness 2001 (4 more wrong and it locks)" in plain(rest)
    assert PINS["5001"] not in rest and "000000" not in rest  # hidden as typed
    child = spawn_surrender("destruction", "seal", str(batch.id), "--witness", "5001", "--witness", "2001",
                            env=env, pin=OFFICER_PIN)
    child.expect("PIN for witness 5001")
    child.sendline(PINS["5001"])
    child.expect("PIN for witness 2001")
    child.sendline(PINS["2001"])
    rest, status = finish(child)
    assert status == 0 and "witnessed by 5001 Morgan Lee and 2001 Sam Patel" in plain(rest)
