"""SPEC 2: money is exact integer pence; bad input is refused with a clear message."""

from decimal import Decimal

import pytest

from surrender.errors import Refused
from surrender.rules.money import MAX_ITEM_PENCE, format_gbp, format_pence, parse_money, to_decimal


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("10", 1000),
        ("10.5", 1050),
        ("10.50", 1050),
        ("£10.50", 1050),
        ("£ 10.50", 1050),
        ("  10.05  ", 1005),
        ("0", 0),
        ("0.01", 1),
        ("0.1", 10),
        ("29.99", 2999),
        ("30", 3000),
        ("100.00", 10000),
        ("100.01", 10001),
        ("500", 50000),
        ("007", 700),
        ("100000", MAX_ITEM_PENCE),
        ("100000.00", MAX_ITEM_PENCE),
    ],
)
def test_an_amount_is_read_as_exact_pence(text, pence):
    assert parse_money(text) == pence


@pytest.mark.parametrize("text", ["10.505", "10.001", "£10.999", "0.125", "1.000"])
def test_an_amount_with_more_than_two_decimal_places_is_refused(text):
    with pytest.raises(Refused, match="more than 2 decimal places"):
        parse_money(text)


@pytest.mark.parametrize("text", ["-1", "-0.01", " -10.00", "-0"])
def test_a_negative_amount_is_refused(text):
    with pytest.raises(Refused, match="negative"):
        parse_money(text)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "ten", "£", "10p", "1,000", "10.", ".50", "10.5.0", "1e3", "NaN", "$10", "10 pounds", "£-5", "0x10"],
)
def test_text_that_is_not_money_is_refused(text):
    with pytest.raises(Refused, match="not an amount of money"):
        parse_money(text)


@pytest.mark.parametrize("text", ["100000.01", "100001", "999999999"])
def test_an_absurd_amount_is_refused_with_a_hint_to_check_it(text):
    with pytest.raises(Refused, match="check the figure"):
        parse_money(text)


def test_an_absurdly_long_figure_is_refused():
    with pytest.raises(Refused):
        parse_money("1" * 40)


def test_a_refusal_names_what_was_being_read():
    with pytest.raises(Refused, match="claimed_value"):
        parse_money("ten", "claimed_value")


@pytest.mark.parametrize(
    ("pence", "plain", "pretty"),
    [
        (0, "0.00", "£0.00"),
        (1, "0.01", "£0.01"),
        (10, "0.10", "£0.10"),
        (1000, "10.00", "£10.00"),
        (1050, "10.50", "£10.50"),
        (2999, "29.99", "£29.99"),
        (123450, "1234.50", "£1,234.50"),
        (358_710_00, "358710.00", "£358,710.00"),
        (-1050, "-10.50", "-£10.50"),
        (-1, "-0.01", "-£0.01"),
    ],
)
def test_pence_are_formatted_for_files_and_for_people(pence, plain, pretty):
    assert format_pence(pence) == plain
    assert format_gbp(pence) == pretty


@pytest.mark.parametrize(("pence", "value"), [(0, Decimal("0.00")), (1050, Decimal("10.50")), (1, Decimal("0.01"))])
def test_pence_convert_to_an_exact_two_place_decimal(pence, value):
    result = to_decimal(pence)
    assert result == value
    assert str(result) == str(value)
