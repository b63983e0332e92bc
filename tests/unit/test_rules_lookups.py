"""The bound on "where is my money?" misses and the words for a claim with its payer (pure rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.lookups import MISSES_PER_HOUR, WINDOW, free_again_at, hour_of
from surrender.rules.payer import HOME_OFFICE, Standing, payer_standing

NOW = dt.datetime(2024, 9, 10, 13, 0, tzinfo=dt.UTC)


def ago(*minutes: float) -> list[dt.datetime]:
    return [NOW - dt.timedelta(minutes=m) for m in minutes]


def test_fewer_misses_than_the_limit_in_the_hour_leave_the_next_try_free():
    assert free_again_at(ago(1, 2, 3, 4), NOW) is None
    assert free_again_at(ago(1, 2, 3, 4, 60), NOW) is None  # exactly an hour ago has left the window
    assert free_again_at(ago(1, 2, 3, 4, 61, 90), NOW) is None


def test_the_limit_reached_frees_when_the_oldest_counted_miss_leaves_the_hour():
    assert MISSES_PER_HOUR == 5
    assert free_again_at(ago(1, 2, 3, 4, 59.5), NOW) == NOW + dt.timedelta(seconds=30)
    assert free_again_at(ago(1, 2, 3, 4, 5, 6, 7), NOW) == NOW - dt.timedelta(minutes=5) + WINDOW


def test_a_miss_in_the_future_of_the_clock_is_not_counted():
    assert free_again_at([NOW + dt.timedelta(minutes=1)] * 5, NOW) is None


def test_misses_roll_up_by_the_utc_clock_hour():
    assert hour_of(dt.datetime(2024, 9, 10, 14, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == NOW


@pytest.mark.parametrize(("status", "disputed", "words", "since"), [
    (ClaimStatus.EXPORTED, None, "with the Home Office since", NOW),
    (ClaimStatus.DECIDED, None, "decided", None),
    (ClaimStatus.REFUSED, None, "refused by the Home Office", None),
    (ClaimStatus.DECIDED, NOW + WINDOW, "disputed with the Home Office since", NOW + WINDOW),
    (ClaimStatus.PAID, None, "paid", None),
])
def test_a_claim_sent_to_the_home_office_says_where_it_stands_there(status, disputed, words, since):
    assert payer_standing(status, HOME_OFFICE, NOW, disputed) == Standing(words, since)


def test_a_claim_never_sent_to_the_payer_has_no_standing_there():
    assert payer_standing(ClaimStatus.APPROVED, HOME_OFFICE, None, None) is None
