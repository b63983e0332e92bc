"""The desk at an 80x24 terminal, as an officer types (issue 14 points 5 and 6, issue 18 point 6):
a mistyped item line is answered in the desk's own words; a stock list is taken by its path and
summarised; Enter saves at every save question; Ctrl-D cancels only the surrender in hand; the
desk asks the PIN again after it was left idle; a PIN changed elsewhere ends the session."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from pty_helpers import Counter, plain
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # the flow, not the SQL, is tested
MENU = r"Enter = new surrender"
ITEM1 = r"Item 1 \[zombie-knife\]"
FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


@pytest.fixture
def env(db_url, tmp_path):
    return {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": "2001", "SURRENDER_STATION": "TW",
            "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_PIN": "", "TERM": "dumb"}


def desk(env, tmp_path, *args, extra=None) -> Counter:
    counter = Counter(["desk", *args], {**env, **(extra or {})}, tmp_path, rows=24, columns=80)
    counter.sign_in(PINS["2001"])
    counter.expect(MENU)
    return counter


def start_anonymous_surrender(counter: Counter) -> None:
    counter.answer(r"Choice", "")
    counter.answer(r"Handed in at", "2/9/2024 10:00")
    counter.answer(r"Claimant name", "")


def recent_references(env) -> list[str]:
    shown = CliRunner().invoke(app, ["recent", "--date", "2024-09-02", "--format", "json"],
                               env={**env, "SURRENDER_PIN": PINS["2001"]}, catch_exceptions=False)
    return [row["reference"] for row in json.loads(shown.stdout)]


def test_a_mistyped_item_line_is_answered_in_one_line_of_the_desks_words_with_what_was_meant(env, tmp_path):
    counter = desk(env, tmp_path)
    start_anonymous_surrender(counter)
    for typed, meant in [("10 in spikes", "10in spikes"), ("10in spiked", "10in spikes"),
                         ("srrated=3in", "10in serrated=3in")]:
        counter.answer(ITEM1, typed)
        told = plain(counter.expect(ITEM1)).splitlines()[1:-1]  # between the line typed and the question again
        assert len(told) == 1 and f"did you mean `{meant}`?" in told[0], told  # one line at 80 columns
        counter.child.sendline("")  # the question is asked again, nothing was taken
        counter.expect("At least one item is needed")
    counter.answer(ITEM1, "?")
    assert "An item line: the blade length" in plain(counter.expect(ITEM1))
    counter.end_input()
    counter.expect("surrender is cancelled")
    counter.answer(r"Choice", "quit")
    status, rest = counter.finish()
    assert status == 0 and "0 surrender(s) logged" in rest


def stock_list(path: Path, good: int, short: int) -> Path:
    rows = [f"zombie-knife,stock {n},10in,yes,yes,3in,,1\n" for n in range(good)]
    rows += [f"zombie-knife,short {n},7in,yes,yes,3in,,1\n" for n in range(short)]
    path.write_text("kind,description,blade_length,plain_edge,sharp_point,serrated_length,spikes,quantity\n"
                    + "".join(rows))
    return path


def test_a_stock_list_is_taken_by_its_path_at_the_desk_and_a_big_one_is_summarised_and_enter_saves(env, tmp_path):
    stock = stock_list(tmp_path / "stock.csv", good=27, short=3)
    counter = desk(env, tmp_path)
    counter.answer(r"Choice", "")
    counter.answer(r"Handed in at", "2/9/2024 10:00")
    counter.answer(r"Claimant name", "Northern Blades Ltd")
    counter.answer(r"Address", "1 Mill Lane, Peterborough")
    counter.answer(r"Postcode", "PE1 1AA")
    counter.answer(r"declaration\?", "")
    counter.answer(r"bank details\?", "")
    counter.answer(ITEM1, stock.name)  # typed, or dragged in from the file manager
    assert "30 line(s) from stock.csv: items 1 to 30" in plain(counter.answer(r"Item 31", ""))
    review = plain(counter.expect(r"Save\? Enter saves"))
    assert "Summary: 30 item(s) on 30 line(s), 30 different" in review
    assert "zombie-knife: 27 eligible · 3 not eligible" in review and "Not eligible: 3 different line(s)" in review
    assert "stock 5" not in review and len(review.splitlines()) < 40  # not one row per line
    counter.child.sendline("t")  # the full list behind a key
    full = plain(counter.expect(r"Save\? Enter saves"))
    assert "  2. Zombie-style knife 10in" in full and "  28. Zombie-style knife 7in" in full
    counter.reply("")  # Enter saves, as everywhere
    saved = plain(counter.expect(MENU))
    assert "The table shows 3 of 30 different lines; every line is on the receipt" in saved
    assert "payable £270.00" in saved
    counter.answer(r"Choice", "quit")
    status, rest = counter.finish()
    assert status == 0 and "1 surrender(s) logged" in rest
    assert len(recent_references(env)) == 1


def test_a_stock_list_with_many_bad_lines_gives_the_count_the_first_five_and_where_the_rest_are(env, tmp_path):
    stock = stock_list(tmp_path / "stock.csv", good=3, short=0)
    stock.write_text(stock.read_text() + "".join(f"zombie-knife,bad {n},ten inches,yes,yes,,,1\n" for n in range(9)))
    counter = desk(env, tmp_path)
    start_anonymous_surrender(counter)
    counter.answer(ITEM1, stock.name)
    told = plain(counter.expect(ITEM1)).replace("\n", "")
    said = f"stock.csv: 9 bad line(s), nothing saved; all 9 are listed in {stock}.errors.txt; the first 5:"
    assert re.sub(r"\s", "", said) in re.sub(r"\s", "", told)  # one line, wrapped by the terminal
    assert re.sub(r"\s", "", told).count("isnotalength") == 5  # the terminal wraps where it likes
    assert len((tmp_path / "stock.csv.errors.txt").read_text().splitlines()) == 1 + 9  # what was refused, then each
    counter.end_input()
    counter.expect("surrender is cancelled")
    counter.answer(r"Choice", "quit")
    assert counter.finish()[0] == 0


def test_ctrl_d_in_a_surrender_cancels_that_surrender_only_and_ctrl_d_at_the_menu_ends_the_session(env, tmp_path):
    counter = desk(env, tmp_path)
    start_anonymous_surrender(counter)
    counter.expect(ITEM1)
    counter.end_input()
    told = plain(counter.expect(MENU))
    assert "Ctrl-D: this surrender is cancelled, nothing saved" in told
    start_anonymous_surrender(counter)  # the session goes on: a second surrender is saved
    counter.answer(ITEM1, "10in serrated=3in")
    counter.answer(r"Item 2", "")
    counter.answer(r"Save\? Enter saves", "")
    counter.expect(MENU)
    counter.expect(r"Choice")
    counter.end_input()
    status, rest = counter.finish()
    assert status == 0 and "Session ended: 1 surrender(s) logged." in rest
    assert len(recent_references(env)) == 1


def set_fake_time(file: Path, when: str) -> None:
    file.write_text(f"@{when}\n")


@pytest.mark.skipif(not FAKETIME.exists() or not shutil.which("faketime"), reason="libfaketime is not installed")
def test_the_desk_left_idle_asks_the_pin_before_using_the_next_answer_and_a_wrong_pin_counts(env, tmp_path, db_url):
    clock = tmp_path / "clock"
    set_fake_time(clock, "2024-09-02 10:00:00")
    fake = {"LD_PRELOAD": str(FAKETIME), "FAKETIME_TIMESTAMP_FILE": str(clock), "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    counter = desk(env, tmp_path, "--lock-after", "300", extra=fake)
    counter.expect(r"Choice")  # the question is out, so its time is taken
    set_fake_time(clock, "2024-09-02 10:04:59")  # under five minutes: no lock
    counter.reply("")
    counter.answer(r"Handed in at", "")  # now, by the fake clock: inside the window
    counter.expect(r"Claimant name")
    set_fake_time(clock, "2024-09-02 10:10:00")  # the officer walked away at the claimant question
    counter.reply("")
    locked = plain(counter.expect(r"PIN for staff 2001"))
    assert "Desk locked after 5 min idle (5 min set)" in locked and "Item 1" not in locked
    counter.child.sendline("999999")  # a passer-by: counted like any wrong PIN
    wrong = plain(counter.expect(r"PIN for staff 2001"))
    assert "wrong PIN for staff member 2001 (4 more wrong and it locks)" in wrong
    counter.child.sendline(PINS["2001"])
    counter.answer(ITEM1, "10in serrated=3in")  # the answer typed before the lock is used now
    counter.answer(r"Item 2", "")
    counter.answer(r"Save\? Enter saves", "")
    counter.answer(r"Choice", "quit")
    status, rest = counter.finish()
    assert status == 0 and "1 surrender(s) logged" in rest
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT failed_pins FROM staff WHERE number = '2001'").fetchone() == (0,)
        refused = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'refused'").fetchone()
    assert refused == (1,)


def test_a_pin_changed_elsewhere_ends_the_session_in_one_line_without_counting_a_wrong_pin(env, tmp_path, db_url):
    counter = desk(env, tmp_path)
    changed = CliRunner().invoke(app, ["staff", "set-pin", "--new-pin", "246810"],
                                 env={**env, "SURRENDER_PIN": PINS["2001"]}, catch_exceptions=False)
    assert changed.exit_code == 0, changed.output
    counter.answer(r"Choice", "recent")
    status, rest = counter.finish()
    told = [line for line in plain(rest).splitlines() if "PIN was changed" in line]
    assert status == 1 and len(told) == 1 and told[0].startswith("Session over: staff member 2001's PIN")
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT failed_pins, locked_at FROM staff WHERE number = '2001'").fetchone() == (0, None)


def test_a_time_outside_the_window_is_asked_again_in_place_not_sent_back_to_the_menu(env, tmp_path):
    counter = desk(env, tmp_path)
    counter.answer(r"Choice", "")
    counter.answer(r"Handed in at", "2/9/2023 10:00")  # a year out: the paper form's year mistyped
    told = plain(counter.expect(r"Handed in at"))  # the same question again, not the menu
    assert "outside the zombie-2024 window" in told and "Choice" not in told
    counter.reply("")  # Enter is now, long after the 2024 window closed: asked again too
    assert "outside the zombie-2024 window" in plain(counter.expect(r"Handed in at"))
    counter.reply("2/9/2024 10:00")
    counter.expect(r"Claimant name")
    counter.end_input()
    counter.expect("surrender is cancelled")
    counter.answer(r"Choice", "quit")
    status, _ = counter.finish()
    assert status == 0
