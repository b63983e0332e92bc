"""SPEC 6: short references with station code, per-station number and an ISO 7064 check."""

import string

import pytest

from surrender.errors import Refused
from surrender.rules.references import MAX_NUMBER, make_reference, normalise_reference

ALPHANUMERIC = string.ascii_uppercase + string.digits

SAMPLES = [
    ("TW", "Z24", 1),
    ("TW", "Z24", 17),
    ("PK", "Z24", 999_999),
    ("PK", "N25", 123_456),
    ("TW", "N25", 100_000),
    ("PK", "A", 42),
    ("TW", "ABCD", 7),
    ("PK", "2024", 5),
]


@pytest.mark.parametrize(("station", "prefix", "number"), SAMPLES)
def test_a_reference_has_station_prefix_six_digit_number_and_a_check_character(station, prefix, number):
    reference = make_reference(station, prefix, number)
    parts = reference.split("-")
    assert parts[:3] == [station, prefix, f"{number:06d}"]
    assert len(parts[3]) == 1 and parts[3] in ALPHANUMERIC


@pytest.mark.parametrize(("station", "prefix", "number"), SAMPLES)
def test_a_made_reference_normalises_to_itself(station, prefix, number):
    reference = make_reference(station, prefix, number)
    assert normalise_reference(reference) == reference


def test_references_for_different_numbers_differ():
    refs = {make_reference("TW", "Z24", n) for n in range(1, 2001)}
    assert len(refs) == 2000


@pytest.mark.parametrize(
    "typed",
    [
        lambda r: r.lower(),
        lambda r: r.replace("-", ""),
        lambda r: r.replace("-", "").lower(),
        lambda r: r.replace("-", " "),
        lambda r: f"  {r}  ",
        lambda r: " ".join(r.replace("-", "")),
        lambda r: r.replace("-", "", 1),
        lambda r: r[:-2] + r[-1],  # only the last dash dropped
    ],
    ids=["lower-case", "no-dashes", "no-dashes-lower", "spaces-for-dashes", "padded", "spaced-out",
         "first-dash-missing", "last-dash-missing"],
)
@pytest.mark.parametrize(("station", "prefix", "number"), SAMPLES)
def test_a_reference_typed_loosely_is_accepted_and_normalised(typed, station, prefix, number):
    reference = make_reference(station, prefix, number)
    assert normalise_reference(typed(reference)) == reference


def _substitutions(reference: str):
    for position, original in enumerate(reference):
        if original == "-":
            continue
        for char in ALPHANUMERIC:
            if char != original:
                yield reference[:position] + char + reference[position + 1:]


@pytest.mark.parametrize(("station", "prefix", "number"), SAMPLES)
def test_every_single_character_substitution_is_caught(station, prefix, number):
    reference = make_reference(station, prefix, number)
    missed = []
    for typo in _substitutions(reference):
        try:
            normalise_reference(typo)
        except Refused:
            continue
        missed.append(typo)
    assert missed == []


def _transpositions(reference: str):
    compact = reference.replace("-", "")
    for i in range(len(compact) - 1):
        if compact[i] != compact[i + 1]:
            yield compact[:i] + compact[i + 1] + compact[i] + compact[i + 2:]


@pytest.mark.parametrize(("station", "prefix", "number"), SAMPLES)
def test_every_swap_of_neighbouring_characters_is_caught(station, prefix, number):
    reference = make_reference(station, prefix, number)
    missed = []
    for typo in _transpositions(reference):
        for form in (typo, typo.lower()):
            try:
                normalise_reference(form)
            except Refused:
                continue
            missed.append(form)
    assert missed == []


def test_a_mistyped_check_character_is_reported_as_such():
    reference = make_reference("TW", "Z24", 17)
    wrong = "A" if reference[-1] != "A" else "B"
    with pytest.raises(Refused, match="check character"):
        normalise_reference(reference[:-1] + wrong)


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "   ",
        "TW-Z24-17-K",
        "TW-Z24-0000017-K",
        "T-Z24-000017-K",
        "TWX-Z24-000017-K",
        "TW-Z24-000017",
        "TW-Z24-000017-KK",
        "TW--000017-K",
        "TW-Z2455-000017-K",
        "12-Z24-000017-K",
        "TW-Z24-00001A-K",
        "TW_Z24_000017_K",
        "TW-Z24-000017-K!",
        "hello",
    ],
)
def test_a_reference_of_the_wrong_shape_is_refused(text):
    with pytest.raises(Refused, match="not a reference"):
        normalise_reference(text)


@pytest.mark.parametrize("number", [0, -1, MAX_NUMBER + 1, 10_000_000])
def test_numbers_outside_one_to_999999_are_refused(number):
    with pytest.raises(Refused, match="used all 999,999 references"):
        make_reference("TW", "Z24", number)


def test_the_largest_number_still_makes_a_reference():
    assert normalise_reference(make_reference("TW", "Z24", MAX_NUMBER)).startswith("TW-Z24-999999-")


def test_the_example_in_the_not_a_reference_refusal_is_itself_a_valid_reference():
    import re

    with pytest.raises(Refused) as refused:
        normalise_reference("hello")
    example = re.search(r"look like (\S+)$", str(refused.value)).group(1)
    assert normalise_reference(example) == example
