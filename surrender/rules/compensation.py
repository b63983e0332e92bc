"""What each item and each claim earns under a campaign's money rules (SI 2024/583 arts. 5-6).

An eligible item earns the standard amount, or its claimed value when that is higher and backed
by acceptable evidence: the standard is the floor. A claim whose eligible total is under the
campaign's minimum earns nothing. Claims over review thresholds are flagged for a manager.
"""

from __future__ import annotations

from dataclasses import dataclass

from surrender.errors import Refused
from surrender.rules.campaign import Campaign
from surrender.rules.items import Item
from surrender.rules.money import format_gbp

# Bounds on one surrender, so totals stay exact and fit every integer column they are stored in
# (PostgreSQL INTEGER is 32-bit): £10 million is over a hundred times the largest stock claim
# a scheme has seen, and ten million items is a warehouse.
MAX_CLAIM_TOTAL_PENCE = 1_000_000_000
MAX_ITEMS = 10_000_000

PENDING = "pending"
NOT_PAYABLE = "not_payable"


@dataclass(frozen=True)
class ItemAssessment:
    eligible: bool
    reasons: tuple[str, ...]
    unit_claimed_pence: int  # what the claimant asked per item (the standard if they named none)
    unit_compensation_pence: int  # what the scheme pays per item before the claim minimum
    quantity: int

    @property
    def claimed_pence(self) -> int:
        return self.unit_claimed_pence * self.quantity

    @property
    def compensation_pence(self) -> int:
        return self.unit_compensation_pence * self.quantity


@dataclass(frozen=True)
class ClaimAssessment:
    status: str  # pending or not_payable
    claimed_pence: int
    payable_pence: int
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    item_count: int


def meets_definition(campaign: Campaign, item: Item) -> list[str]:
    """Reasons the item falls outside its kind's legal definition; empty when it meets it."""
    kind = campaign.kind(item.kind)
    return [f"not a {kind.label.lower()} in law: {text}" for text in kind.definition.unmet(item.values())]


def assess_item(campaign: Campaign, item: Item, claiming: bool) -> ItemAssessment:
    """Eligibility and compensation of one line; `claiming` is False for anonymous/no-claim."""
    reasons = meets_definition(campaign, item)
    if item.acquired_on is not None and item.acquired_on > campaign.ownership_cutoff:
        reasons.append(
            f"acquired {item.acquired_on:%d %b %Y}, after the ownership cut-off of {campaign.ownership_cutoff:%d %b %Y}"
        )
    eligible = not reasons
    standard = campaign.standard_pence
    asked = item.claimed_value_pence if item.claimed_value_pence is not None else standard
    if not claiming:
        return ItemAssessment(eligible, tuple(reasons) + ("no claim made",), 0, 0, item.quantity)
    if not eligible:
        return ItemAssessment(False, tuple(reasons), asked, 0, item.quantity)
    unit = standard
    if asked > standard:
        if item.evidence in campaign.acceptable_evidence:
            unit = asked
            reasons.append(f"{format_gbp(asked)} claimed with evidence of value ({item.evidence})")
        elif item.evidence == "none":
            reasons.append(f"{format_gbp(asked)} claimed without evidence of value: standard {format_gbp(standard)}")
        else:
            reasons.append(
                f"{format_gbp(asked)} claimed with {item.evidence} evidence, which is not accepted: "
                f"standard {format_gbp(standard)}"
            )
    return ItemAssessment(True, tuple(reasons), asked, unit, item.quantity)


def needs_manager(campaign: Campaign, assessment: ItemAssessment) -> bool:
    """An eligible item paid over the campaign's review value: its claim is flagged for a manager."""
    return assessment.eligible and assessment.unit_compensation_pence > campaign.review_item_over_pence


def check_totals(items: int, claimed_pence: int) -> None:
    """Refuse a surrender past the bounds above, before any total reaches the database."""
    if items > MAX_ITEMS:
        raise Refused(
            f"{items:,} items in one surrender is over the {MAX_ITEMS:,} a surrender may hold: "
            "check the quantities, or split the list"
        )
    if claimed_pence > MAX_CLAIM_TOTAL_PENCE:
        raise Refused(
            f"the claim totals {format_gbp(claimed_pence)}, over the {format_gbp(MAX_CLAIM_TOTAL_PENCE)} "
            "one claim may ask: check the values and quantities"
        )


def assess_claim(campaign: Campaign, assessments: list[ItemAssessment]) -> ClaimAssessment:
    """The claim total, whether anything is payable, and the flags that need a manager."""
    claimed = sum(a.claimed_pence for a in assessments)
    total = sum(a.compensation_pence for a in assessments)
    count = sum(a.quantity for a in assessments)
    check_totals(count, max(claimed, total))
    reasons: list[str] = []
    if not any(a.eligible for a in assessments):
        reasons.append("no item meets the scheme's definition and conditions")
    elif campaign.minimum_total_pence is not None and total < campaign.minimum_total_pence:
        reasons.append(
            f"claim total {format_gbp(total)} is under the {format_gbp(campaign.minimum_total_pence)} minimum"
        )
    payable = 0 if reasons else total
    flags: list[str] = []
    if payable:
        dear = sum(a.quantity for a in assessments if needs_manager(campaign, a))
        if dear:
            flags.append(f"{dear} item(s) valued over {format_gbp(campaign.review_item_over_pence)} each")
        if payable > campaign.review_claim_over_pence:
            flags.append(f"claim {format_gbp(payable)} over {format_gbp(campaign.review_claim_over_pence)}")
        if count > campaign.review_items_over:
            flags.append(f"{count:,} items, over {campaign.review_items_over}")
    return ClaimAssessment(
        status=NOT_PAYABLE if reasons else PENDING,
        claimed_pence=claimed,
        payable_pence=payable,
        reasons=tuple(reasons),
        flags=tuple(flags),
        item_count=count,
    )


class Assessor:
    """Assesses a stream of items, once per distinct line, keeping only per-line totals.

    A 35,871-row stock list of a few dozen distinct products costs a few dozen assessments,
    and memory grows with the distinct lines, not the rows.
    """

    def __init__(self, campaign: Campaign, claiming: bool):
        self.campaign = campaign
        self.claiming = claiming
        self._seen: dict[Item, ItemAssessment] = {}
        self._quantity: dict[Item, int] = {}
        self.rows = 0

    def add(self, item: Item, times: int = 1) -> ItemAssessment:
        """Count `item` (a line read `times` over); its assessment is computed once per line."""
        key = item.group_key()
        assessment = self._seen.get(key)
        if assessment is None:
            assessment = self._seen[key] = assess_item(self.campaign, key, self.claiming)
        self._quantity[key] = self._quantity.get(key, 0) + item.quantity * times
        self.rows += times
        return assessment

    def lines(self) -> list[tuple[Item, ItemAssessment]]:
        """Distinct lines in first-seen order, each with its summed quantity."""
        return [
            (
                key,
                ItemAssessment(
                    a.eligible, a.reasons, a.unit_claimed_pence, a.unit_compensation_pence, self._quantity[key]
                ),
            )
            for key, a in self._seen.items()
        ]

    def claim(self) -> ClaimAssessment | None:
        if not self.claiming:
            return None
        return assess_claim(self.campaign, [a for _, a in self.lines()])
