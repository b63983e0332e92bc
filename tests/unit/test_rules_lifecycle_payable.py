"""One meaning of payable everywhere."""

import pytest

from surrender.rules.lifecycle import STATUSES, UNPAID_STATUSES, effective_payable


@pytest.mark.parametrize("status", STATUSES)
def test_a_rejected_or_not_payable_claim_pays_nothing_and_every_other_pays_its_amount(status):
    expected = 0 if status in ("rejected", "not_payable") else 3000
    assert effective_payable(status, 3000) == expected


@pytest.mark.parametrize("status", STATUSES)
def test_a_void_claim_pays_nothing_whatever_its_status(status):
    assert effective_payable(status, 3000, voided=True) == 0


def test_the_unpaid_statuses_are_exactly_rejected_and_not_payable():
    assert set(UNPAID_STATUSES) == {"rejected", "not_payable"}
