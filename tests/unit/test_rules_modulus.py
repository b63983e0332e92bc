"""Bank details checked as banks check them: the Vocalink modulus check through uk-mod-check
(issue 17, point 3). The valid pairs are the examples uk-mod-check documents for itself (its
README; the package ships no test files) and pairs from Vocalink's published test cases."""

from __future__ import annotations

import pytest

from surrender.errors import Refused
from surrender.rules.claimant import check_bank_pair, make_claimant, payment_gaps
from surrender.rules.modulus import ModulusTables, Verdict, built_in, check, next_valid_account, parse_tables

# uk-mod-check's own examples (README): valid, the second through sort code substitution.
PACKAGE_VALID = [("04-00-04", "78111815", None), ("30-90-70", "12345668", "309634")]
# Vocalink's published modulus checking test cases (valid / invalid).
VOCALINK_VALID = [("08-99-99", "66374958"), ("10-79-99", "88837491"), ("20-29-59", "63748472"),
                  ("87-14-27", "46238510"), ("93-86-11", "07806039"), ("07-44-56", "12345112")]
VOCALINK_INVALID = [("93-80-63", "15764273"), ("11-87-65", "64371388"), ("20-30-99", "66831036"),
                    ("08-99-99", "66374959"), ("10-79-99", "88837493")]


@pytest.mark.parametrize(("sort_code", "account", "substitute"), PACKAGE_VALID)
def test_the_packages_own_examples_pass(sort_code, account, substitute):
    result = check(sort_code, account)
    assert result.verdict == Verdict.VALID and result.substitute == substitute


@pytest.mark.parametrize(("sort_code", "account"), VOCALINK_VALID)
def test_vocalinks_valid_cases_pass(sort_code, account):
    assert check(sort_code, account).verdict == Verdict.VALID
    assert check_bank_pair(sort_code, account) is None
    assert payment_gaps(sort_code, account, "Jane Smith") == []


@pytest.mark.parametrize(("sort_code", "account"), VOCALINK_INVALID)
def test_vocalinks_failing_cases_fail_and_are_refused_or_held_back(sort_code, account):
    assert check(sort_code, account).verdict == Verdict.INVALID
    with pytest.raises(Refused, match=f"sort code {sort_code} and account number {account} fail the banks' "
                                      "modulus check: one of them is mistyped"):
        check_bank_pair(sort_code, account)
    assert payment_gaps(sort_code, account, "Jane Smith") == ["sort code and account number fail the modulus check"]


def test_a_single_mistyped_digit_of_a_valid_account_is_caught():
    sort_code, account = "08-99-99", "66374958"
    caught = 0
    for position in range(8):
        digit = int(account[position])
        wrong = account[:position] + str((digit + 1) % 10) + account[position + 1:]
        caught += check(sort_code, wrong).verdict == Verdict.INVALID
    assert caught == 8


def test_a_sort_code_the_tables_do_not_know_is_a_warning_not_a_refusal():
    assert check("12-34-56", "12345678").verdict == Verdict.UNKNOWN
    warning = check_bank_pair("12-34-56", "12345678")
    assert warning == ("sort code 12-34-56 is not in the modulus tables, so account number 12345678 could not be "
                       "checked: confirm both with the claimant")
    assert payment_gaps("12-34-56", "12345678", "Jane Smith") == []


def test_make_claimant_refuses_a_failing_pair_and_keeps_a_valid_or_unknown_one():
    with pytest.raises(Refused, match="fail the banks' modulus check"):
        make_claimant("Jane", "1 High St", "CB1 1JG", sort_code="089999", account_number="66374959")
    assert make_claimant("Jane", "1 High St", "CB1 1JG", sort_code="089999",
                         account_number="6637 4958").account_number == "66374958"
    assert make_claimant("Jane", "1 High St", "CB1 1JG", sort_code="12-34-56",
                         account_number="12345678").sort_code == "12-34-56"


def test_other_tables_are_parsed_checked_and_used_instead_of_the_packages():
    own = built_in()
    assert own.rule_count > 1000 and own.substitution_count > 10
    again = parse_tables(own.weights, own.substitutions, "copy")
    assert again.sha256 == own.sha256
    # Tables where 12-34-56 is known (a plain MOD11 rule): the pair becomes checkable.
    extra = ModulusTables(own.weights + "123450 123459 MOD11    0    0    0    0    0    0    8    7    6    5    4    3"
                                        "    2    1\n", own.substitutions, "with 12345x")
    parsed = parse_tables(extra.weights, extra.substitutions, "with 12345x")
    assert check("12-34-56", "12345678", parsed).verdict == Verdict.INVALID
    valid = next_valid_account("12-34-56", "12345678", parsed)
    assert check("12-34-56", valid, parsed).verdict == Verdict.VALID
    assert check("12-34-56", "12345678").verdict == Verdict.UNKNOWN  # the package's own tables are untouched
    with pytest.raises(Refused, match="fail the banks' modulus check"):
        check_bank_pair("12-34-56", "12345678", parsed)


@pytest.mark.parametrize(("weights", "subs", "message"), [
    ("", "938173 938017\n", "holds no rules"),
    ("010004 016715 MOD12 0 0 0 0 0 0 8 7 6 5 4 3 2 1\n", "", "weight table line 1 is not"),
    ("010004 016715 MOD11 0 0 0 0 0 0 8 7 6 5 4 3 2\n", "", "weight table line 1 is not"),
    ("016715 010004 MOD11 0 0 0 0 0 0 8 7 6 5 4 3 2 1\n", "", "line 1: the range starts after it ends"),
    ("010004 016715 MOD11 0 0 0 0 0 0 8 7 6 5 4 3 2 1\n", "938173\n", "substitution table line 1"),
    ("x" * (1024 * 1024 + 1), "", "over 1024 KB"),
])
def test_a_damaged_table_is_refused_naming_the_line(weights, subs, message):
    with pytest.raises(Refused, match=message):
        parse_tables(weights, subs, "bad")


def test_check_takes_only_normalised_details():
    with pytest.raises(ValueError):
        check("12-34-5", "12345678")
