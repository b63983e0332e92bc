"""The payer is scheme data; the payer's decisions file is checked whole (issue 17, point 2)."""

from __future__ import annotations

import pytest

from surrender.campaigns import load_preset
from surrender.errors import Refused
from surrender.rules.campaign import parse_campaign
from surrender.rules.lifecycle import (
    CLOSED_STATUSES,
    OWED_STATUSES,
    PAYER_STATUSES,
    UNPAID_STATUSES,
    Step,
    can,
    effective_payable,
    transition,
)
from surrender.rules.payer import ClaimFacts, DecisionRow, decide_claim, parse_amount, parse_outcome, parse_row

REF = "TW-Z24-000017-7"


@pytest.mark.parametrize("code", ["zombie-2024", "ninja-2025"])
def test_both_presets_are_decided_and_paid_by_the_home_office(code):
    assert load_preset(code).payer == "home-office"


def test_a_campaign_file_without_payer_means_the_force_and_a_wrong_payer_is_refused():
    source = load_preset("zombie-2024").source.replace('payer = "home-office"\n', "").replace(
        'code = "zombie-2024"', 'code = "zombie-local"')
    assert parse_campaign(source).payer == "force"
    assert parse_campaign(source.replace('name = ', 'payer = "Force"\nname = ', 1)).payer == "force"
    with pytest.raises(Refused, match="payer must be one of 'home-office', 'force', not 'treasury'"):
        parse_campaign(source.replace('name = ', 'payer = "treasury"\nname = ', 1))
    with pytest.raises(Refused, match="payer must be one of"):
        parse_campaign(source.replace('name = ', 'payer = 3\nname = ', 1))


def test_the_payers_steps_in_the_lifecycle():
    assert transition(Step.DECIDE, "exported") == "decided"
    assert transition(Step.PAYER_REFUSE, "exported") == "refused"
    assert transition(Step.REOPEN, "decided") == "exported" == transition(Step.REOPEN, "refused")
    assert transition(Step.PAY, "decided") == "paid"
    for status in ("pending", "approved", "paid", "decided", "refused", "rejected"):
        assert not can(Step.DECIDE, status)
    assert not can(Step.VOID, "decided") and not can(Step.VOID, "refused")
    assert not can(Step.PAY, "refused")
    assert {"decided", "refused"} == PAYER_STATUSES
    assert "decided" in OWED_STATUSES and "refused" in UNPAID_STATUSES and "refused" in CLOSED_STATUSES
    assert effective_payable("decided", 4500) == 4500 and effective_payable("refused", 4500) == 0


def row(line: int | None, allowed: int, reason: str | None = None, at: int = 2) -> DecisionRow:
    return DecisionRow(at, REF, line, allowed, reason)


FACTS = ClaimFacts(REF, 8000, {1: 6000, 2: 2000})


def test_a_whole_claim_decision_allows_up_to_what_was_claimed():
    decision, problems = decide_claim(FACTS, [row(None, 8000)])
    assert problems == [] and decision.allowed_pence == 8000 and not decision.refused
    decision, problems = decide_claim(FACTS, [row(None, 0, "not the owner")])
    assert decision.refused and decision.lines[0].reason == "not the owner"
    decision, problems = decide_claim(FACTS, [row(None, 8001)])
    assert decision is None and problems == [f"line 2: {REF} allowed £80.01 is above the £80.00 claimed"]


def test_line_decisions_cover_every_line_each_once_within_its_claim():
    decision, problems = decide_claim(FACTS, [row(1, 4500, at=2), row(2, 0, "not eligible", at=3)])
    assert problems == [] and decision.allowed_pence == 4500
    assert [(d.line, d.claimed_pence, d.allowed_pence, d.refused) for d in decision.lines] == [
        (1, 6000, 4500, False), (2, 2000, 0, True)]
    _, problems = decide_claim(FACTS, [row(1, 4500)])
    assert problems == [f"line 2: {REF} line(s) 2 have no decision: give every line, or one row with an empty "
                        "line for the whole claim"]
    _, problems = decide_claim(FACTS, [row(1, 100, at=2), row(1, 200, at=3), row(2, 0, "x", at=4)])
    assert problems == [f"line 3: {REF} line 1 appears twice"]
    _, problems = decide_claim(FACTS, [row(1, 100), row(2, 2001, at=3), row(3, 5, at=4)])
    assert problems == [f"line 3: {REF} line 2 allowed £20.01 is above the £20.00 claimed",
                        f"line 4: {REF} has no item line 3 (it has 2 lines)"]
    _, problems = decide_claim(FACTS, [row(None, 100, at=2), row(1, 100, at=5)])
    assert problems == [f"line 2: {REF} has a row for the whole claim and rows for its lines: give one or the other"]
    _, problems = decide_claim(FACTS, [row(None, 100, at=2), row(None, 100, at=7)])
    assert problems == [f"line 7: {REF} appears twice for the whole claim"]


def test_a_row_is_read_strictly():
    parsed = parse_row(4, {"reference": "tw z24 000017 7", "line": " 2 ", "allowed": "£12.5", "reason": "  a   b "})
    assert parsed == DecisionRow(4, REF, 2, 1250, "a b")
    assert parse_row(5, {"reference": REF, "allowed": "358710.00"}).allowed_pence == 35_871_000  # a wholesaler's claim
    with pytest.raises(Refused, match="nothing allowed needs a reason"):
        parse_row(2, {"reference": REF, "allowed": "0"})
    with pytest.raises(Refused, match="is negative"):
        parse_row(2, {"reference": REF, "allowed": "-1"})
    with pytest.raises(Refused, match="not an item line number"):
        parse_row(2, {"reference": REF, "line": "0", "allowed": "1"})
    with pytest.raises(Refused, match="not an item line number"):
        parse_row(2, {"reference": REF, "line": "1e3", "allowed": "1"})
    with pytest.raises(Refused, match="fails its check character"):
        parse_row(2, {"reference": "TW-Z24-000017-8", "allowed": "1"})
    with pytest.raises(Refused, match="the reason is 501 characters long"):
        parse_row(2, {"reference": REF, "allowed": "0", "reason": "x" * 501})
    with pytest.raises(Refused, match=r"is over £10,000,000\.00"):
        parse_amount("10000000.01", "allowed")
    with pytest.raises(Refused, match="not an amount of money"):
        parse_amount("12.345", "allowed")


def test_a_disputes_outcome_is_upheld_or_dismissed():
    assert parse_outcome(" Upheld ") == "upheld" and parse_outcome(None) is None
    with pytest.raises(Refused, match="upheld or dismissed"):
        parse_outcome("maybe")
