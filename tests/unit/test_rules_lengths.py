"""SPEC 2: blade lengths are parsed exactly (1 in = 25.4 mm) and compared exactly."""

from decimal import Decimal

import pytest

from surrender.errors import Refused
from surrender.rules.lengths import format_length, parse_length, parse_optional_length

EIGHT_INCHES_MM = Decimal("203.2")
FOURTEEN_INCHES_MM = Decimal("355.6")
TWENTY_FOUR_INCHES_MM = Decimal("609.6")


@pytest.mark.parametrize(
    ("text", "mm"),
    [
        ("9.5in", Decimal("241.3")),
        ('9.5"', Decimal("241.3")),
        ("24cm", Decimal("240")),
        ("241mm", Decimal("241")),
        ("9.5", Decimal("241.3")),
        ("8", Decimal("203.2")),
        ("1", Decimal("25.4")),
        (".5", Decimal("12.7")),
        ("9.5 in", Decimal("241.3")),
        ("  9.5in  ", Decimal("241.3")),
        ("9.5IN", Decimal("241.3")),
        ("9.5 inches", Decimal("241.3")),
        ("1 inch", Decimal("25.4")),
        ("24 CM", Decimal("240")),
        ("241 MM", Decimal("241")),
        ("20.4cm", Decimal("204")),
        ("203.2mm", Decimal("203.2")),
        ("0.1mm", Decimal("0.1")),
        ("3000mm", Decimal("3000")),
        ("300cm", Decimal("3000")),
    ],
)
def test_a_length_in_any_accepted_unit_is_read_as_exact_millimetres(text, mm):
    assert parse_length(text) == mm


def test_a_bare_number_means_inches():
    assert parse_length("10") == parse_length("10in") == Decimal("254")


@pytest.mark.parametrize(
    ("text", "over_eight_inches"),
    [
        ("8in", False),
        ('8"', False),
        ("8", False),
        ("203.2mm", False),
        ("20.32cm", False),
        ("7.99in", False),
        ("203.1mm", False),
        ("20.4cm", True),
        ("203.3mm", True),
        ("203.21mm", True),
        ("8.01in", True),
        ("8.001in", True),
        ("9.5in", True),
    ],
)
def test_eight_inches_exactly_is_not_over_eight_inches_but_a_hair_more_is(text, over_eight_inches):
    assert (parse_length(text) > EIGHT_INCHES_MM) is over_eight_inches


@pytest.mark.parametrize(
    ("text", "within_ninja_range"),
    [
        ("14in", True),
        ("355.6mm", True),
        ("35.56cm", True),
        ("24in", True),
        ("609.6mm", True),
        ("60.96cm", True),
        ("18in", True),
        ("13.99in", False),
        ("355.5mm", False),
        ("24.01in", False),
        ("609.7mm", False),
    ],
)
def test_fourteen_and_twenty_four_inches_are_the_inclusive_ends_of_the_ninja_range(text, within_ninja_range):
    mm = parse_length(text)
    assert (FOURTEEN_INCHES_MM <= mm <= TWENTY_FOUR_INCHES_MM) is within_ninja_range


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "abc",
        "in",
        "9.5ft",
        "9.5 yards",
        "9,5in",
        "9.5.1in",
        "1e3",
        "NaN",
        "Infinity",
        "9.5in long",
        "about 9in",
        "9in 5mm",
        "0x10",
    ],
)
def test_junk_is_not_a_length(text):
    with pytest.raises(Refused, match="not a length"):
        parse_length(text)


@pytest.mark.parametrize("text", ["-1", "-9.5in", "-24cm", "- 3mm"])
def test_a_negative_length_is_refused(text):
    with pytest.raises(Refused):
        parse_length(text)


@pytest.mark.parametrize("text", ["0", "0in", "0.0cm", "0mm", "0.000"])
def test_a_zero_length_is_refused(text):
    with pytest.raises(Refused, match="more than zero"):
        parse_length(text)


@pytest.mark.parametrize("text", ["3000.1mm", "300.01cm", "119in", "1000", "99999999999999999999mm"])
def test_an_absurd_length_is_refused_with_a_hint_to_check_the_units(text):
    with pytest.raises(Refused, match="check the units"):
        parse_length(text)


def test_the_longest_accepted_length_is_three_metres():
    assert parse_length("3000mm") == Decimal(3000)


@pytest.mark.parametrize("text", [None, "", "  ", "0", "0in", "0mm", "0cm", "no", "none"])
def test_an_empty_or_zero_optional_length_means_none(text):
    assert parse_optional_length(text) == Decimal(0)


@pytest.mark.parametrize(("text", "mm"), [("2in", Decimal("50.8")), ("3cm", Decimal("30"))])
def test_an_optional_length_that_is_given_is_parsed_like_any_other(text, mm):
    assert parse_optional_length(text) == mm


def test_an_optional_length_that_is_junk_is_still_refused():
    with pytest.raises(Refused):
        parse_optional_length("lots")


@pytest.mark.parametrize(
    ("mm", "shown"),
    [
        (Decimal("241.3"), "241.3 mm (9.5 in)"),
        (Decimal("203.2"), "203.2 mm (8 in)"),
        (Decimal("240"), "240 mm (9.45 in)"),
    ],
)
def test_a_length_is_shown_in_both_millimetres_and_inches(mm, shown):
    assert format_length(mm) == shown


@pytest.mark.parametrize(
    ("text", "mm"),
    [
        ("8.0001in", Decimal("203.20254")),
        ("203.2001mm", Decimal("203.2001")),
        ("241.30000mm", Decimal("241.3")),  # trailing zeros are not extra precision
        ("9.50000000in", Decimal("241.3")),
    ],
)
def test_up_to_four_decimal_places_are_read_exactly(text, mm):
    assert parse_length(text) == mm


@pytest.mark.parametrize(
    "text",
    [
        "8.00001in",
        "203.20001mm",
        "8.0000000000000000000000000001",  # would round to exactly 8in in a 28-digit context
        "203.20000000000000000000000000001mm",
    ],
)
def test_a_length_finer_than_any_ruler_is_refused_rather_than_rounded(text):
    with pytest.raises(Refused, match="decimal places"):
        parse_length(text)


@pytest.mark.parametrize(("mm", "shown"), [
    ("254", "10in (254mm)"), ("241.3", "9.5in (241.3mm)"), ("203.2", "8in (203.2mm)"),
    ("240", "about 9.449in (240mm)"),  # 24 cm: the inches are not exact, and say so
    ("203.3", "about 8.004in (203.3mm)"),  # just over 8 inches never reads as 8.00
    ("38.1", "1.5in (38.1mm)"),
])
def test_lengths_read_in_the_orders_inches_beside_the_exact_millimetres(mm, shown):
    from surrender.rules.lengths import format_legal

    assert format_legal(Decimal(mm)) == shown
