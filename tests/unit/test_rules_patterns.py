"""The reviewers' patterns and the bookings' match as pure rules, at their edges (issue 17)."""

from __future__ import annotations

import datetime as dt

import pytest

from surrender.errors import Refused
from surrender.rules.bookings import Booked, make_booking, match_booking, needs_booking
from surrender.rules.campaign import parse_campaign
from surrender.rules.patterns import (
    LineFacts,
    OtherClaim,
    check_reason,
    claimant_key,
    item_flags,
    parse_price_list,
    price_for,
    reason_of,
    several_stations,
    shared_account,
    with_flags,
)

CUTOFF = dt.date(2024, 8, 26)


@pytest.mark.parametrize(("a", "b"), [
    (("J. O'Brien", "cb1 1jg"), ("j obrien", "CB11JG")),
    (("  Jane   SMITH ", "CB1 1JG"), ("jane smith", "cb1  1jg")),
    (("Zoë Lévy", "CB1 1JG"), ("Zoe Levy", "CB1 1JG")),
])
def test_one_claimant_however_the_name_and_postcode_are_typed(a, b):
    assert claimant_key(*a) == claimant_key(*b)


def test_another_name_or_postcode_is_another_claimant():
    assert claimant_key("Jane Smith", "CB1 1JG") != claimant_key("John Smith", "CB1 1JG")
    assert claimant_key("Jane Smith", "CB1 1JG") != claimant_key("Jane Smith", "CB1 1JH")


def test_a_shared_account_is_another_claimant_and_several_stations_the_same_one_elsewhere():
    me = claimant_key("Jane Smith", "CB1 1JG")
    others = [OtherClaim("TW-1", "TW", me), OtherClaim("PK-1", "PK", me),
              OtherClaim("TW-2", "TW", claimant_key("Tom Brown", "PE1 1AA"))]
    assert [o.reference for o in shared_account(me, others)] == ["TW-2"]
    assert [o.reference for o in several_stations(me, "TW", others)] == ["PK-1"]
    assert several_stations(me, "PK", others)[0].reference == "TW-1"


PRICES = parse_price_list("model,price\nZombie Hunter,40.00\nZombie Hunter XL,60\n\n")


def test_the_longest_model_named_whole_in_the_description_is_its_price():
    assert price_for("Zombie-Hunter XL (boxed)", PRICES).model == "Zombie Hunter XL"
    assert price_for("zombie hunter", PRICES).pence == 4000
    assert price_for("Zombie Hunters", PRICES) is None  # whole words only
    assert price_for("", PRICES) is None


def test_a_value_above_the_price_is_flagged_at_it_not_and_an_acquisition_after_the_cutoff_is():
    lines = [LineFacts(1, "Zombie Hunter", 4001, None), LineFacts(2, "Zombie Hunter", 4000, CUTOFF),
             LineFacts(3, "Other", 99_999, CUTOFF + dt.timedelta(days=1)), LineFacts(4, "Zombie Hunter", None, None)]
    assert item_flags(lines, PRICES, CUTOFF) == [
        "above-price-list: line 1 claims £40.01 each; the price list has £40.00 for Zombie Hunter",
        "acquired-after-cutoff: line 3 acquired 27 Aug 2024, after the cut-off 26 Aug 2024",
    ]
    assert item_flags(lines[:1], (), CUTOFF) == []  # no price list: nothing to compare with


@pytest.mark.parametrize(("text", "message"), [
    ("name,price\nA,1", "line 1: the header must be exactly: model,price"),
    ("model,price\nA,1,2", "line 2: 3 cells for 2 columns"),
    ("model,price\n,1", "line 2: no model named"),
    ("model,price\nA,1\na.,2", "line 3: model 'a.' is listed twice"),
    ("model,price\nA,-1", "line 2: price '-1' is negative"),
    ("model,price\nA,1\x7f", "control characters"),
    ("model,price\n", "lists no models"),
])
def test_a_bad_price_list_is_refused_naming_its_line(text, message):
    with pytest.raises(Refused, match=message):
        parse_price_list(text)


def test_flags_are_found_by_reason_and_added_once():
    assert reason_of("shared-account: x") == "shared-account" and reason_of("claim £600 over £500") is None
    assert with_flags(["a"], ["b", "a", "b"]) == ["a", "b"]
    assert check_reason(" Shared-Account ") == "shared-account"
    with pytest.raises(Refused, match="not one of: shared-account, several-stations"):
        check_reason("shared")


def _preset(extra: str) -> str:
    from importlib import resources

    text = resources.files("surrender.campaigns").joinpath("zombie-2024.toml").read_text("utf-8")
    return text.replace("booking_threshold = 5\n", extra)


def test_the_presets_ask_for_a_booking_from_five_items_and_a_file_may_say_otherwise_or_nothing():
    from surrender.campaigns import load_preset

    assert load_preset("zombie-2024").booking_threshold == load_preset("ninja-2025").booking_threshold == 5
    assert parse_campaign(_preset("booking_threshold = 11\n")).booking_threshold == 11
    assert parse_campaign(_preset("")).booking_threshold is None
    for bad in ("0", '"5"', "true"):
        with pytest.raises(Refused, match="booking_threshold must be a whole number of items, 1 or more"):
            parse_campaign(_preset(f"booking_threshold = {bad}\n"))


def test_a_price_list_named_but_not_read_with_its_file_is_refused():
    with pytest.raises(Refused, match="price_list 'p.csv' is read with the campaign file"):
        parse_campaign(_preset('price_list = "p.csv"\n'))


def test_a_surrender_needs_a_booking_at_the_threshold_not_below():
    assert needs_booking(5, 5) and not needs_booking(4, 5) and not needs_booking(500, None)


def test_a_booking_matches_by_business_or_name_folded_first_booked_first():
    booked = [Booked(1, "Pat Lee", "Lee Knives Ltd", 6), Booked(2, "Pat Lee", None, 9), Booked(3, "Jo Bloggs", None, 7)]
    assert match_booking("Someone", "LEE KNIVES, LTD.", booked).id == 1
    assert match_booking("pat  lee", None, booked).id == 1
    assert match_booking("J. Bloggs", None, booked) is None
    assert match_booking("jo bloggs", "Other Ltd", booked).id == 3
    assert match_booking(None, None, booked) is None


def test_a_booking_needs_a_name_and_a_whole_number_of_items():
    assert make_booking("  Pat   Lee ", "", 1, CUTOFF).name == "Pat Lee"
    with pytest.raises(Refused, match="needs the --name"):
        make_booking(" .. ", None, 5, CUTOFF)
    with pytest.raises(Refused, match="--expected must be a whole number of items from 1"):
        make_booking("Pat", None, 0, CUTOFF)
