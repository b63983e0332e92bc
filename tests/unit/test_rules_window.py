"""SPEC 1-2: the surrender window in Europe/London local time, never in the future."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from surrender.campaigns import load_preset
from surrender.errors import Refused
from surrender.rules.window import NeedsTime, check_surrender_time, parse_local_datetime, window_bounds

ZOMBIE = load_preset("zombie-2024")
NINJA = load_preset("ninja-2025")
LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
LATER = dt.datetime(2030, 1, 1, tzinfo=UTC)  # a `now` after every window


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def inside(campaign, at, now=LATER) -> bool:
    try:
        check_surrender_time(campaign, at, now)
    except Refused:
        return False
    return True


@pytest.mark.parametrize(
    ("campaign", "start", "end"),
    [
        (ZOMBIE, utc(2024, 8, 25, 23), utc(2024, 9, 23, 23)),
        (NINJA, utc(2025, 6, 30, 23), utc(2025, 7, 31, 23)),
    ],
)
def test_the_window_runs_from_local_midnight_on_the_first_day_to_local_midnight_after_the_last(campaign, start, end):
    assert window_bounds(campaign) == (start, end)


@pytest.mark.parametrize(
    ("at", "ok"),
    [
        pytest.param(london(2024, 8, 26, 0, 0), True, id="26-aug-00:00-bst"),
        pytest.param(utc(2024, 8, 25, 23, 0), True, id="25-aug-23:00-utc"),
        pytest.param(london(2024, 8, 25, 23, 59, 59), False, id="25-aug-23:59:59-bst"),
        pytest.param(utc(2024, 8, 25, 22, 59, 59), False, id="25-aug-22:59:59-utc"),
        pytest.param(london(2024, 8, 25, 23, 59, 59, 999999), False, id="last-microsecond-before"),
        pytest.param(london(2024, 9, 10, 12, 0), True, id="mid-window"),
        pytest.param(london(2024, 9, 23, 23, 59, 59), True, id="23-sep-23:59:59-bst"),
        pytest.param(london(2024, 9, 23, 23, 59, 59, 999999), True, id="last-microsecond"),
        pytest.param(london(2024, 9, 24, 0, 0), False, id="24-sep-00:00-bst"),
        pytest.param(utc(2024, 9, 23, 23, 0), False, id="23-sep-23:00-utc"),
        pytest.param(utc(2024, 9, 23, 22, 59, 59), True, id="23-sep-22:59:59-utc"),
        pytest.param(dt.datetime(2024, 9, 24, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), True,
                     id="24-sep-00:30-at-plus-two-is-23-sep-23:30-bst"),
        pytest.param(dt.datetime(2024, 9, 24, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), False,
                     id="24-sep-01:00-at-plus-two-is-24-sep-00:00-bst"),
        pytest.param(london(2023, 9, 1, 12, 0), False, id="a-year-early"),
        pytest.param(london(2025, 9, 1, 12, 0), False, id="a-year-late"),
    ],
)
def test_the_zombie_window_is_26_august_to_23_september_inclusive_london_time(at, ok):
    assert inside(ZOMBIE, at) is ok


@pytest.mark.parametrize(
    ("at", "ok"),
    [
        pytest.param(london(2025, 6, 30, 23, 59, 59), False, id="30-jun-23:59:59"),
        pytest.param(london(2025, 7, 1, 0, 0), True, id="1-jul-00:00"),
        pytest.param(utc(2025, 6, 30, 23, 0), True, id="30-jun-23:00-utc"),
        pytest.param(london(2025, 7, 31, 23, 59, 59), True, id="31-jul-23:59:59"),
        pytest.param(london(2025, 8, 1, 0, 0), False, id="1-aug-00:00"),
        pytest.param(utc(2025, 7, 31, 23, 0), False, id="31-jul-23:00-utc"),
        pytest.param(london(2024, 9, 1, 12, 0), False, id="in-the-zombie-window"),
    ],
)
def test_the_ninja_window_is_1_to_31_july_2025_inclusive_london_time(at, ok):
    assert inside(NINJA, at) is ok


def test_a_refusal_outside_the_window_says_so_and_names_the_dates():
    with pytest.raises(Refused, match=r"outside the zombie-2024 window \(26 Aug 2024 to 23 Sep 2024"):
        check_surrender_time(ZOMBIE, london(2024, 9, 24, 0, 0), LATER)


def test_a_refusal_shows_the_time_in_london_time():
    with pytest.raises(Refused, match="25 Aug 2024 23:59 BST"):
        check_surrender_time(ZOMBIE, utc(2024, 8, 25, 22, 59), LATER)


@pytest.mark.parametrize(
    ("at", "now", "refused"),
    [
        pytest.param(utc(2024, 9, 1, 12, 0, 1), utc(2024, 9, 1, 12, 0), True, id="one-second-ahead"),
        pytest.param(utc(2024, 9, 2), utc(2024, 9, 1), True, id="one-day-ahead"),
        pytest.param(utc(2024, 9, 1, 12, 0), utc(2024, 9, 1, 12, 0), False, id="exactly-now"),
        pytest.param(utc(2024, 9, 1, 11, 59), utc(2024, 9, 1, 12, 0), False, id="a-minute-ago"),
        pytest.param(london(2024, 9, 1, 13, 0), utc(2024, 9, 1, 12, 0), False, id="same-instant-other-zone"),
        pytest.param(london(2024, 9, 1, 13, 1), utc(2024, 9, 1, 12, 0), True, id="a-minute-ahead-other-zone"),
    ],
)
def test_a_surrender_time_after_now_is_refused(at, now, refused):
    if refused:
        with pytest.raises(Refused, match="in the future"):
            check_surrender_time(ZOMBIE, at, now)
    else:
        check_surrender_time(ZOMBIE, at, now)


@pytest.mark.parametrize(
    ("at", "now"),
    [
        (dt.datetime(2024, 9, 1, 12, 0), LATER),
        (utc(2024, 9, 1, 12, 0), dt.datetime(2030, 1, 1)),
        (dt.datetime(2024, 9, 1, 12, 0), dt.datetime(2030, 1, 1)),
    ],
)
def test_a_naive_time_is_a_programming_error(at, now):
    with pytest.raises(ValueError, match="timezone-aware"):
        check_surrender_time(ZOMBIE, at, now)


# --- parse_local_datetime -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-09-01 14:30", utc(2024, 9, 1, 13, 30)),
        ("2024-09-01T14:30", utc(2024, 9, 1, 13, 30)),
        ("  2024-09-01 14:30  ", utc(2024, 9, 1, 13, 30)),
        ("2024-09-01 14:30:15", utc(2024, 9, 1, 13, 30, 15)),
        ("2024-08-26 00:00", utc(2024, 8, 25, 23, 0)),
        ("2024-12-01 14:30", utc(2024, 12, 1, 14, 30)),
    ],
)
def test_a_naive_time_is_read_as_europe_london_local_time(text, instant):
    value = parse_local_datetime(text)
    assert value.tzinfo is not None
    assert value == instant


@pytest.mark.parametrize(
    ("text", "offset_hours", "instant"),
    [
        ("2024-09-01T14:30+00:00", 0, utc(2024, 9, 1, 14, 30)),
        ("2024-09-01 14:30+02:00", 2, utc(2024, 9, 1, 12, 30)),
        ("2024-09-01T14:30-05:00", -5, utc(2024, 9, 1, 19, 30)),
        ("2024-09-01T14:30Z", 0, utc(2024, 9, 1, 14, 30)),
    ],
)
def test_a_time_with_an_explicit_offset_is_kept_as_given(text, offset_hours, instant):
    value = parse_local_datetime(text)
    assert value.utcoffset() == dt.timedelta(hours=offset_hours)
    assert value == instant


@pytest.mark.parametrize("text", ["2024-03-31 01:30", "2024-03-31 01:00", "2024-03-31 01:59:59", "2025-03-30 01:15"])
def test_a_time_in_the_spring_forward_gap_does_not_exist_and_is_refused(text):
    with pytest.raises(Refused, match="does not exist"):
        parse_local_datetime(text)


@pytest.mark.parametrize(("text", "instant"), [("2024-03-31 00:59", utc(2024, 3, 31, 0, 59)),
                                               ("2024-03-31 02:00", utc(2024, 3, 31, 1, 0))])
def test_the_times_either_side_of_the_spring_forward_gap_exist(text, instant):
    assert parse_local_datetime(text) == instant


@pytest.mark.parametrize(
    "text",
    ["", "   ", "yesterday", "now", "2024-09-31 12:00", "2024-09-01 25:00", "2024-13-01"],
)
def test_junk_is_not_a_date_and_time(text):
    with pytest.raises(Refused, match="not a date and time"):
        parse_local_datetime(text)


def test_a_parsed_local_time_feeds_the_window_check():
    check_surrender_time(ZOMBIE, parse_local_datetime("2024-08-26 00:00"), LATER)
    with pytest.raises(Refused):
        check_surrender_time(ZOMBIE, parse_local_datetime("2024-08-25 23:59:59"), LATER)
    check_surrender_time(ZOMBIE, parse_local_datetime("2024-09-23 23:59:59"), LATER)
    with pytest.raises(Refused):
        check_surrender_time(ZOMBIE, parse_local_datetime("2024-09-24 00:00"), LATER)


# --- clock changes (Europe/London) ----------------------------------------------------------


def test_a_local_time_that_happens_twice_is_refused_offering_both_readings():
    with pytest.raises(Refused) as refusal:
        parse_local_datetime("2024-10-27 01:30")
    assert str(refusal.value) == (
        '2024-10-27 01:30 happens twice in Europe/London (the clocks went back): '
        'give --at "2024-10-27 01:30+01:00" (BST) or --at "2024-10-27 01:30+00:00" (GMT)')


def test_a_local_time_the_clocks_skip_is_refused_offering_both_readings():
    with pytest.raises(Refused) as refusal:
        parse_local_datetime("2024-03-31 01:30")
    assert str(refusal.value) == (
        '2024-03-31 01:30 does not exist in Europe/London (the clocks went forward): '
        'give --at "2024-03-31 01:30+00:00" (= 02:30 BST) or --at "2024-03-31 01:30+01:00" (= 00:30 GMT)')


@pytest.mark.parametrize("text", ["2024-10-27 00:59", "2024-10-27 02:00", "2024-03-31 00:59", "2024-03-31 02:00"])
def test_the_minutes_either_side_of_a_clock_change_are_taken_as_local_time(text):
    value = parse_local_datetime(text)
    assert value.replace(tzinfo=None) == dt.datetime.fromisoformat(text)
    assert value.astimezone(dt.timezone.utc).astimezone(value.tzinfo).replace(tzinfo=None) == value.replace(tzinfo=None)


@pytest.mark.parametrize(("text", "utc"), [("2024-10-27 01:30+01:00", "2024-10-27 00:30"),
                                           ("2024-10-27 01:30+00:00", "2024-10-27 01:30"),
                                           ("2024-03-31 01:30+00:00", "2024-03-31 01:30")])
def test_each_offered_reading_is_accepted_as_the_instant_it_names(text, utc):
    value = parse_local_datetime(text)
    assert value.astimezone(dt.timezone.utc).replace(tzinfo=None) == dt.datetime.fromisoformat(utc)


@pytest.mark.parametrize("text", ["2024-10-27 01:00", "2024-10-27 01:59"])
def test_the_whole_repeated_hour_is_refused(text):
    with pytest.raises(Refused, match="happens twice"):
        parse_local_datetime(text)


# --- times the way people type them (issue 14) ------------------------------------------------

TODAY = dt.date(2024, 9, 20)


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2/9/2024 14:30", utc(2024, 9, 2, 13, 30)),
        ("02/09/2024 14:30", utc(2024, 9, 2, 13, 30)),
        ("2.9.2024 14:30", utc(2024, 9, 2, 13, 30)),
        ("2/9/24 14:30", utc(2024, 9, 2, 13, 30)),
        ("2 Sep 14:30", utc(2024, 9, 2, 13, 30)),
        ("2 Sept 2024 14:30", utc(2024, 9, 2, 13, 30)),
        ("2nd September 2024 2:30pm", utc(2024, 9, 2, 13, 30)),
        ("2 sep 2024, 14:30", utc(2024, 9, 2, 13, 30)),
        ("14:30", utc(2024, 9, 20, 13, 30)),
        ("2:30pm", utc(2024, 9, 20, 13, 30)),
        ("2:30 PM", utc(2024, 9, 20, 13, 30)),
        ("12am", utc(2024, 9, 19, 23, 0)),
        ("12pm", utc(2024, 9, 20, 11, 0)),
        ("yesterday 9am", utc(2024, 9, 19, 8, 0)),
        ("25 Dec 10:00", utc(2023, 12, 25, 10, 0)),  # no year: the last 25 Dec, never a future one
    ],
)
def test_times_typed_the_british_way_are_read_day_first_in_local_time(text, instant):
    assert parse_local_datetime(text, today=TODAY) == instant


@pytest.mark.parametrize("text", ["2024-09-02", "2/9/2024", "2 Sep", "2 September 2024"])
def test_a_date_without_a_time_is_never_taken_as_midnight(text):
    with pytest.raises(NeedsTime, match="has no time of day"):
        parse_local_datetime(text, today=TODAY)


@pytest.mark.parametrize("text", ["13pm", "0am", "25:00", "14:61", "banana", "2/13/2024 10:00", "31/2/2024 10:00",
                                  "2 Smarch 10:00", ""])
def test_nonsense_is_refused_naming_the_forms_that_work(text):
    with pytest.raises(Refused) as refused:
        parse_local_datetime(text, today=TODAY)
    assert not isinstance(refused.value, NeedsTime)


def test_a_time_alone_needs_to_know_today():
    with pytest.raises(Refused, match="has no date"):
        parse_local_datetime("14:30")
