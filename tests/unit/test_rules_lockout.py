"""rules/lockout.py at its edges, and the figures its docstring and the README give."""

from __future__ import annotations

import datetime as dt

from surrender.rules.lockout import (
    FREE_TRIES,
    LOCK_AFTER,
    TERMINAL_FORGETS_AFTER,
    TERMINAL_MAX_WAIT,
    Tries,
    left_before_lock,
    locks,
    member_wait,
    terminal_tries,
    terminal_wait,
    wait_after,
    whole_seconds,
)

T0 = dt.datetime(2024, 9, 10, 13, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def test_the_free_tries_cost_nothing_and_each_wrong_pin_after_doubles_the_wait():
    assert [wait_after(n).total_seconds() for n in range(6)] == [0, 0, 4, 8, 16, 32]
    assert FREE_TRIES == 2


def test_a_terminals_wait_stops_growing_at_an_hour_a_members_grows_until_the_lock():
    assert wait_after(11, TERMINAL_MAX_WAIT) == dt.timedelta(seconds=2048)
    assert wait_after(12, TERMINAL_MAX_WAIT) == TERMINAL_MAX_WAIT == wait_after(10_000, TERMINAL_MAX_WAIT)
    assert wait_after(9) == dt.timedelta(seconds=512)


def test_the_wait_runs_from_the_last_wrong_pin_and_ends_exactly_then():
    tries = Tries(3, T0)
    assert member_wait(tries, T0) == dt.timedelta(seconds=8)
    assert member_wait(tries, T0 + 8 * SECOND - dt.timedelta(microseconds=1)) > dt.timedelta(0)
    assert member_wait(tries, T0 + 8 * SECOND) == dt.timedelta(0)
    assert member_wait(Tries(), T0) == dt.timedelta(0)


def test_a_terminal_forgets_its_count_after_a_quiet_day():
    tries = Tries(20, T0)
    assert terminal_tries(tries, T0 + TERMINAL_FORGETS_AFTER - SECOND) == tries
    assert terminal_tries(tries, T0 + TERMINAL_FORGETS_AFTER) == Tries()
    assert terminal_wait(tries, T0 + TERMINAL_MAX_WAIT) == dt.timedelta(0)


def test_the_fifth_wrong_pin_in_a_row_locks():
    assert [locks(n) for n in (4, 5, 6)] == [False, True, True] and LOCK_AFTER == 5  # SPEC 3: five
    assert (left_before_lock(0), left_before_lock(4), left_before_lock(12)) == (5, 1, 0)


def test_a_wait_is_told_in_whole_seconds_rounded_up():
    assert [whole_seconds(dt.timedelta(seconds=s)) for s in (0.001, 1, 1.2, 63.9)] == [1, 1, 2, 64]


def fastest(tries: int, cap: dt.timedelta | None) -> list[dt.datetime]:
    """When a guesser types `tries` wrong PINs, each as soon as allowed."""
    now, count, times = T0, Tries(), []
    for _ in range(tries):
        now += member_wait(count, now) if cap is None else terminal_wait(count, now)
        times.append(now)
        count = Tries(count.wrong + 1, now)
    return times


def test_the_figures_a_member_is_locked_no_sooner_than_28_seconds_after_the_first_wrong_pin():
    assert fastest(LOCK_AFTER, None)[-1] - T0 == dt.timedelta(seconds=28)  # 0, 0, 4, 8, 16


def test_the_figures_a_terminal_gets_11_wrong_pins_in_its_first_hour_34_in_a_day_then_one_an_hour():
    times = fastest(200, TERMINAL_MAX_WAIT)
    assert sum(t - T0 < dt.timedelta(hours=1) for t in times) == 11
    assert sum(t - T0 < dt.timedelta(days=1) for t in times) == 34
    assert times[100] - times[99] == TERMINAL_MAX_WAIT


def test_the_figures_a_stranger_at_one_terminal_needs_over_19_hours_to_lock_six_members():
    assert fastest(6 * LOCK_AFTER, TERMINAL_MAX_WAIT)[-1] - T0 > dt.timedelta(hours=19)
