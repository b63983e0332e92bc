"""One meaning of payable everywhere, and which payment details a claim still lacks."""

import pytest

from surrender.rules.lifecycle import STATUSES, UNPAID_STATUSES, effective_payable, payment_missing


@pytest.mark.parametrize("status", STATUSES)
def test_a_rejected_or_not_payable_claim_pays_nothing_and_every_other_pays_its_amount(status):
    expected = 0 if status in ("rejected", "not_payable") else 3000
    assert effective_payable(status, 3000) == expected


@pytest.mark.parametrize("status", STATUSES)
def test_a_void_claim_pays_nothing_whatever_its_status(status):
    assert effective_payable(status, 3000, voided=True) == 0


def test_the_unpaid_statuses_are_exactly_rejected_and_not_payable():
    assert set(UNPAID_STATUSES) == {"rejected", "not_payable"}


def test_complete_bank_details_lack_nothing():
    assert payment_missing({"sort_code": "12-34-56", "account_number": "12345678", "account_name": "J S"}) == []


def test_missing_and_blank_fields_are_named_in_words_in_a_fixed_order():
    fields = {"sort_code": "  ", "account_number": None, "account_name": "Jane Smith"}
    assert payment_missing(fields) == ["sort code", "account number"]
    assert payment_missing({}) == ["sort code", "account number", "account name"]


def test_no_claimant_at_all_lacks_everything():
    assert payment_missing(None) == ["sort code", "account number", "account name"]
