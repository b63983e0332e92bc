"""SPEC 1 and 5: claimant details typed at the desk are checked and normalised."""

import pytest

from surrender.errors import Refused
from surrender.rules.claimant import (
    make_claimant,
    normalise_account_number,
    normalise_postcode,
    normalise_sort_code,
)

GOOD = {"name": "Jane Smith", "address": "1 Parkside, Cambridge", "postcode": "CB1 1JG"}


def claimant(**changes):
    fields = {**GOOD, **changes}
    return make_claimant(fields.pop("name"), fields.pop("address"), fields.pop("postcode"), **fields)


def test_a_claimant_with_name_address_and_postcode_is_accepted():
    details = claimant()
    assert (details.name, details.address, details.postcode) == ("Jane Smith", "1 Parkside, Cambridge", "CB1 1JG")
    assert details.phone is None and details.email is None and details.business_name is None
    assert details.sort_code is None and details.account_number is None and details.account_name is None
    assert details.has_bank_details is False


@pytest.mark.parametrize(
    ("missing", "option"),
    [("name", "--name"), ("address", "--address"), ("postcode", "--postcode")],
)
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_a_named_surrender_without_name_address_or_postcode_is_refused_naming_the_option(missing, option, empty):
    with pytest.raises(Refused, match=f"needs {option}.*or use --anonymous"):
        claimant(**{missing: empty})


def test_every_missing_essential_is_named_at_once():
    with pytest.raises(Refused, match="--name, --address, --postcode"):
        make_claimant(None, "", " ")


def test_names_and_addresses_have_their_whitespace_tidied():
    details = claimant(name="  Jane   Smith ", address=" 1  Parkside,\n Cambridge ")
    assert details.name == "Jane Smith"
    assert details.address == "1 Parkside, Cambridge"


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("CB1 1JG", "CB1 1JG"),
        ("cb1 1jg", "CB1 1JG"),
        ("CB11JG", "CB1 1JG"),
        ("  pe3   8he ", "PE3 8HE"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
    ],
)
def test_a_uk_postcode_is_normalised_to_upper_case_with_one_space(typed, normal):
    assert normalise_postcode(typed) == normal
    assert claimant(postcode=typed).postcode == normal


@pytest.mark.parametrize("typed", ["CB1", "1JG", "12345", "CB1 1J", "CB1 JJG", "CBX1 1JG", "CB1-1JG", "ZZ", "CB1 1JGG"])
def test_a_malformed_postcode_is_refused(typed):
    with pytest.raises(Refused, match="not a UK postcode"):
        claimant(postcode=typed)


@pytest.mark.parametrize(("typed", "normal"), [("12-34-56", "12-34-56"), ("123456", "12-34-56"),
                                               ("12 34 56", "12-34-56"), (" 12-34-56 ", "12-34-56")])
def test_a_sort_code_is_six_digits_shown_in_pairs(typed, normal):
    assert normalise_sort_code(typed) == normal


@pytest.mark.parametrize("typed", ["12345", "1234567", "12-34-5x", "ab-cd-ef", "12/34/56", "",
                                   "\u0661\u0662-\u0663\u0664-\u0665\u0666", "\uff11\uff12\uff13\uff14\uff15\uff16"])
def test_a_malformed_sort_code_is_refused(typed):  # digits of other scripts too: a bank file takes 0-9
    with pytest.raises(Refused, match="sort code .* must be 6 digits"):
        normalise_sort_code(typed)


@pytest.mark.parametrize(("typed", "normal"), [("12345678", "12345678"), ("1234 5678", "12345678"),
                                               (" 00000001 ", "00000001")])
def test_an_account_number_is_eight_digits(typed, normal):
    assert normalise_account_number(typed) == normal


@pytest.mark.parametrize("typed", ["1234567", "123456789", "1234-5678", "abcdefgh", "",
                                   "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "\u0967" * 8])
def test_a_malformed_account_number_is_refused(typed):
    with pytest.raises(Refused, match="account number .* must be 8 digits"):
        normalise_account_number(typed)


def test_bank_details_are_normalised_and_the_account_name_defaults_to_the_claimant():
    details = claimant(sort_code="123456", account_number="1234 5678")
    assert (details.sort_code, details.account_number, details.account_name) == ("12-34-56", "12345678", "Jane Smith")
    assert details.has_bank_details is True


def test_an_explicit_account_name_is_kept():
    details = claimant(sort_code="12-34-56", account_number="12345678", account_name=" Smith Cutlery Ltd ")
    assert details.account_name == "Smith Cutlery Ltd"


@pytest.mark.parametrize(
    "bank",
    [{"sort_code": "12-34-56"}, {"account_number": "12345678"}, {"sort_code": "12-34-56", "account_number": ""}],
)
def test_one_bank_field_without_the_other_is_refused(bank):
    with pytest.raises(Refused, match="both --sort-code and --account-number"):
        claimant(**bank)


@pytest.mark.parametrize(("bank", "message"), [({"sort_code": "1234", "account_number": "12345678"}, "sort code"),
                                               ({"sort_code": "123456", "account_number": "1234"}, "account number")])
def test_a_bad_sort_code_or_account_number_is_refused_at_once(bank, message):
    with pytest.raises(Refused, match=message):
        claimant(**bank)


@pytest.mark.parametrize(("phone", "ok"), [("01733 561111", True), ("+44 (0)1223 358966", True), ("999-1234", True),
                                           ("123", False), ("call me", False), ("0" * 21, False)])
def test_a_phone_number_must_look_like_one(phone, ok):
    if ok:
        assert claimant(phone=phone).phone == phone
    else:
        with pytest.raises(Refused, match="phone"):
            claimant(phone=phone)


@pytest.mark.parametrize(("email", "stored"), [("Jane@Example.org", "jane@example.org"),
                                               (" j.smith@police.uk ", "j.smith@police.uk")])
def test_an_email_is_stored_in_lower_case(email, stored):
    assert claimant(email=email).email == stored


@pytest.mark.parametrize("email", ["jane", "jane@", "@example.org", "jane@example", "ja ne@example.org"])
def test_a_malformed_email_is_refused(email):
    with pytest.raises(Refused, match="email"):
        claimant(email=email)


def test_a_business_name_is_kept_for_retailers():
    assert claimant(business_name=" Blades R Us Ltd ").business_name == "Blades R Us Ltd"


@pytest.mark.parametrize(("field", "what", "limit"), [
    ("name", "name", 120), ("address", "address", 300), ("business_name", "business name", 120),
    ("account_name", "account name", 120)])
def test_a_text_longer_than_its_field_is_refused_with_the_limit_never_cut(field, what, limit):
    bank = {"sort_code": "12-34-56", "account_number": "12345678"} if field == "account_name" else {}
    assert len(getattr(claimant(**{field: "x" * limit}, **bank), field)) == limit  # exactly at the limit: kept
    with pytest.raises(Refused, match=rf"the {what} is {limit + 1} characters long; the most is {limit}"):
        claimant(**{field: "x" * (limit + 1)}, **bank)


def test_a_157_character_name_is_refused_not_stored_as_its_first_120():
    with pytest.raises(Refused, match="157 characters"):
        claimant(name="Z" * 157)


def test_an_email_longer_than_any_address_can_be_is_refused():
    with pytest.raises(Refused, match="the email is"):
        claimant(email="a" * 250 + "@example.org")
