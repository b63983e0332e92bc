"""`surrender status`: the campaign window as a desk reads it, counted in local calendar days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from surrender.campaigns import load_preset
from surrender.rules.window import window_state

ZOMBIE = load_preset("zombie-2024")  # 26 Aug 2024 to 23 Sep 2024 inclusive, Europe/London
LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc


@pytest.mark.parametrize(("now", "shown"), [
    (dt.datetime(2024, 8, 16, 12, 0, tzinfo=LONDON), "opens in 10 days"),
    (dt.datetime(2024, 8, 25, 0, 0, tzinfo=LONDON), "opens tomorrow"),
    (dt.datetime(2024, 8, 25, 23, 59, 59, tzinfo=LONDON), "opens tomorrow"),
    (dt.datetime(2024, 8, 26, 0, 0, tzinfo=LONDON), "open"),
    (dt.datetime(2024, 9, 23, 23, 59, 59, tzinfo=LONDON), "open"),
    (dt.datetime(2024, 9, 24, 0, 0, tzinfo=LONDON), "closed yesterday"),
    (dt.datetime(2024, 9, 26, 9, 0, tzinfo=LONDON), "closed 3 days ago"),
])
def test_the_window_state_changes_at_local_midnight(now, shown):
    assert str(window_state(ZOMBIE, now)) == shown


def test_a_utc_instant_is_read_on_the_local_calendar():
    # 23:30 UTC on 25 Aug is 00:30 BST on 26 Aug: already open in London.
    assert window_state(ZOMBIE, dt.datetime(2024, 8, 25, 23, 30, tzinfo=UTC)).state == "open"
    # 22:30 UTC on 23 Sep is 23:30 BST: still the last day.
    assert window_state(ZOMBIE, dt.datetime(2024, 9, 23, 22, 30, tzinfo=UTC)).state == "open"
    assert window_state(ZOMBIE, dt.datetime(2024, 9, 23, 23, 30, tzinfo=UTC)).days == 1


def test_days_count_whole_calendar_days_across_a_year():
    state = window_state(ZOMBIE, dt.datetime(2025, 9, 23, 12, 0, tzinfo=LONDON))
    assert (state.state, state.days, str(state)) == ("closed", 365, "closed 365 days ago")


def test_a_naive_time_is_a_programming_error():
    with pytest.raises(ValueError):
        window_state(ZOMBIE, dt.datetime(2024, 9, 1, 12, 0))
