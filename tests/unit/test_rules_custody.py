"""Custody rules at their edges: the tag rule the receipt and the exhibits share, tag parsing,
where an exhibit may move, overdue and destruction dates, witnesses, shelves, reconciliation."""

import datetime as dt
from dataclasses import dataclass

import pytest

from surrender.errors import Refused
from surrender.rules import custody as rules
from surrender.rules.references import make_reference

REF = make_reference("TW", "Z24", 17)
UTC = dt.UTC


@dataclass(frozen=True)
class Line:
    first_line: int
    quantity: int


# --- tags ----------------------------------------------------------------------------------------

def test_up_to_the_limit_each_weapon_has_its_own_tag_numbered_in_item_table_order():
    tags = rules.tags_for(REF, 5, [Line(1, 2), Line(3, 3)])
    assert [t.code for t in tags] == [f"{REF}/{n}" for n in range(1, 6)]
    assert [t.line for t in tags] == [0, 0, 1, 1, 1]
    assert {t.quantity for t in tags} == {1} and all(t.per_unit and t.total == 5 for t in tags)


@pytest.mark.parametrize(("items", "per_unit"), [(1, True), (60, True), (61, False), (35_871, False)])
def test_above_sixty_items_one_tag_per_stock_line_carries_the_lines_count(items, per_unit):
    lines = [Line(1, items - 1), Line(7, 1)] if items > 1 else [Line(1, 1)]
    tags = rules.tags_for(REF, items, lines)
    assert rules.per_unit(items) is per_unit
    assert sum(t.quantity for t in tags) == items
    if not per_unit:
        assert [t.code for t in tags] == [f"{REF}/L1", f"{REF}/L7"]
        assert [(t.ordinal, t.total, t.quantity) for t in tags] == [(1, 2, items - 1), (2, 2, 1)]
    else:
        assert len(tags) == items


def test_a_stock_claim_of_35871_blades_in_40_lines_is_40_tags_not_35871():
    lines = [Line(1 + n * 900, 897 if n < 39 else 35_871 - 39 * 897) for n in range(40)]
    tags = rules.tags_for(REF, 35_871, lines)
    assert len(tags) == 40 and sum(t.quantity for t in tags) == 35_871


@pytest.mark.parametrize(("typed", "stored"), [
    (f"{REF}/1", f"{REF}/1"),
    (f" {REF.lower()}/12 ", f"{REF}/12"),
    (f"{REF.replace('-', '')}/L3", f"{REF}/L3"),
    (f"{REF}/l3", f"{REF}/L3"),
    (f"{REF}/007", f"{REF}/7"),
])
def test_a_scanned_or_typed_tag_is_read_in_its_stored_form(typed, stored):
    assert rules.parse_tag(typed) == stored


@pytest.mark.parametrize(("typed", "why"), [
    ("", "is not a tag"), ("hello", "is not a tag"), (REF, "is not a tag"), (f"{REF}/", "is not a tag"),
    (f"{REF}/0", "start at 1"), (f"{REF}/X1", "is not a tag"), ("AB-1/1", "is not a reference"), (f"{REF[:-1]}Q/1", "check character"),
    (f"{REF}/1\x1b[2J", "is not a tag"), (f"{REF}/" + "9" * 12, "is not a tag"),
])
def test_what_is_not_a_tag_is_refused_saying_what_a_tag_looks_like(typed, why):
    with pytest.raises(Refused, match=why):
        rules.parse_tag(typed)


# --- moving ---------------------------------------------------------------------------------------

COUNTER = rules.Place(1, "TW-COUNTER", "TW", rules.COUNTER)
STORE = rules.Place(2, "TW-STORE", "TW", rules.STORE)
LAB = rules.Place(3, "TW-LAB", "TW", rules.TEMPORARY)
PK_STORE = rules.Place(4, "PK-STORE", "PK", rules.STORE)


def at(place, state=rules.HELD, station="TW"):
    return rules.Standing(f"{REF}/1", station, state, place, 9 if state == rules.DESTROYED else None)


@pytest.mark.parametrize(("exhibit", "to", "role", "refused"), [
    (at(COUNTER), STORE, "property", None),
    (at(COUNTER), STORE, "desk", None),
    (at(STORE), LAB, "property", None),
    (at(STORE, rules.MISSING), STORE, "property", None),  # found where it should be
    (at(STORE, rules.RETAINED), LAB, "property", None),
    (at(STORE), STORE, "property", "already at TW-STORE"),
    (at(None, rules.DESTROYED), STORE, "property", "destroyed in batch 9"),
    (at(None, rules.NEVER_RECEIVED), STORE, "property", "never received"),
    (at(COUNTER), PK_STORE, "property", "belongs to station TW"),
    (at(STORE), LAB, "desk", "only from the counter to the store"),
    (at(COUNTER), LAB, "desk", "only from the counter to the store"),
    (at(LAB), COUNTER, "desk", "only from the counter to the store"),
])
def test_who_may_move_what_where(exhibit, to, role, refused):
    answer = rules.move_refusal(exhibit, to, role, ["TW"])
    assert answer is None if refused is None else refused in answer


def test_a_desk_officer_moves_only_at_their_own_stations():
    pk_counter = rules.Place(5, "PK-COUNTER", "PK", rules.COUNTER)
    assert "own stations only" in rules.move_refusal(at(pk_counter, station="PK"), PK_STORE, "desk", ["TW"])
    assert rules.move_refusal(at(pk_counter, station="PK"), PK_STORE, "desk", ["TW", "PK"]) is None


# --- places and time -----------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "days", "limit"), [
    ("store", None, None), ("temporary", None, rules.TEMPORARY_DAYS), ("temporary", 3, 3),
    ("counter", None, rules.COUNTER_DAYS),
])
def test_each_kind_of_place_has_its_time_limit(kind, days, limit):
    assert rules.location_limit(kind, days) == limit


@pytest.mark.parametrize(("kind", "days", "why"), [
    ("store", 5, "no time limit"), ("temporary", 0, "--max-days"), ("temporary", 10_000, "--max-days"),
    ("shelf", None, "not one of"),
])
def test_a_place_with_a_senseless_limit_is_refused(kind, days, why):
    with pytest.raises(Refused, match=why):
        rules.location_limit(kind, days)


@pytest.mark.parametrize("code", ["tw-store", " TW-STORE ", "PK-LAB-2"])
def test_location_codes_are_stored_upper_case(code):
    assert rules.location_code(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["", "T", "TW STORE", "-TW", "TW/STORE", "X" * 21, "TW-STÖRE"])
def test_a_location_code_that_could_not_be_typed_or_scanned_back_is_refused(code):
    with pytest.raises(Refused, match="location code"):
        rules.location_code(code)


def test_overdue_is_strictly_longer_than_the_limit():
    now = dt.datetime(2024, 9, 30, 12, tzinfo=UTC)
    assert not rules.is_overdue(now - dt.timedelta(days=2), 2, now)
    assert rules.is_overdue(now - dt.timedelta(days=2, seconds=1), 2, now)
    assert not rules.is_overdue(now - dt.timedelta(days=900), None, now)


def test_held_past_the_destruction_date_is_from_the_day_after():
    assert not rules.past_destruction_date(dt.date(2025, 3, 31), dt.date(2025, 3, 31))
    assert rules.past_destruction_date(dt.date(2025, 3, 31), dt.date(2025, 4, 1))
    assert not rules.past_destruction_date(None, dt.date(2099, 1, 1))


def test_the_presets_carry_a_destruction_date():
    from surrender.campaigns import load_preset

    assert load_preset("zombie-2024").destroy_by == dt.date(2025, 3, 31)
    assert load_preset("ninja-2025").destroy_by == dt.date(2026, 1, 31)


def test_a_campaign_file_with_a_malformed_destruction_date_names_the_key():
    from surrender.campaigns import load_preset
    from surrender.rules.campaign import parse_campaign

    source = load_preset("zombie-2024").source.replace("destroy_by = 2025-03-31", 'destroy_by = "soon"')
    with pytest.raises(Refused, match=r"custody\.destroy_by"):
        parse_campaign(source)
    assert parse_campaign(source.replace('destroy_by = "soon"', "")).destroy_by is None


# --- witnesses ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("pair", "previous", "why"), [
    (["5023", "2041"], None, None),
    (["5023", "2041"], ("5023", "2057"), None),
    (["5023", "2041"], ("2041", "5023"), "previous batch together"),
    (["5023", "5023"], None, "different people"),
    (["5023"], None, "exactly two"),
    (["5023", "2041", "2057"], None, "exactly two"),
])
def test_two_different_witnesses_never_the_same_pair_twice_in_a_row(pair, previous, why):
    answer = rules.witness_refusal(pair, previous)
    assert answer is None if why is None else why in answer


def test_witness_pins_for_scripts_are_number_colon_pin_pairs():
    assert rules.parse_witness_pins(" 5023:502324, 2041:204124 ,") == {"5023": "502324", "2041": "204124"}
    assert rules.parse_witness_pins(None) == {}
    for bad in ("5023", "5023:", ":1234", "5023=1"):
        with pytest.raises(Refused, match="NUMBER:PIN"):
            rules.parse_witness_pins(bad)


# --- shelves and the reconciliation ----------------------------------------------------------------

def test_a_shelf_against_the_records():
    outcome = rules.compare_shelf(expected=["A", "B", "C"], scanned=["B", "X", "B", "Z", "A"], known=["A", "B", "X"])
    assert outcome.found == ("B", "A")
    assert outcome.missing == ("C",)
    assert outcome.elsewhere == ("X",)
    assert outcome.unknown == ("Z",)


def test_received_is_held_destroyed_retained_and_never_received_and_the_rest_unaccounted():
    tally = rules.reconcile(100, {"held": 10, "destroyed": 80, "retained": 2, "never_received": 3, "missing": 5})
    assert (tally.held + tally.destroyed + tally.retained + tally.never_received + tally.unaccounted) == 100
    assert tally.unaccounted == 5
    assert rules.reconcile(7, {"destroyed": 7}).unaccounted == 0
    assert rules.reconcile(7, {"destroyed": 6, "teleported": 1}).unaccounted == 1  # a state nobody knows


@pytest.mark.parametrize(("text", "why"), [("", "give the reason"), ("  \n ", "give the reason"),
                                           ("x" * 501, "most is 500")])
def test_a_reason_or_authority_is_one_tidy_line_of_sensible_length(text, why):
    with pytest.raises(Refused, match=why):
        rules.require_note(text, "reason")
