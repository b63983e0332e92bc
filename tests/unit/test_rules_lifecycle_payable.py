"""One meaning of payable everywhere."""

import pytest

from surrender.rules.lifecycle import STATUSES, UNPAID_STATUSES, effective_payable


@pytest.mark.parametrize("status", STATUSES)
def test_a_rejected_or_not_payable_claim_pays_nothing_and_every_other_pays_its_amount(status):
    expected = 0 if status in ("rejected", "not_payable", "refused") else 3000
    assert effective_payable(status, 3000) == expected


@pytest.mark.parametrize("status", STATUSES)
def test_a_void_claim_pays_nothing_whatever_its_status(status):
    assert effective_payable(status, 3000, voided=True) == 0


def test_the_unpaid_statuses_are_exactly_rejected_not_payable_and_refused_by_the_payer():
    assert set(UNPAID_STATUSES) == {"rejected", "not_payable", "refused"}


def test_a_reason_over_the_limit_is_refused_with_the_limit():
    import pytest

    from surrender.errors import Refused
    from surrender.rules.lifecycle import require_reason

    assert require_reason("  wrong   station ", "voiding") == "wrong station"
    assert len(require_reason("x" * 500, "voiding")) == 500
    with pytest.raises(Refused, match="the reason is 501 characters long; the most is 500"):
        require_reason("x" * 501, "voiding")
