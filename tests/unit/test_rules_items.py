"""SPEC 5: items from the `--items` CSV columns and the `--item KIND:BLADE:FEATURES` shorthand."""

import datetime as dt
from decimal import Decimal

import pytest

from surrender.errors import Refused
from surrender.rules.items import CSV_COLUMNS, Item, fields_from_words, item_from_fields, item_from_spec, standard_features

SPEC_COLUMNS = (
    "kind, description, blade_length, plain_edge, sharp_point, serrated_length, serrated_at_handle, holes, "
    "spikes, points, secondary_edge, blunt_spine, point_style, claimed_value, evidence, acquired_on, quantity, seal"
)


def row(**cells) -> dict[str, str]:
    """A CSV row with every column present and empty, except the cells given."""
    base = {column: "" for column in CSV_COLUMNS}
    base.update(kind="zombie-knife", blade_length="9.5in")
    base.update(cells)
    return base


def test_the_csv_columns_are_exactly_those_in_the_spec():
    assert CSV_COLUMNS == tuple(c.strip() for c in SPEC_COLUMNS.split(","))


def test_empty_cells_take_the_defaults():
    item = item_from_fields(row())
    assert item == Item.of(kind="zombie-knife", blade_length_mm=Decimal("241.3"))
    assert item.features["plain_edge"] is False
    assert item.features["sharp_point"] is False
    assert item.features["serrated_length"] == 0
    assert item.features["holes"] == 0 and item.features["points"] == 0
    assert item.features["point_style"] == "other"
    assert item.claimed_value_pence is None
    assert item.evidence == "none"
    assert item.acquired_on is None
    assert item.quantity == 1
    assert item.description == "" and item.seal == ""


def test_missing_columns_take_the_defaults_too():
    assert item_from_fields({"kind": "zombie-knife", "blade_length": "9.5in"}) == item_from_fields(row())


def test_a_cell_of_none_is_treated_as_empty():
    assert item_from_fields(row(holes=None, evidence=None)) == item_from_fields(row())


def test_a_fully_filled_row_is_read_into_every_field():
    item = item_from_fields(row(
        kind=" Zombie-Machete ", description="black, serrated", blade_length="24cm", plain_edge="yes",
        sharp_point="Y", serrated_length="3in", serrated_at_handle="no", holes="2", spikes="true", points="3",
        secondary_edge="1", blunt_spine="No", point_style="Tanto", claimed_value="£45.50", evidence="Receipt",
        acquired_on="2024-08-01", quantity="12", seal="S-0001",
    ))
    assert item == Item.of(
        kind="zombie-machete", description="black, serrated", blade_length_mm=Decimal(240), plain_edge=True,
        sharp_point=True, serrated_length=Decimal("76.2"), serrated_at_handle=False, holes=2, spikes=True,
        points=3, secondary_edge=True, blunt_spine=False, point_style="tanto", claimed_value_pence=4550,
        evidence="receipt", acquired_on=dt.date(2024, 8, 1), quantity=12, seal="S-0001",
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"colour": "black"}, "colour"),
        ({"Kind": "x"}, "Kind"),
        ({"blade length": "9in"}, "blade length"),
        ({"weight": "1", "colour": "2"}, "colour, weight"),
    ],
)
def test_unknown_columns_are_refused_naming_them(extra, named):
    with pytest.raises(Refused, match=f"unknown column\\(s\\) {named};"):
        item_from_fields({**row(), **extra})


@pytest.mark.parametrize(("cells", "message"), [({"kind": ""}, "kind is missing"), ({"kind": "  "}, "kind is missing"),
                                                ({"blade_length": ""}, "blade_length is missing")])
def test_kind_and_blade_length_are_required(cells, message):
    with pytest.raises(Refused, match=message):
        item_from_fields(row(**cells))


@pytest.mark.parametrize("column", ["plain_edge", "sharp_point", "serrated_at_handle", "spikes", "secondary_edge",
                                    "blunt_spine"])
@pytest.mark.parametrize(("text", "value"), [("yes", True), ("YES", True), ("y", True), ("true", True), ("1", True),
                                             ("no", False), ("N", False), ("false", False), ("0", False)])
def test_yes_no_columns_accept_yes_and_no(column, text, value):
    assert item_from_fields(row(**{column: text})).features[column] is value


@pytest.mark.parametrize("column", ["plain_edge", "spikes", "blunt_spine"])
@pytest.mark.parametrize("text", ["maybe", "2", "yess", "x", "on"])
def test_a_yes_no_column_with_anything_else_is_refused_naming_the_column(column, text):
    with pytest.raises(Refused, match=f"{column} must be yes or no"):
        item_from_fields(row(**{column: text}))


@pytest.mark.parametrize("column", ["holes", "points"])
@pytest.mark.parametrize("text", ["-1", "1.5", "two", "1e2", "²", "1001"])
def test_a_count_column_needs_a_sensible_whole_number(column, text):
    with pytest.raises(Refused, match=column):
        item_from_fields(row(**{column: text}))


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("1", 1), (" 2 ", 2), ("1000", 1000)])
def test_a_count_column_reads_whole_numbers(text, value):
    assert item_from_fields(row(holes=text)).features["holes"] == value


@pytest.mark.parametrize(("text", "value"), [("none", "none"), ("receipt", "receipt"), ("INVOICE", "invoice"),
                                             ("bank-statement", "bank-statement"), ("other", "other")])
def test_evidence_takes_one_of_the_known_kinds(text, value):
    assert item_from_fields(row(evidence=text)).evidence == value


@pytest.mark.parametrize("text", ["photo", "bank statement", "receipts", "yes"])
def test_unknown_evidence_is_refused_listing_the_choices(text):
    with pytest.raises(Refused, match="evidence must be one of none, receipt, invoice, bank-statement, other"):
        item_from_fields(row(evidence=text))


@pytest.mark.parametrize(("text", "value"), [("tanto", "tanto"), ("reverse-tanto", "reverse-tanto"),
                                             ("Reverse-Tanto", "reverse-tanto"), ("other", "other")])
def test_point_style_takes_one_of_the_known_styles(text, value):
    assert item_from_fields(row(point_style=text)).features["point_style"] == value


@pytest.mark.parametrize("text", ["spear", "reversed-tanto", "reverse tanto", "clip"])
def test_an_unknown_point_style_is_refused(text):
    with pytest.raises(Refused, match="point_style must be one of tanto, reverse-tanto, other"):
        item_from_fields(row(point_style=text))


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("35871", 35871), ("1000000", 1_000_000)])
def test_quantity_counts_identical_stock_lines(text, value):
    assert item_from_fields(row(quantity=text)).quantity == value


@pytest.mark.parametrize(("text", "message"), [("0", "at least 1"), ("-1", "whole number"), ("1.5", "whole number"),
                                               ("1000001", "check the figure"), ("many", "whole number")])
def test_a_quantity_of_zero_or_nonsense_is_refused(text, message):
    with pytest.raises(Refused, match=message):
        item_from_fields(row(quantity=text))


@pytest.mark.parametrize(("text", "value"), [("2024-08-26", dt.date(2024, 8, 26)), (" 2020-01-31 ", dt.date(2020, 1, 31))])
def test_acquired_on_is_an_iso_date(text, value):
    assert item_from_fields(row(acquired_on=text)).acquired_on == value


@pytest.mark.parametrize("text", ["26/08/2024", "2024-02-30", "last year", "2024-08-26 10:00x", "20240826x"])
def test_acquired_on_that_is_not_a_date_is_refused(text):
    with pytest.raises(Refused, match="acquired_on must be a date"):
        item_from_fields(row(acquired_on=text))


@pytest.mark.parametrize(("cells", "message"), [
    ({"blade_length": "long"}, "not a length"),
    ({"blade_length": "0"}, "more than zero"),
    ({"serrated_length": "lots"}, "not a length"),
    ({"claimed_value": "10.505"}, "claimed_value .* more than 2 decimal places"),
    ({"claimed_value": "-5"}, "claimed_value .* negative"),
    ({"claimed_value": "ten"}, "claimed_value"),
])
def test_bad_lengths_and_amounts_are_refused(cells, message):
    with pytest.raises(Refused, match=message):
        item_from_fields(row(**cells))


@pytest.mark.parametrize(("text", "mm"), [("0", Decimal(0)), ("none", Decimal(0)), ("2in", Decimal("50.8"))])
def test_a_serrated_length_of_zero_means_no_serration(text, mm):
    assert item_from_fields(row(serrated_length=text)).features["serrated_length"] == mm


def test_long_description_and_seal_are_cut_to_size():
    item = item_from_fields(row(description="x" * 500, seal="s" * 100))
    assert len(item.description) == 200
    assert len(item.seal) == 40


# --- the --item shorthand ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        ("zombie-knife:9.5in", {}),
        ('zombie-knife:9.5"', {}),
        ("ZOMBIE-KNIFE:9.5", {}),
        ("zombie-knife:9.5in:plain:point:spikes", {"plain_edge": True, "sharp_point": True, "spikes": True}),
        ("zombie-knife:9.5in:plain-edge:sharp-point:pointed", {"plain_edge": True, "sharp_point": True}),
        ("zombie-knife:9.5in:serrated=3in:at-handle", {"serrated_length": Decimal("76.2"), "serrated_at_handle": True}),
        ("zombie-knife:9.5in:serrated-at-handle", {"serrated_at_handle": True}),
        ("zombie-knife:9.5in:holes=2:points=3", {"holes": 2, "points": 3}),
        ("zombie-knife:9.5in:value=45:evidence=receipt", {"claimed_value_pence": 4500, "evidence": "receipt"}),
        ("zombie-knife:9.5in:acquired=2024-08-01", {"acquired_on": dt.date(2024, 8, 1)}),
        ("zombie-knife:9.5in:qty=3", {"quantity": 3}),
        ("zombie-knife:9.5in:quantity=3", {"quantity": 3}),
        ("zombie-knife:9.5in:seal=A1:desc=black", {"seal": "A1", "description": "black"}),
        ("zombie-knife:9.5in:plain:no-plain", {"plain_edge": False}),
        ("zombie-knife:9.5in::plain:", {"plain_edge": True}),
        (" zombie-knife : 9.5in : plain ", {"plain_edge": True}),
        ("ninja-sword:18in:plain:secondary:spine:tanto",
         {"plain_edge": True, "secondary_edge": True, "blunt_spine": True, "point_style": "tanto"}),
        ("ninja-sword:18in:secondary-edge:blunt-spine:reverse-tanto",
         {"secondary_edge": True, "blunt_spine": True, "point_style": "reverse-tanto"}),
        ("ninja-sword:18in:style=tanto", {"point_style": "tanto"}),
        ("ninja-sword:18in:point-style=reverse-tanto", {"point_style": "reverse-tanto"}),
    ],
)
def test_the_item_shorthand_sets_the_same_fields_as_the_csv(spec, fields):
    item = item_from_spec(spec)
    kind = spec.split(":")[0].strip().lower()
    blade = spec.split(":")[1].strip()
    assert item == Item.of(kind=kind, blade_length_mm=item_from_fields({"kind": kind, "blade_length": blade}).blade_length_mm,
                        **fields)


def test_the_shorthand_example_in_the_help_parses():
    item = item_from_spec("zombie-knife:9.5in:plain:point:serrated=3in:holes=2:value=45:evidence=receipt")
    assert (item.features["plain_edge"], item.features["sharp_point"], item.features["holes"], item.claimed_value_pence, item.evidence) == (
        True, True, 2, 4500, "receipt")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("zombie-knife", "expected KIND:BLADE"),
        ("", "expected KIND:BLADE"),
        (":9.5in", "expected KIND:BLADE"),
        ("zombie-knife:", "expected KIND:BLADE"),
        ("zombie-knife:9.5in:sparkly", "unknown feature 'sparkly'"),
        ("zombie-knife:9.5in:plain=yes", "unknown feature 'plain=yes'"),
        ("zombie-knife:9.5in:holes", "unknown feature 'holes'"),
        ("zombie-knife:9.5in:colour=red", "unknown feature 'colour=red'"),
        ("zombie-knife:9.5in:no-sparkly", "unknown feature"),
        ("zombie-knife:nine", "not a length"),
        ("zombie-knife:9.5in:qty=0", "at least 1"),
        ("zombie-knife:9.5in:holes=many", "holes must be a whole number"),
        ("zombie-knife:9.5in:evidence=photo", "evidence must be one of"),
        ("zombie-knife:9.5in:style=spear", "point_style must be one of"),
        ("zombie-knife:9.5in:value=1.234", "more than 2 decimal places"),
        ("zombie-knife:9.5in:acquired=yesterday", "acquired_on must be a date"),
    ],
)
def test_a_bad_item_shorthand_is_refused_saying_what_is_wrong(spec, message):
    with pytest.raises(Refused, match=message):
        item_from_spec(spec)


@pytest.mark.parametrize(("typed", "meant"), [
    ("spiked", "spikes"), ("srrated=3in", "serrated=3in"), ("no-spiked", "no-spikes"), ("hole=3", "holes=3"),
    ("qyt=2", "qty=2"), ("machette", "machete"), ("xyzzy", None), ("sparkly=3", None),
])
def test_closest_word_suggests_the_known_word_keeping_no_and_the_value(typed, meant):
    from surrender.rules.items import closest_word

    assert closest_word(typed, standard_features(), ["zombie-knife", "zombie-machete"]) == meant


def test_an_unknown_shorthand_word_is_refused_as_that_word():
    from surrender.rules.items import UnknownWord

    with pytest.raises(UnknownWord) as caught:
        fields_from_words(["plain", "spiked"], standard_features(), "item")
    assert caught.value.word == "spiked"
