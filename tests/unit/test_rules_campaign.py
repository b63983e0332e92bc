"""SPEC 1: a campaign is data: the two presets, and a user's own TOML file validated with
messages that name the problem."""

import datetime as dt
import os
from pathlib import Path

import pytest

from surrender.campaigns import DEFAULT_CAMPAIGN, load_file, load_preset, preset_codes, resolve
from surrender.errors import NotFound, Refused
from surrender.rules.campaign import parse_campaign

MINIMAL = '''
code = "test-scheme"
name = "Test scheme"
legal_basis = "SI 2099/1"
reference_prefix = "T99"

[window]
opens = 2099-01-01
closes = 2099-01-31

[eligibility]
owned_on_or_before = 2098-12-31
declaration = "I own it."

[money]
standard = "10.00"
minimum_claim_total = "30.00"

[review]
item_over = "100.00"
claim_over = "500.00"
items_over = 20

[definitions.blade]
all = ["plain_edge", "blade_length > 8in"]

[kinds.knife]
label = "Knife"
definition = "blade"
'''


def edited(old: str, new: str) -> str:
    assert old in MINIMAL, old
    return MINIMAL.replace(old, new, 1)


WINDOW = "[window]\nopens = 2099-01-01\ncloses = 2099-01-31\n"
DEFINITIONS = '[definitions.blade]\nall = ["plain_edge", "blade_length > 8in"]\n'
KINDS = '[kinds.knife]\nlabel = "Knife"\ndefinition = "blade"\n'


def with_top_level(line: str, *, instead_of: str) -> str:
    """Replace a whole [table] with a top-level key of the wrong type (it must precede the tables)."""
    text = edited(instead_of, "")
    return text.replace('reference_prefix = "T99"', f'reference_prefix = "T99"\n{line}', 1)


# --- the presets -------------------------------------------------------------------------


def test_both_presets_ship_with_the_package_and_zombie_is_the_default():
    assert preset_codes() == ["ninja-2025", "zombie-2024"]
    assert DEFAULT_CAMPAIGN == "zombie-2024"
    assert resolve(None).code == "zombie-2024"


@pytest.mark.parametrize(
    ("code", "attribute", "value"),
    [
        ("zombie-2024", "opens", dt.date(2024, 8, 26)),
        ("zombie-2024", "closes", dt.date(2024, 9, 23)),
        ("zombie-2024", "ownership_cutoff", dt.date(2024, 8, 26)),
        ("zombie-2024", "timezone", "Europe/London"),
        ("zombie-2024", "standard_pence", 1000),
        ("zombie-2024", "minimum_total_pence", 3000),
        ("zombie-2024", "acceptable_evidence", ("receipt", "invoice", "bank-statement")),
        ("zombie-2024", "review_item_over_pence", 10000),
        ("zombie-2024", "review_claim_over_pence", 50000),
        ("zombie-2024", "review_items_over", 20),
        ("zombie-2024", "reference_prefix", "Z24"),
        ("ninja-2025", "opens", dt.date(2025, 7, 1)),
        ("ninja-2025", "closes", dt.date(2025, 7, 31)),
        ("ninja-2025", "ownership_cutoff", dt.date(2025, 3, 27)),
        ("ninja-2025", "timezone", "Europe/London"),
        ("ninja-2025", "standard_pence", 500),
        ("ninja-2025", "minimum_total_pence", None),
        ("ninja-2025", "acceptable_evidence", ("receipt", "invoice", "bank-statement")),
        ("ninja-2025", "review_item_over_pence", 10000),
        ("ninja-2025", "review_claim_over_pence", 50000),
        ("ninja-2025", "review_items_over", 20),
        ("ninja-2025", "reference_prefix", "N25"),
    ],
)
def test_each_preset_loads_with_the_scheme_rules_from_the_spec(code, attribute, value):
    assert getattr(load_preset(code), attribute) == value


@pytest.mark.parametrize(
    ("code", "kinds", "basis"),
    [
        ("zombie-2024", ["zombie-knife", "zombie-machete"], "SI 2024/583"),
        ("ninja-2025", ["ninja-sword"], "SI 2025/681"),
    ],
)
def test_each_preset_has_its_kinds_and_legal_basis(code, kinds, basis):
    campaign = load_preset(code)
    assert list(campaign.kinds) == kinds
    assert basis in campaign.legal_basis
    assert campaign.code == code


def test_the_ninja_preset_says_that_it_sets_no_minimum():
    assert "no minimum" in load_preset("ninja-2025").minimum_note.lower()


def test_an_unknown_preset_is_not_found_and_the_presets_are_listed():
    with pytest.raises(NotFound, match="ninja-2025, zombie-2024"):
        load_preset("dagger-2026")


def test_an_unknown_kind_for_a_campaign_is_refused_listing_the_kinds():
    with pytest.raises(Refused, match="use one of: ninja-sword"):
        load_preset("ninja-2025").kind("zombie-knife")


def test_a_campaigns_kinds_cannot_be_changed_after_loading():
    with pytest.raises(TypeError):
        load_preset("zombie-2024").kinds["x"] = None  # type: ignore[index]


# --- a user's own file -------------------------------------------------------------------


def test_a_minimal_campaign_file_loads():
    campaign = parse_campaign(MINIMAL)
    assert campaign.code == "test-scheme"
    assert campaign.timezone == "Europe/London"
    assert campaign.minimum_total_pence == 3000
    assert campaign.acceptable_evidence == ("receipt", "invoice", "bank-statement")
    assert campaign.kind("knife").label == "Knife"
    assert campaign.source == MINIMAL


def test_a_campaign_file_loads_from_a_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, "utf-8")
    assert load_file(path).code == "test-scheme"
    assert resolve(str(path)).code == "test-scheme"


def test_a_copy_of_a_preset_file_loads_like_the_preset(tmp_path):
    preset = load_preset("zombie-2024")
    path = tmp_path / "copy.toml"
    path.write_text(preset.source, "utf-8")
    assert load_file(path) == preset


def test_a_campaign_in_another_time_zone_loads():
    source = edited('reference_prefix = "T99"', 'reference_prefix = "T99"\ntimezone = "Europe/Dublin"')
    assert parse_campaign(source).timezone == "Europe/Dublin"


def test_a_campaign_without_a_minimum_sets_none():
    assert parse_campaign(edited('minimum_claim_total = "30.00"\n', "")).minimum_total_pence is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param("[window]", "[window", "not valid TOML", id="invalid-toml"),
        pytest.param('code = "test-scheme"', 'code = "test-scheme', "not valid TOML", id="unterminated-string"),
        pytest.param("[window]\nopens = 2099-01-01\ncloses = 2099-01-31\n", "", "missing 'window'",
                     id="missing-window"),
        pytest.param("opens = 2099-01-01", "", "window.*missing 'opens'", id="missing-opens"),
        pytest.param("closes = 2099-01-31", "closes = 2098-12-31", "window.closes is before window.opens",
                     id="closes-before-opens"),
        pytest.param("opens = 2099-01-01", 'opens = "2099-01-01"', "window.opens must be a date",
                     id="quoted-date"),
        pytest.param("opens = 2099-01-01", "opens = 2099-01-01T10:00:00", "window.opens must be a date",
                     id="datetime-not-date"),
        pytest.param('standard = "10.00"', "standard = 10.0", "money.standard must be a quoted amount",
                     id="float-standard"),
        pytest.param('standard = "10.00"', "standard = 10", "money.standard must be a quoted amount",
                     id="integer-standard"),
        pytest.param('standard = "10.00"', 'standard = "0"', "money.standard must be more than zero",
                     id="zero-standard"),
        pytest.param('standard = "10.00"', 'standard = "-10"', "money.standard .* negative", id="negative-standard"),
        pytest.param('standard = "10.00"', 'standard = "10.005"', "money.standard .* decimal places",
                     id="three-places"),
        pytest.param('standard = "10.00"\n', "", "missing 'standard'", id="missing-standard"),
        pytest.param('minimum_claim_total = "30.00"', "minimum_claim_total = 30.0",
                     "money.minimum_claim_total must be a quoted amount", id="float-minimum"),
        pytest.param('item_over = "100.00"', "item_over = 100.0", "review.item_over must be a quoted amount",
                     id="float-item-threshold"),
        pytest.param('claim_over = "500.00"', 'claim_over = "lots"', "review.claim_over", id="junk-claim-threshold"),
        pytest.param("items_over = 20", "items_over = 0", "review.items_over must be a whole number",
                     id="zero-items-threshold"),
        pytest.param("items_over = 20", "items_over = 20.5", "review.items_over must be a whole number",
                     id="fractional-items-threshold"),
        pytest.param("items_over = 20", "items_over = true", "review.items_over must be a whole number",
                     id="boolean-items-threshold"),
        pytest.param("[money]", '[money]\nacceptable_evidence = ["receipt", "photo"]', "acceptable_evidence",
                     id="unknown-evidence"),
        pytest.param("[money]", '[money]\nacceptable_evidence = ["none"]', "acceptable_evidence",
                     id="none-is-not-evidence"),
        pytest.param('all = ["plain_edge", "blade_length > 8in"]', 'all = ["plain_edge", "sharpness > 3"]',
                     "unknown feature 'sharpness'", id="unknown-feature"),
        pytest.param('all = ["plain_edge", "blade_length > 8in"]', 'all = ["blade_length > eight"]',
                     "not a length", id="bad-length-in-test"),
        pytest.param('all = ["plain_edge", "blade_length > 8in"]', "all = []", "has no tests",
                     id="definition-without-tests"),
        pytest.param('definition = "blade"', 'definition = "sword"', "kinds.knife uses definition 'sword'",
                     id="undefined-definition"),
        pytest.param('definition = "blade"', "", "kinds.knife.*missing 'definition'", id="kind-without-definition"),
        pytest.param('[kinds.knife]\nlabel = "Knife"\ndefinition = "blade"\n', "[kinds]\n", "lists no weapon kinds",
                     id="no-kinds"),
        pytest.param('[kinds.knife]\nlabel = "Knife"\ndefinition = "blade"\n', "", "missing 'kinds'",
                     id="missing-kinds"),
        pytest.param('code = "test-scheme"', 'code = "Test Scheme"', "campaign code", id="bad-code"),
        pytest.param('code = "test-scheme"\n', "", "missing 'code'", id="missing-code"),
        pytest.param('reference_prefix = "T99"', 'reference_prefix = "t-99"', "reference_prefix",
                     id="bad-prefix"),
        pytest.param('reference_prefix = "T99"', 'reference_prefix = "TOOLONG"', "reference_prefix",
                     id="long-prefix"),
        pytest.param('name = "Test scheme"\n', "", "missing 'name'", id="missing-name"),
        pytest.param("owned_on_or_before = 2098-12-31", "", "eligibility.*missing 'owned_on_or_before'",
                     id="missing-cut-off"),
        pytest.param('declaration = "I own it."', "", "missing 'declaration'", id="missing-declaration"),
        pytest.param('reference_prefix = "T99"', 'reference_prefix = "T99"\ntimezone = "Mars/Olympus_Mons"',
                     "timezone 'Mars/Olympus_Mons' is not a known time zone", id="unknown-timezone"),
        pytest.param('reference_prefix = "T99"', 'reference_prefix = "T99"\ntimezone = ""',
                     "not a known time zone", id="empty-timezone"),
        pytest.param('reference_prefix = "T99"', 'reference_prefix = "T99"\ntimezone = "../../etc/passwd"',
                     "not a known time zone", id="path-as-timezone"),
    ],
)
def test_a_malformed_campaign_file_is_refused_naming_the_problem(old, new, message):
    with pytest.raises(Refused, match=message):
        parse_campaign(edited(old, new))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(with_top_level("window = 5", instead_of=WINDOW), "window must be a table", id="window-number"),
        pytest.param(with_top_level('window = "opens"', instead_of=WINDOW), "window must be a table",
                     id="window-string"),
        pytest.param(with_top_level('window = ["2099-01-01"]', instead_of=WINDOW), "window must be a table",
                     id="window-list"),
        pytest.param(with_top_level("kinds = 5", instead_of=KINDS), "kinds must be tables", id="kinds-number"),
        pytest.param(with_top_level('kinds = ["knife"]', instead_of=KINDS), "kinds must be tables",
                     id="kinds-list"),
        pytest.param(with_top_level("definitions = 3", instead_of=DEFINITIONS), "definitions must be tables",
                     id="definitions-number"),
        pytest.param(edited(KINDS, "[kinds]\nknife = 5\n"), "kinds.knife must be a table", id="kind-number"),
        pytest.param(edited(KINDS, '[kinds]\nknife = "blade"\n'), "kinds.knife must be a table", id="kind-string"),
        pytest.param(edited(DEFINITIONS, '[definitions]\nblade = "plain_edge"\n'), "definition 'blade' must be a table",
                     id="definition-string"),
    ],
)
def test_a_campaign_file_with_a_section_of_the_wrong_type_is_refused_not_crashed(source, message):
    with pytest.raises(Refused, match=message):
        parse_campaign(source)


def test_a_refusal_from_a_file_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(edited("standard = \"10.00\"", "standard = 10.0"), "utf-8")
    with pytest.raises(Refused, match=r"broken\.toml: campaign file: money\.standard"):
        load_file(path)


def test_a_missing_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(Refused, match="cannot read campaign file .*nowhere.toml"):
        load_file(path)
    with pytest.raises(Refused, match="cannot read"):
        resolve(str(path))


def test_a_path_through_a_file_is_refused(tmp_path):
    (tmp_path / "plain.txt").write_text("x", "utf-8")
    with pytest.raises(Refused, match="cannot read campaign file"):
        load_file(tmp_path / "plain.txt" / "campaign.toml")


def test_a_directory_is_not_a_campaign_file(tmp_path):
    with pytest.raises(Refused, match="is a folder, not a file"):
        load_file(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text(MINIMAL, "utf-8")
    path.chmod(0)
    with pytest.raises(Refused, match="cannot read campaign file"):
        load_file(path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = Path(tmp_path / "latin1.toml")
    path.write_bytes(MINIMAL.replace("Test scheme", "Tést scheme").encode("latin-1"))
    with pytest.raises(Refused, match="not UTF-8"):
        load_file(path)


@pytest.mark.parametrize(("section", "typo", "meant"), [
    ("[money]", "minimum_total", "minimum_claim_total"), ("[review]", "items_ovr", "items_over"),
    ("[window]", "close", "closes"), ("[eligibility]", "owned_before", "owned_on_or_before")])
def test_a_misspelt_key_is_refused_naming_the_key_it_probably_meant(section, typo, meant):
    source = load_preset(DEFAULT_CAMPAIGN).source.replace(f"{section}\n", f'{section}\n{typo} = "1"\n', 1)
    with pytest.raises(Refused, match=rf"unknown key '{typo}'; did you mean '{meant}'"):
        parse_campaign(source)


def test_the_complete_example_scheme_in_the_docs_loads():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "flick-knife-2026.toml"
    campaign = parse_campaign(path.read_text(encoding="utf-8"))
    assert campaign.code == "flick-2026" and list(campaign.kinds) == ["flick-knife"]
    assert campaign.minimum_total_pence == 1500 and campaign.standard_pence == 1500
