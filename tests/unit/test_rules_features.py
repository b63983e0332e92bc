"""Issue 8: a campaign declares the item features its definitions test; the declaration is
checked key by key, and every definition test is checked against the declared types."""

from decimal import Decimal

import pytest

from surrender.campaigns import load_preset
from surrender.errors import Refused
from surrender.rules.campaign import parse_campaign
from surrender.rules.compensation import assess_item
from surrender.rules.items import csv_columns, item_from_fields, item_from_spec

BASE = '''
code = "own-features"
name = "Own features"
legal_basis = "SI 2099/2"
reference_prefix = "OF"

[window]
opens = 2099-01-01
closes = 2099-01-31

[eligibility]
owned_on_or_before = 2098-12-31
declaration = "I own it."

[money]
standard = "10.00"

[review]
item_over = "100.00"
claim_over = "500.00"
items_over = 20

[features.folding]
type = "yes-no"
question = "Does it fold?"
usual = { flick-knife = "yes" }

[features.barrel_length]
type = "length"
question = "Barrel length"
shorthand = ["barrel"]

[features.rounds]
type = "count"
maximum = 50
question = "How many rounds does it hold?"

[features.opening]
type = "choice"
options = ["button", "gravity", "manual"]
blank = "manual"
question = "How does it open?"

[definitions.flick]
all = ["folding", "opening in button,gravity", "barrel_length <= 6in", "rounds == 0"]

[kinds.flick-knife]
definition = "flick"
'''


def campaign(old: str = "", new: str = ""):
    assert old in BASE, old
    return parse_campaign(BASE.replace(old, new, 1))


def test_the_declared_features_are_the_csv_columns_between_the_blade_and_the_claim():
    assert csv_columns(campaign().features) == (
        "kind", "description", "blade_length", "folding", "barrel_length", "rounds", "opening",
        "claimed_value", "evidence", "acquired_on", "quantity", "seal")


def test_a_declared_feature_is_read_from_a_csv_row_and_the_shorthand_alike():
    features = campaign().features
    from_row = item_from_fields({"kind": "flick-knife", "blade_length": "3in", "folding": "yes",
                                 "barrel_length": "4in", "opening": "Button"}, features)
    from_words = item_from_spec("flick-knife:3in:folding:barrel=4in:button", features)
    assert from_row == from_words
    assert from_row.features == {"folding": True, "barrel_length": Decimal("101.6"), "rounds": 0,
                                 "opening": "button"}
    assert assess_item(campaign(), from_row, claiming=True).eligible


def test_an_unrecorded_feature_is_blank_not_the_usual_answer():
    item = item_from_spec("flick-knife:3in", campaign().features)
    assert item.features["folding"] is False and item.features["opening"] == "manual"
    assert campaign().features["folding"].usual_for("flick-knife") is True


def test_a_preset_declares_what_is_usually_handed_in_for_each_kind():
    zombie = load_preset("zombie-2024").features
    assert zombie["plain_edge"].usual_for("zombie-knife") is True
    assert zombie["sharp_point"].usual_for("zombie-machete") is True
    assert zombie["spikes"].usual_for("zombie-knife") is False


def test_a_campaign_without_features_tests_the_standard_set():
    text = BASE.split("[features.folding]")[0] + '[definitions.blade]\nall = ["plain_edge", "holes > 1"]\n' \
        '[kinds.knife]\ndefinition = "blade"\n'
    assert "point_style" in parse_campaign(text).features.names


@pytest.mark.parametrize(("test", "message"), [
    ("opening > button", "a choice can only be tested with == or != (one option) or in"),
    ("opening", "a choice can only be tested"),
    ("opening == spring", "'spring' is not an option of opening"),
    ("folding == yes", "a yes/no feature is tested as `folding` or `not folding`"),
    ("folding > 1", "yes/no"),
    ("barrel_length > 6", "barrel_length is a length: write the unit"),
    ("barrel_length in 1in,2in", "barrel_length is a length"),
    ("rounds > 2in", "compared with a whole number"),
    ("rounds > 99999999999999999999", "compared with a whole number"),
    ("plain_edge", "unknown feature 'plain_edge'"),
])
def test_a_definition_test_that_does_not_suit_the_declared_type_is_refused_at_load(test, message):
    with pytest.raises(Refused, match="definitions.flick") as refused:
        campaign('"rounds == 0"', f'"{test}"')
    assert message in str(refused.value)


def test_the_presets_refuse_a_string_comparison_of_the_point_style():
    source = load_preset("ninja-2025").source.replace("point_style in tanto,reverse-tanto", "point_style > tanto")
    with pytest.raises(Refused, match="point_style is a choice"):
        parse_campaign(source)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('type = "yes-no"', 'type = "colour"', "features.folding.type"),
    ('question = "Does it fold?"', "", "features.folding.question"),
    ('question = "Does it fold?"', 'question = "Does it fold?"\nhue = "red"', "features.folding.hue"),
    ("maximum = 50\n", "", "features.rounds: .*needs `maximum`"),
    ("maximum = 50", "maximum = 0", "features.rounds.maximum"),
    ('blank = "manual"', 'blank = "spring"', "features.opening: .*`blank`"),
    ('options = ["button", "gravity", "manual"]', 'options = ["button"]', "features.opening.options"),
    ('usual = { flick-knife = "yes" }', 'usual = { sword = "yes" }', "features.folding.usual: no kind 'sword'"),
    ('usual = { flick-knife = "yes" }', 'usual = { flick-knife = "maybe" }', "features.folding.usual.flick-knife"),
    ('shorthand = ["barrel"]', 'shorthand = ["qty"]', "features.barrel_length.shorthand: 'qty' is already a column"),
    ('shorthand = ["barrel"]', 'shorthand = ["folding"]', "already used by folding"),
    ("[features.rounds]", "[features.quantity]", "features.quantity: a feature name"),
])
def test_a_mistake_in_the_declaration_names_the_key(old, new, message):
    with pytest.raises(Refused, match=message):
        campaign(old, new)


def test_a_count_is_bounded_by_its_declared_maximum():
    features = campaign().features
    with pytest.raises(Refused, match="rounds must be a whole number from 0 to 50"):
        item_from_spec("flick-knife:3in:rounds=51", features)
    with pytest.raises(Refused, match="rounds must be a whole number"):
        item_from_spec("flick-knife:3in:rounds=" + "9" * 5000, features)


def test_the_answers_so_far_settle_a_definition_when_no_unasked_feature_can_change_it():
    zombie = load_preset("zombie-2024").kind("zombie-knife").definition
    blade = {"blade_length": Decimal(254)}
    assert not zombie.settled(blade)
    assert zombie.settled({**blade, "plain_edge": False})  # fails an `all` test whatever else
    met = {**blade, "plain_edge": True, "sharp_point": True, "serrated_length": Decimal("76.2")}
    assert zombie.settled(met)  # over 2 inches of serration: met whatever else
    assert not zombie.settled({**met, "serrated_length": Decimal("25.4")})  # at the handle or not?
    none = {**blade, "plain_edge": True, "sharp_point": True, "serrated_length": Decimal(0),
            "serrated_at_handle": False, "holes": 0, "spikes": False}
    assert not zombie.settled(none) and zombie.settled({**none, "points": 0})
