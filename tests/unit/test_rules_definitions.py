"""SPEC 1: the legal definitions of zombie-style knives/machetes and ninja swords, and the
ownership cut-off, evaluated exactly as the presets write them."""

import datetime as dt
from decimal import Decimal

import pytest

from surrender.campaigns import load_preset
from surrender.errors import Refused
from surrender.rules.compensation import assess_item, meets_definition
from surrender.rules.definitions import parse_definition, parse_term, parse_test
from surrender.rules.items import Item
from surrender.rules.lengths import parse_length

ZOMBIE = load_preset("zombie-2024")
NINJA = load_preset("ninja-2025")

# A blade that meets everything the zombie definition requires, and no "one or more of" feature.
ZOMBIE_BASE = Item.of(
    kind="zombie-knife",
    blade_length_mm=parse_length("9.5in"),
    plain_edge=True,
    sharp_point=True,
)
# A zombie knife that meets the whole definition by its spikes.
ZOMBIE_OK = ZOMBIE_BASE.but(spikes=True)

NINJA_OK = Item.of(
    kind="ninja-sword",
    blade_length_mm=parse_length("18in"),
    plain_edge=True,
    secondary_edge=True,
    blunt_spine=True,
    point_style="tanto",
)


def zombie(**changes) -> Item:
    return ZOMBIE_OK.but(**changes)


def ninja(**changes) -> Item:
    return NINJA_OK.but(**changes)


# --- zombie-2024 -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zombie-knife", "zombie-machete"])
def test_a_blade_with_every_required_feature_and_spikes_meets_the_zombie_definition(kind):
    assert meets_definition(ZOMBIE, zombie(kind=kind)) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"plain_edge": False}, "a plain cutting edge"),
        ({"sharp_point": False}, "a sharp pointed end"),
        ({"blade_length_mm": parse_length("8in")}, "a blade over 8 inches"),
        ({"blade_length_mm": parse_length("203.2mm")}, "a blade over 8 inches"),
        ({"blade_length_mm": parse_length("6in")}, "a blade over 8 inches"),
    ],
)
def test_a_blade_missing_a_required_zombie_feature_is_not_eligible_and_says_why(change, reason):
    item = zombie(**change)
    reasons = meets_definition(ZOMBIE, item)
    assert len(reasons) == 1
    assert reason in reasons[0]
    assert "not a zombie-style knife in law" in reasons[0]
    assessment = assess_item(ZOMBIE, item, claiming=True)
    assert assessment.eligible is False
    assert assessment.compensation_pence == 0
    assert any(reason in r for r in assessment.reasons)


def test_a_blade_missing_every_required_feature_lists_every_reason():
    item = ZOMBIE_OK.but(plain_edge=False, sharp_point=False, blade_length_mm=Decimal("100"), spikes=False)
    reasons = meets_definition(ZOMBIE, item)
    assert len(reasons) == 4
    assert "one or more of" in reasons[-1]


@pytest.mark.parametrize(
    ("length", "eligible"),
    [("8in", False), ("203.2mm", False), ("20.32cm", False), ("20.4cm", True), ("203.3mm", True), ("8.01in", True)],
)
def test_a_zombie_blade_must_be_strictly_over_eight_inches(length, eligible):
    assert (meets_definition(ZOMBIE, zombie(blade_length_mm=parse_length(length))) == []) is eligible


def test_a_blade_with_the_required_features_but_none_of_the_extra_ones_is_not_a_zombie_knife():
    reasons = meets_definition(ZOMBIE, ZOMBIE_BASE)
    assert len(reasons) == 1
    assert "one or more of" in reasons[0]


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"serrated_length": parse_length("1in")}, id="short-serration-away-from-handle"),
        pytest.param({"serrated_length": parse_length("3in"), "serrated_at_handle": True}, id="long-serration-at-handle"),
        pytest.param({"serrated_length": parse_length("3in")}, id="long-serration-away-from-handle"),
        pytest.param({"holes": 2}, id="two-holes"),
        pytest.param({"holes": 5}, id="five-holes"),
        pytest.param({"spikes": True}, id="spikes"),
        pytest.param({"points": 3}, id="three-points"),
        pytest.param({"points": 7}, id="seven-points"),
    ],
)
def test_each_one_or_more_of_feature_alone_is_enough(extra):
    assert meets_definition(ZOMBIE, ZOMBIE_BASE.but(**extra)) == []


@pytest.mark.parametrize(
    ("serrated", "at_handle", "counts"),
    [
        ("0", False, False),
        ("0", True, False),
        ("0.5in", True, False),
        ("1in", True, False),
        ("2in", True, False),
        ("50.8mm", True, False),
        ("5.08cm", True, False),
        ("2.01in", True, True),
        ("50.9mm", True, True),
        ("3in", True, True),
        ("1in", False, True),
        ("0.1in", False, True),
        ("2in", False, True),
    ],
)
def test_a_serrated_edge_of_up_to_two_inches_next_to_the_handle_alone_does_not_count(serrated, at_handle, counts):
    item = ZOMBIE_BASE.but(serrated_length=parse_length(serrated) if serrated != "0" else Decimal(0),
                   serrated_at_handle=at_handle)
    assert (meets_definition(ZOMBIE, item) == []) is counts


@pytest.mark.parametrize(("holes", "counts"), [(0, False), (1, False), (2, True), (3, True)])
def test_exactly_one_hole_does_not_count_but_more_than_one_does(holes, counts):
    assert (meets_definition(ZOMBIE, ZOMBIE_BASE.but(holes=holes)) == []) is counts


@pytest.mark.parametrize(("points", "counts"), [(0, False), (1, False), (2, False), (3, True), (4, True)])
def test_two_sharp_points_do_not_count_but_more_than_two_do(points, counts):
    assert (meets_definition(ZOMBIE, ZOMBIE_BASE.but(points=points)) == []) is counts


@pytest.mark.parametrize(("spikes", "counts"), [(False, False), (True, True)])
def test_spikes_count(spikes, counts):
    assert (meets_definition(ZOMBIE, ZOMBIE_BASE.but(spikes=spikes)) == []) is counts


def test_a_short_serration_at_the_handle_with_one_hole_and_two_points_is_still_not_enough():
    item = ZOMBIE_BASE.but(serrated_length=parse_length("2in"), serrated_at_handle=True, holes=1, points=2)
    assert len(meets_definition(ZOMBIE, item)) == 1


def test_an_unknown_kind_is_refused_naming_the_known_kinds():
    with pytest.raises(Refused, match="zombie-knife"):
        meets_definition(ZOMBIE, zombie(kind="ninja-sword"))


# --- ninja-2025 --------------------------------------------------------------------------


def test_a_sword_with_every_feature_meets_the_ninja_definition():
    assert meets_definition(NINJA, NINJA_OK) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"plain_edge": False}, "a primary straight cutting edge"),
        ({"secondary_edge": False}, "a secondary straight cutting edge"),
        ({"blunt_spine": False}, "a blunt spine"),
        ({"point_style": "other"}, "a tanto or reversed tanto point"),
        ({"blade_length_mm": parse_length("13.99in")}, "at least 14 inches"),
        ({"blade_length_mm": parse_length("24.01in")}, "at most 24 inches"),
    ],
)
def test_a_sword_missing_any_ninja_feature_is_not_eligible_and_says_why(change, reason):
    reasons = meets_definition(NINJA, ninja(**change))
    assert len(reasons) == 1
    assert reason in reasons[0]
    assert "not a ninja sword in law" in reasons[0]


@pytest.mark.parametrize("style", ["tanto", "reverse-tanto"])
def test_a_tanto_or_reverse_tanto_point_is_a_ninja_point(style):
    assert meets_definition(NINJA, ninja(point_style=style)) == []


@pytest.mark.parametrize("style", ["other", "Tanto", "reversed-tanto", ""])
def test_any_other_point_style_is_not_a_ninja_point(style):
    assert meets_definition(NINJA, ninja(point_style=style)) != []


@pytest.mark.parametrize(
    ("length", "eligible"),
    [
        ("14in", True),
        ("355.6mm", True),
        ("35.56cm", True),
        ("24in", True),
        ("609.6mm", True),
        ("60.96cm", True),
        ("13.99in", False),
        ("355.5mm", False),
        ("24.01in", False),
        ("609.7mm", False),
        ("9.5in", False),
    ],
)
def test_a_ninja_blade_must_be_from_fourteen_to_twenty_four_inches_inclusive(length, eligible):
    assert (meets_definition(NINJA, ninja(blade_length_mm=parse_length(length))) == []) is eligible


def test_a_sword_missing_everything_lists_every_reason():
    item = Item.of(kind="ninja-sword", blade_length_mm=parse_length("10in"))
    assert len(meets_definition(NINJA, item)) == 5


# --- ownership cut-off --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("campaign", "item", "acquired_on", "eligible"),
    [
        (ZOMBIE, ZOMBIE_OK, None, True),
        (ZOMBIE, ZOMBIE_OK, dt.date(2020, 1, 1), True),
        (ZOMBIE, ZOMBIE_OK, dt.date(2024, 8, 25), True),
        (ZOMBIE, ZOMBIE_OK, dt.date(2024, 8, 26), True),
        (ZOMBIE, ZOMBIE_OK, dt.date(2024, 8, 27), False),
        (ZOMBIE, ZOMBIE_OK, dt.date(2024, 9, 20), False),
        (NINJA, NINJA_OK, None, True),
        (NINJA, NINJA_OK, dt.date(2025, 3, 26), True),
        (NINJA, NINJA_OK, dt.date(2025, 3, 27), True),
        (NINJA, NINJA_OK, dt.date(2025, 3, 28), False),
        (NINJA, NINJA_OK, dt.date(2025, 7, 1), False),
    ],
)
def test_an_item_acquired_on_the_cut_off_date_is_eligible_but_the_day_after_is_not(campaign, item, acquired_on, eligible):
    assessment = assess_item(campaign, item.but(acquired_on=acquired_on), claiming=True)
    assert assessment.eligible is eligible
    if not eligible:
        assert any("after the ownership cut-off" in r for r in assessment.reasons)
        assert assessment.compensation_pence == 0


def test_an_item_acquired_too_late_and_outside_the_definition_gives_both_reasons():
    item = ZOMBIE_BASE.but(acquired_on=dt.date(2024, 9, 1))
    reasons = assess_item(ZOMBIE, item, claiming=True).reasons
    assert any("one or more of" in r for r in reasons)
    assert any("cut-off" in r for r in reasons)


# --- the definition mini-language -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "features", "holds"),
    [
        ("plain_edge", {"plain_edge": True}, True),
        ("plain_edge", {"plain_edge": False}, False),
        ("not serrated_at_handle", {"serrated_at_handle": False}, True),
        ("not serrated_at_handle", {"serrated_at_handle": True}, False),
        ("blade_length > 8in", {"blade_length": Decimal("203.2")}, False),
        ("blade_length > 8in", {"blade_length": Decimal("203.3")}, True),
        ("blade_length >= 14in", {"blade_length": Decimal("355.6")}, True),
        ("blade_length <= 24in", {"blade_length": Decimal("609.6")}, True),
        ("blade_length < 20cm", {"blade_length": Decimal("200")}, False),
        ("holes > 1", {"holes": 1}, False),
        ("holes > 1", {"holes": 2}, True),
        ("points == 3", {"points": 3}, True),
        ("points != 3", {"points": 3}, False),
        ("serrated_length > 0", {"serrated_length": Decimal(0)}, False),
        ("point_style in tanto,reverse-tanto", {"point_style": "reverse-tanto"}, True),
        ("point_style in tanto,reverse-tanto", {"point_style": "other"}, False),
    ],
)
def test_a_single_definition_term_reads_like_the_statute(source, features, holds):
    assert parse_term(source).holds(features) is holds


def test_terms_joined_with_and_must_all_hold():
    test = parse_test({"test": "serrated_length > 0 and not serrated_at_handle", "text": "serrated"})
    assert test.text == "serrated"
    assert test.holds({"serrated_length": Decimal(1), "serrated_at_handle": False})
    assert not test.holds({"serrated_length": Decimal(1), "serrated_at_handle": True})
    assert not test.holds({"serrated_length": Decimal(0), "serrated_at_handle": False})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("sharpness", "unknown feature"),
        ("not sharpness", "unknown feature"),
        ("blade_length ~ 8in", "unknown comparison"),
        ("blade_length > 8 in", "cannot read test"),
        ("blade_length > long", "not a length"),
        ("holes > many", "whole number"),
        ("holes > ²", "whole number"),
        ("points > -1", "whole number"),
        ("plain_edge == yes", "yes/no"),
    ],
)
def test_a_definition_term_that_cannot_be_read_is_refused(source, message):
    with pytest.raises(Refused, match=message):
        parse_term(source)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("not a table", "must be a table"),
        ({"text": "empty"}, "has no tests"),
        ({"all": ["plain_edge"], "bogus": 1}, "unknown key"),
        ({"all": [42]}, "must be a string"),
    ],
)
def test_a_malformed_definition_is_refused(table, message):
    with pytest.raises(Refused, match=message):
        parse_definition(table, "x")


# -- what decided an item, for its receipt (issue 14.7) -----------------------------------------

def deciding(campaign, item) -> list[str]:
    from surrender.rules.definitions import describe_deciding

    return describe_deciding(campaign.kinds[item.kind].definition, campaign.features, dict(item.values()))


def test_an_eligible_knife_is_named_by_the_extra_features_it_has():
    item = ZOMBIE_BASE.but(serrated_length=parse_length("3in"), spikes=True, holes=3)
    assert deciding(ZOMBIE, item) == ["serrated 3in", "holes 3", "spikes"]


def test_a_serrated_edge_at_the_handle_up_to_two_inches_decides_nothing():
    item = ZOMBIE_BASE.but(serrated_length=parse_length("2in"), serrated_at_handle=True, spikes=True)
    assert deciding(ZOMBIE, item) == ["spikes"]


def test_an_item_that_fails_the_definition_is_decided_by_nothing():
    assert deciding(ZOMBIE, ZOMBIE_BASE) == []  # no extra feature: its reasons say why instead


def test_a_definition_without_any_tests_names_its_all_features_except_the_blade():
    assert deciding(NINJA, NINJA_OK) == ["plain", "secondary", "spine", "style tanto"]


def test_stored_features_are_typed_again_as_the_definitions_test_them():
    import json

    item = ZOMBIE_BASE.but(serrated_length=parse_length("24cm"), holes=2)
    stored = json.loads(json.dumps({k: (str(v) if not isinstance(v, (bool, int)) else v)
                                    for k, v in item.values().items()}))
    assert ZOMBIE.features.from_stored(stored) == dict(item.values())
