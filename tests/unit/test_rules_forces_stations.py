"""rules/stations.py at its edges: codes in the shape references need, details within bounds,
and a closed station refusing from the instant it closed."""

import datetime as dt

import pytest

from surrender.errors import Refused
from surrender.rules.stations import DETAIL_CHARS, closed_refusal, detail, force_code, station_code

CLOSED = dt.datetime(2024, 9, 20, 17, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("typed", "code"), [("lu", "LU"), (" BD ", "BD")])
def test_a_station_code_is_two_letters_upper_cased(typed, code):
    assert station_code(typed) == code


@pytest.mark.parametrize("typed", ["L", "LUT", "L1", "", "ÄB"])
def test_anything_else_is_refused_as_a_station_code(typed):
    with pytest.raises(Refused, match="must be two letters"):
        station_code(typed)


@pytest.mark.parametrize(("typed", "code"), [("beds", "BEDS"), ("CAMBS", "CAMBS"), ("m2", "M2"), ("A" * 10, "A" * 10)])
def test_a_force_code_is_two_to_ten_letters_or_digits(typed, code):
    assert force_code(typed) == code


@pytest.mark.parametrize("typed", ["B", "A" * 11, "2BEDS", "BE DS", ""])
def test_anything_else_is_refused_as_a_force_code(typed):
    with pytest.raises(Refused, match="force code"):
        force_code(typed)


def test_a_detail_is_tidied_empty_is_none_and_too_long_is_refused():
    assert detail("  101,   ask  for property ", "contact") == "101, ask for property"
    assert detail("   ", "contact") is None and detail(None, "contact") is None
    assert detail("x" * DETAIL_CHARS, "contact") == "x" * DETAIL_CHARS
    with pytest.raises(Refused, match="contact is 201 characters long"):
        detail("x" * (DETAIL_CHARS + 1), "contact")
    with pytest.raises(Refused, match="station name must not be empty"):
        detail(" ", "station name", required=True)


def test_a_station_refuses_new_surrenders_from_the_instant_it_closed():
    assert closed_refusal("PK", None, CLOSED) is None
    assert closed_refusal("PK", CLOSED, CLOSED - dt.timedelta(microseconds=1)) is None
    assert "station PK is closed (since 2024-09-20)" in closed_refusal("PK", CLOSED, CLOSED)
