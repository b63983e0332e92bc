"""What keeps a claim out of the bank file (issue 9): payment details missing or malformed."""

from __future__ import annotations

import pytest

from surrender.rules.claimant import make_claimant, payment_gaps


def test_complete_details_from_the_desk_have_no_gaps():
    details = make_claimant("Jo Bloggs", "1 Road", "CB1 1JG", sort_code="12 34 56", account_number="1234 5678")
    assert payment_gaps(details.sort_code, details.account_number, details.account_name) == []


def test_a_claimant_logged_without_bank_details_lacks_all_three():
    details = make_claimant("Jo Bloggs", "1 Road", "CB1 1JG")
    assert payment_gaps(details.sort_code, details.account_number, details.account_name) == [
        "no sort code", "no account number", "no account name"]


@pytest.mark.parametrize("sort_code, account_number, account_name, gaps", [
    ("12-34-56", "12345678", "   ", ["no account name"]),
    ("", "12345678", "Jo", ["no sort code"]),
    ("12-34-5", "12345678", "Jo", ["sort code is not 6 digits"]),
    ("123456", "12345678", "Jo", ["sort code is not 6 digits"]),  # stored forms are normalised: 12-34-56
    ("12-34-56", "1234567", "Jo", ["account number is not 8 digits"]),
    ("12-34-56", "123456789", "Jo", ["account number is not 8 digits"]),
    ("12-34-56", "1234567x", "Jo", ["account number is not 8 digits"]),
    ("12-34-56", None, None, ["no account number", "no account name"]),
    ("١٢-٣٤-٥٦", "12345678", "Jo", ["sort code is not 6 digits"]),  # digits of another script
], ids=["blank name", "no sort code", "5 digits", "unformatted", "7 digits", "9 digits", "letter", "two missing",
        "arabic-indic digits"])
def test_each_missing_or_malformed_detail_is_named(sort_code, account_number, account_name, gaps):
    assert payment_gaps(sort_code, account_number, account_name) == gaps


def test_a_batch_from_before_anchors_keeps_its_original_layout_byte_for_byte():
    """Re-creating a batch exported before anchors existed must give the very same bytes."""
    from surrender.exports import COLUMNS, render

    row = {column: f"v-{column}" for column in COLUMNS} | {"batch": 1, "items": 3, "amount": "30.00"}
    assert render([row], "csv", 1, None).decode().splitlines()[0] == ",".join(COLUMNS)
    assert render([row], "json", 1, None).decode().startswith("[\n")
    anchored = render([row], "csv", 1, "surrender-anchor events=3 head=" + "a" * 64).decode().splitlines()
    assert anchored[0].endswith(",audit_anchor") and anchored[1].endswith(",surrender-anchor events=3 head=" + "a" * 64)
