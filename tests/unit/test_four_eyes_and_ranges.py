"""Issue 18.8: four eyes on money and bounded dates, as pure rules at their edges."""

import datetime as dt

import pytest

from surrender.errors import Refused
from surrender.rules.bounds import FIRST_DAY, LAST_DAY, day_in_range
from surrender.rules.lifecycle import ClaimStatus, Step, four_eyes, transition


@pytest.mark.parametrize("day", [FIRST_DAY, LAST_DAY, dt.date(2024, 9, 2)])
def test_days_in_the_schemes_years_pass(day):
    assert day_in_range(day, "--from") == day


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31), FIRST_DAY - dt.timedelta(days=1),
                                 LAST_DAY + dt.timedelta(days=1)])
def test_days_outside_are_refused_naming_the_option(day):
    with pytest.raises(Refused, match=f"--to {day.isoformat()} is outside"):
        day_in_range(day, "--to")


def test_whoever_changed_the_bank_details_cannot_also_pay_them_out():
    four_eyes(7, {"A": {8}, "B": set()}, "export")
    with pytest.raises(Refused, match=r"^A, C: you changed the bank details, so someone else must export them"):
        four_eyes(7, {"C": {7}, "A": {7, 8}, "B": {8}}, "export")


def test_bank_details_after_approval_send_the_claim_back_to_pending_and_nothing_else():
    assert transition(Step.SEND_BACK, "approved") == ClaimStatus.PENDING
    for status in ("pending", "exported", "paid"):
        with pytest.raises(Refused):
            transition(Step.SEND_BACK, status)
