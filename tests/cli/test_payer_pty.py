"""Issue 17 at the counter, through a real terminal: a mistyped account number is caught by the
modulus check and asked again; an unknown sort code is a warning; evidence of value is asked
for when an item states it, and a file that is not a PDF, JPEG or PNG is refused and asked again."""

from __future__ import annotations

import shutil
import sqlite3

from pty_helpers import plain

from tests.cli.test_counter_flow import AT, desk, saved_reference  # noqa: F401 (fixture)
from tests.unit.test_rules_evidence import pdf


def claimant_with_bank(counter) -> None:
    counter.answer("Claimant name", "Jane Smith")
    counter.answer("Address", "1 High Street, Cambridge")
    counter.answer("Postcode", "CB1 1JG")
    counter.answer("makes this declaration", "")
    counter.answer("bank details", "y")
    counter.answer("Phone", "")
    counter.answer("Email", "")
    counter.answer("Business", "")


def test_a_mistyped_account_number_is_caught_at_the_desk_and_asked_again(desk):
    counter = desk("log", "--at", AT)
    claimant_with_bank(counter)
    counter.answer("Sort code", "08-99-99")
    counter.answer("Account number", "66374959")  # one digit off Vocalink's valid 66374958
    shown = plain(counter.answer("Sort code", ""))  # asked again, the sort code offered as it was
    assert "fail the banks' modulus check: one of them is mistyped" in shown and "type them again" in shown
    counter.answer("Account number", "66374958")
    counter.answer("Name on the account", "")
    counter.answer("Item 1", "10in spikes qty=3")
    counter.answer("Item 2", "")
    review = plain(counter.answer(r"Save\?", ""))
    assert "bank 08-99-99 ****4958" in review
    status, rest = counter.finish()
    assert status == 0, rest
    reference = saved_reference(rest)
    with sqlite3.connect(desk.folder / "desk.db") as conn:
        stored = conn.execute("SELECT c.sort_code, c.account_number FROM claimant c JOIN surrender s "
                              "ON s.claimant_id = c.id WHERE s.reference = ?", (reference,)).fetchone()
    assert stored == ("08-99-99", "66374958")


def test_an_unknown_sort_code_is_a_warning_at_the_desk_and_the_surrender_goes_ahead(desk):
    counter = desk("log", "--at", AT)
    claimant_with_bank(counter)
    counter.answer("Sort code", "12-34-56")
    counter.answer("Account number", "12345678")
    shown = plain(counter.answer("Name on the account", ""))
    assert "Warning: sort code 12-34-56 is not in the modulus tables" in shown
    counter.answer("Item 1", "10in spikes qty=3")
    counter.answer("Item 2", "")
    counter.answer(r"Save\?", "")
    status, rest = counter.finish()
    assert status == 0, rest


def test_evidence_of_value_is_asked_for_and_a_renamed_program_is_refused(desk):
    folder = desk.folder
    (folder / "receipt.pdf").write_bytes(pdf())
    shutil.copy("/bin/true", folder / "invoice.pdf")
    counter = desk("log", "--at", AT)
    counter.answer("Claimant name", "Jane Smith")
    counter.answer("Address", "1 High Street, Cambridge")
    counter.answer("Postcode", "CB1 1JG")
    counter.answer("makes this declaration", "")
    counter.answer("bank details", "")
    counter.answer("Item 1", "10in spikes value=60 evidence=receipt")
    counter.answer("Item 2", "10in spikes qty=2")
    counter.answer("Item 3", "")
    counter.answer(r"Save\?", "")
    counter.answer("Evidence file 1", str(folder / "invoice.pdf"))
    shown = plain(counter.answer("Evidence file 1", str(folder / "receipt.pdf")))
    assert "is not a PDF, JPEG or PNG: it looks like a Linux program" in shown
    shown = plain(counter.answer("Evidence file 2", ""))
    assert "kept receipt.pdf (PDF" in shown
    status, rest = counter.finish()
    assert status == 0, rest
    reference = saved_reference(rest)
    with sqlite3.connect(folder / "desk.db") as conn:
        kept = conn.execute("SELECT e.number, e.name, e.content FROM evidence e JOIN surrender s "
                            "ON s.id = e.surrender_id WHERE s.reference = ?", (reference,)).fetchall()
    assert kept == [(1, "receipt.pdf", (folder / "receipt.pdf").read_bytes())]
