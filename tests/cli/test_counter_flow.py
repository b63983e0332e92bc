"""The counter's prompt flow through a real terminal, counting the answers an officer types
(issue 8: a named 3-knife claim without bank details in at most 12, an anonymous knife in 4)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from pty_helpers import Counter, installed_surrender, plain

from tests.conftest import PINS

AT = "2024-09-02 10:00"  # inside the zombie-2024 window; the real clock is long past it


@pytest.fixture
def desk(sqlite_template, tmp_path):
    """Start `surrender` as desk officer 2001 (Thorpe Wood) on a fresh copy of the test database."""
    path = tmp_path / "desk.db"
    shutil.copy(sqlite_template, path)
    env = {"SURRENDER_DATABASE_URL": f"sqlite:///{path}", "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"),
           "SURRENDER_STAFF": "2001"}

    def start(*args: str, rows: int = 50, columns: int = 200) -> Counter:
        """The command on a terminal, signed in: the officer's PIN is typed at its hidden prompt
        (once per process or desk session; not counted as an answer about the surrender)."""
        counter = Counter(list(args), env, tmp_path, rows, columns)
        counter.sign_in(PINS["2001"])
        return counter

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess:
        scripted = {"PATH": "/usr/bin:/bin", **env, "SURRENDER_PIN": PINS["2001"], **extra}
        return subprocess.run([installed_surrender(), *args], env=scripted,
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)

    def show(reference: str) -> dict:
        result = run("show", reference, "--format", "json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    start.run, start.show, start.folder = run, show, tmp_path
    return start


def saved_reference(text: str) -> str:
    import re

    match = re.search(r"TW-[A-Z0-9]{1,4}-\d{6}-[0-9A-Z]", plain(text))
    assert match, plain(text)
    return match.group(0)


def test_a_named_claim_for_three_knives_takes_at_most_twelve_answers(desk):
    counter = desk("log", "--at", AT)
    counter.answer("Claimant name", "Jane Smith")
    counter.answer("Address", "1 High Street, Cambridge")
    counter.answer("Postcode", "cb1 1jg")
    counter.answer("makes this declaration", "")
    counter.answer("bank details", "")
    counter.answer("Item 1", "10in serrated=3in")
    shown = counter.answer("Item 2", "25cm holes=3")  # what is on screen as item 2 is asked
    counter.answer("Item 3", "machete 18in spikes")
    counter.answer("Item 4", "")
    review = plain(counter.answer(r"Save\?", ""))
    status, rest = counter.finish()
    assert status == 0, plain(counter.screen)
    assert counter.answers <= 12
    assert "Claimed £30.00, payable £30.00 (pending)" in review and "plain edge" in plain(shown)
    assert "Zombie-style knife 10in: plain edge, sharp point, serrated length 3in: eligible, £10.00" in plain(shown)
    data = desk.show(saved_reference(rest))
    assert [(i["kind"], i["eligible"]) for i in data["items"]] == [
        ("zombie-knife", True), ("zombie-knife", True), ("zombie-machete", True)]
    assert data["claim"]["payable"] == "30.00" and not data["anonymous"]


def test_an_anonymous_single_knife_takes_at_most_four_answers(desk):
    counter = desk("log", "--at", AT)
    counter.answer("Claimant name", "")
    counter.answer("Item 1", "10in serrated=3in")
    assert "eligible" in plain(counter.answer("Item 2", ""))
    counter.answer(r"Save\?", "")
    status, rest = counter.finish()
    assert status == 0 and counter.answers <= 4
    data = desk.show(saved_reference(rest))
    assert data["anonymous"] and data["claim"] is None and data["items"][0]["eligible"]


def test_a_blade_length_alone_asks_only_what_the_definition_still_needs(desk):
    counter = desk("log", "--at", AT)
    counter.answer("Claimant name", "")
    counter.answer("Item 1", "10in")
    counter.answer(r"Plain cutting edge\? .*\[yes\]", "")
    counter.answer(r"Sharp pointed end\? .*\[yes\]", "")
    counter.answer(r"serrated edge", "3in")  # a serration over 2 inches settles it: nothing more asked
    after = plain(counter.answer("Item 2", ""))
    assert "eligible" in after and "holes" not in after.lower() and "sharp points" not in after
    assert "sword" not in plain(counter.screen).lower()
    counter.answer(r"Save\?", "x")
    counter.answer("Abandon this surrender", "y")
    status, rest = counter.finish()
    assert status == 1 and "Nothing saved." in rest


def test_the_review_changes_an_item_removes_one_and_corrects_a_wrong_account_number(desk):
    counter = desk("log", "--at", AT)
    counter.answer("Claimant name", "Jane Smith")
    counter.answer("Address", "1 High Street")
    counter.answer("Postcode", "CB1 1JG")
    counter.answer("makes this declaration", "")
    counter.answer("bank details", "y")
    counter.answer("Phone", "")
    counter.answer("Email", "")
    counter.answer("Business", "")
    counter.answer("Sort code", "12-34-56")
    counter.answer("Account number", "1234567")  # seven digits: only this field is asked again
    assert "8 digits" in plain(counter.answer("Account number", "12345678"))
    counter.answer("Name on the account", "")
    counter.answer("Item 1", "7in")  # too short: settled at once, not eligible
    counter.answer("Item 2", "10in spikes")
    counter.answer("Item 3", "10in holes=2")
    counter.answer("Item 4", "")
    review = plain(counter.answer(r"Save\?", "1"))
    assert "1. Zombie-style knife 7in" in review and "not eligible" in review
    counter.answer("Item 1", "11in serrated=3in qty=2")
    counter.answer(r"Save\?", "d3")
    counter.answer(r"Save\?", "b")
    counter.answer("Sort code", "")
    counter.answer("Account number", "87654321")
    counter.answer("Name on the account", "")
    review = plain(counter.answer(r"Save\?", ""))
    assert "bank 12-34-56 ****4321" in review and "Claimed £30.00, payable £30.00" in review
    status, rest = counter.finish()
    assert status == 0
    data = desk.show(saved_reference(rest))
    assert [(i["quantity"], i["eligible"]) for i in data["items"]] == [(2, True), (1, True)]


def test_ctrl_c_in_log_saves_nothing_and_exits_1(desk):
    counter = desk("log", "--at", AT)
    counter.answer("Claimant name", "")
    counter.expect("Item 1")
    counter.interrupt()
    status, rest = counter.finish()
    assert status == 1 and "Nothing saved." in plain(rest)


def test_the_desk_refuses_an_out_of_window_time_before_any_question_and_survives_ctrl_c(desk):
    counter = desk("desk")
    counter.answer("Enter = new surrender", "")
    counter.answer("Handed in at", "")  # now: long after the window closed
    refused = plain(counter.expect("Handed in at"))  # asked again in place, nothing else asked
    assert "outside the zombie-2024 window" in refused and "Claimant" not in refused
    counter.reply(AT)
    counter.answer("Claimant name", "Jane Smith")
    counter.expect("Address")
    counter.interrupt()  # the surrender in hand is cancelled; the desk goes on
    assert "Cancelled: nothing saved." in plain(counter.answer("Enter = new surrender", ""))
    counter.answer("Handed in at", AT)
    counter.answer("Claimant name", "")
    counter.answer("Item 1", "10in spikes")
    counter.answer("Item 2", "")
    counter.answer(r"Save\?", "")
    counter.expect("Saved")
    counter.expect("Enter = new surrender")
    counter.end_input()
    status, rest = counter.finish()
    assert status == 0 and "1 surrender(s) logged" in plain(rest)


# A scheme with features neither preset has: the CSV columns, the shorthand and the questions
# all come from its [features] tables.
FOLDING = """
code = "folding-2026"
name = "Flick knives surrender scheme"
legal_basis = "A test scheme."
reference_prefix = "F26"

[window]
opens = 2024-09-01
closes = 2024-09-30

[eligibility]
owned_on_or_before = 2024-08-31
declaration = "I own these."

[money]
standard = "15.00"

[review]
item_over = "100.00"
claim_over = "500.00"
items_over = 20

[features.folding]
type = "yes-no"
question = "Does the blade fold into the handle?"
help = "Folds away, however it opens."
shorthand = ["folds"]
usual = { flick-knife = "yes" }

[features.opening]
type = "choice"
options = ["button", "gravity", "manual"]
blank = "manual"
question = "How does it open (button, gravity, manual)?"

[features.barrel_length]
type = "length"
question = "Length of the handle's barrel"

[definitions.flick]
all = [
  { test = "folding", text = "a folding blade" },
  { test = "opening in button,gravity", text = "opening by a button or by gravity" },
  { test = "barrel_length <= 6in", text = "a barrel of at most 6 inches" },
]

[kinds.flick-knife]
label = "Flick knife"
definition = "flick"
"""


def test_a_campaign_with_its_own_features_logs_through_csv_shorthand_and_prompts(desk):
    folder = desk.folder
    (folder / "folding-2026.toml").write_text(FOLDING)
    registered = desk.run("--staff", "1", "campaign", "register", "folding-2026.toml", SURRENDER_PIN=PINS["1"])
    assert registered.returncode == 0, registered.stderr
    (folder / "flick.csv").write_text("kind,blade_length,folding,opening,barrel_length,quantity\n"
                                      "flick-knife,3in,yes,button,4in,2\nflick-knife,3in,yes,manual,,\n")
    logged = desk.run("--campaign", "folding-2026", "log", "--at", AT, "--anonymous", "--items", "flick.csv",
                      "--format", "json")
    assert logged.returncode == 0, logged.stderr
    assert [(i["quantity"], i["eligible"]) for i in json.loads(logged.stdout)["items"]] == [(2, True), (1, False)]

    by_words = desk.run("--campaign", "folding-2026", "log", "--at", AT, "--anonymous", "--format", "json",
                        "--item", "flick-knife:3in:folds:opening=gravity", "--item", "flick-knife:3in:gravity")
    assert [i["eligible"] for i in json.loads(by_words.stdout)["items"]] == [True, False]  # the second: not folding
    unknown = desk.run("--campaign", "folding-2026", "log", "--at", AT, "--anonymous",
                       "--item", "flick-knife:3in:plain")
    assert unknown.returncode == 1 and "unknown feature 'plain'" in unknown.stderr

    counter = desk("--campaign", "folding-2026", "log", "--at", AT)
    counter.answer("Claimant name", "")
    counter.answer(r"Item 1 \[flick-knife\]", "3in")
    counter.answer(r"fold into the handle\? \(\? for help\) \[yes\]", "?")
    assert "Folds away" in plain(counter.answer(r"fold into the handle", ""))
    counter.answer(r"How does it open", "button")
    counter.answer("Length of the handle's barrel", "4in")
    screen = plain(counter.answer("Item 2", ""))
    assert "Flick knife 3in: folding, opening button, barrel length 4in: eligible" in screen
    counter.answer(r"Save\?", "")
    status, rest = counter.finish()
    assert status == 0
    assert desk.show(saved_reference(rest))["items"][0]["eligible"] is True


# --- kinds are chosen, never guessed (issue 14), at an 80x24 terminal ------------------------------

def test_a_bare_number_at_the_item_prompt_is_refused_as_ambiguous_not_saved_as_a_two_inch_knife(desk):
    counter = desk("log", "--at", AT, rows=24, columns=80)
    intro = plain(counter.answer("Claimant name", ""))
    counter.answer("Item 1", "2")
    refused = plain(counter.answer("Item 1", "10in spikes"))  # asked again, the same item number
    assert "'2' alone could be a blade length or a choice" in " ".join(refused.split())
    assert "1. zombie-knife, 2. zombie-machete" not in " ".join(plain(counter.screen).split())  # no menu look
    counter.answer("Item 2", "")
    counter.answer(r"Save\?", "")
    status, rest = counter.finish()
    assert status == 0, plain(counter.screen)
    data = desk.show(saved_reference(rest))
    assert [(i["kind"], i["quantity"]) for i in data["items"]] == [("zombie-knife", 1)]
    assert data["items"][0]["eligible"]  # the 10-inch knife typed after the refusal, not a 2-inch one
    assert "Claimant name" in intro


def test_each_item_starts_from_the_default_kind_and_a_change_of_kind_is_said_aloud(desk):
    counter = desk("log", "--at", AT, rows=24, columns=80)
    counter.answer("Claimant name", "")
    counter.answer(r"Item 1 \[zombie-knife\]", "machete 18in holes=3")
    said = plain(counter.answer(r"Item 2 \[zombie-knife\]", "10in spikes"))  # not [zombie-machete]
    assert "kind: zombie-machete" in " ".join(said.split())
    counter.answer("Item 3", "")
    counter.answer(r"Save\?", "")
    status, rest = counter.finish()
    assert status == 0, plain(counter.screen)
    data = desk.show(saved_reference(rest))
    assert [i["kind"] for i in data["items"]] == ["zombie-machete", "zombie-knife"]
