"""SPEC 1 and 4: what each item and each claim earns, the claim minimum and the review flags."""


import pytest

from surrender.campaigns import load_preset
from surrender.rules.compensation import NOT_PAYABLE, PENDING, Assessor, assess_claim, assess_item
from surrender.rules.items import Item
from surrender.rules.lengths import parse_length
from surrender.rules.money import parse_money

ZOMBIE = load_preset("zombie-2024")
NINJA = load_preset("ninja-2025")

KNIFE = Item.of(kind="zombie-knife", blade_length_mm=parse_length("9.5in"), plain_edge=True, sharp_point=True, spikes=True)
NOT_A_ZOMBIE_KNIFE = KNIFE.but(spikes=False)  # misses every "one or more of" feature
SWORD = Item.of(
    kind="ninja-sword", blade_length_mm=parse_length("18in"), plain_edge=True, secondary_edge=True,
    blunt_spine=True, point_style="tanto",
)
NOT_A_NINJA_SWORD = SWORD.but(point_style="other")


def knife(value: str | None = None, evidence: str = "none", quantity: int = 1, **changes) -> Item:
    pence = None if value is None else parse_money(value)
    return KNIFE.but(claimed_value_pence=pence, evidence=evidence, quantity=quantity, **changes)


def claim(campaign, items, claiming=True):
    return assess_claim(campaign, [assess_item(campaign, item, claiming) for item in items])


# --- one item --------------------------------------------------------------------------


@pytest.mark.parametrize(("campaign", "item", "standard"), [(ZOMBIE, KNIFE, 1000), (NINJA, SWORD, 500)])
def test_an_eligible_item_with_no_claimed_value_earns_the_standard(campaign, item, standard):
    assessment = assess_item(campaign, item, claiming=True)
    assert assessment.eligible
    assert assessment.unit_compensation_pence == standard
    assert assessment.unit_claimed_pence == standard
    assert campaign.standard_pence == standard


@pytest.mark.parametrize(
    ("campaign", "item", "evidence", "earns"),
    [
        (ZOMBIE, KNIFE, "receipt", 4500),
        (ZOMBIE, KNIFE, "invoice", 4500),
        (ZOMBIE, KNIFE, "bank-statement", 4500),
        (ZOMBIE, KNIFE, "other", 1000),
        (ZOMBIE, KNIFE, "none", 1000),
        (NINJA, SWORD, "receipt", 4500),
        (NINJA, SWORD, "invoice", 4500),
        (NINJA, SWORD, "bank-statement", 4500),
        (NINJA, SWORD, "other", 500),
        (NINJA, SWORD, "none", 500),
    ],
)
def test_a_higher_claimed_value_is_paid_only_with_acceptable_evidence(campaign, item, evidence, earns):
    assessment = assess_item(campaign, item.but(claimed_value_pence=4500, evidence=evidence), claiming=True)
    assert assessment.eligible
    assert assessment.unit_claimed_pence == 4500
    assert assessment.unit_compensation_pence == earns
    assert any("£45.00" in r for r in assessment.reasons)


@pytest.mark.parametrize(
    ("campaign", "item", "value", "standard"),
    [
        (ZOMBIE, KNIFE, 0, 1000),
        (ZOMBIE, KNIFE, 1, 1000),
        (ZOMBIE, KNIFE, 500, 1000),
        (ZOMBIE, KNIFE, 999, 1000),
        (ZOMBIE, KNIFE, 1000, 1000),
        (NINJA, SWORD, 0, 500),
        (NINJA, SWORD, 499, 500),
        (NINJA, SWORD, 500, 500),
    ],
)
def test_a_claimed_value_at_or_below_the_standard_still_gets_the_standard_as_a_floor(campaign, item, value, standard):
    assessment = assess_item(campaign, item.but(claimed_value_pence=value, evidence="receipt"), claiming=True)
    assert assessment.unit_compensation_pence == standard


def test_a_value_one_penny_over_the_standard_with_evidence_is_paid_in_full():
    assert assess_item(ZOMBIE, knife("10.01", "receipt"), claiming=True).unit_compensation_pence == 1001


@pytest.mark.parametrize(
    ("campaign", "item"),
    [(ZOMBIE, NOT_A_ZOMBIE_KNIFE), (NINJA, NOT_A_NINJA_SWORD)],
)
@pytest.mark.parametrize(("value", "evidence"), [(None, "none"), (4500, "receipt")])
def test_an_ineligible_item_earns_nothing_whatever_is_claimed(campaign, item, value, evidence):
    assessment = assess_item(campaign, item.but(claimed_value_pence=value, evidence=evidence), claiming=True)
    assert assessment.eligible is False
    assert assessment.unit_compensation_pence == 0
    assert assessment.compensation_pence == 0
    assert assessment.reasons


@pytest.mark.parametrize(("campaign", "item"), [(ZOMBIE, KNIFE), (NINJA, SWORD), (ZOMBIE, NOT_A_ZOMBIE_KNIFE)])
def test_an_item_surrendered_without_a_claim_earns_nothing_and_says_so(campaign, item):
    assessment = assess_item(campaign, item.but(claimed_value_pence=4500, evidence="receipt"), claiming=False)
    assert assessment.unit_compensation_pence == 0
    assert assessment.unit_claimed_pence == 0
    assert "no claim made" in assessment.reasons


def test_an_eligible_item_without_a_claim_is_still_reported_as_eligible():
    assert assess_item(ZOMBIE, KNIFE, claiming=False).eligible is True


def test_quantity_multiplies_both_the_claimed_and_the_paid_amounts():
    assessment = assess_item(ZOMBIE, knife("45", "receipt", quantity=4), claiming=True)
    assert assessment.claimed_pence == 18000
    assert assessment.compensation_pence == 18000


# --- the claim minimum (zombie: £30; ninja: none) ----------------------------------------


@pytest.mark.parametrize(
    ("items", "status", "payable"),
    [
        pytest.param([KNIFE], NOT_PAYABLE, 0, id="one-standard"),
        pytest.param([KNIFE, KNIFE], NOT_PAYABLE, 0, id="two-standard"),
        pytest.param([KNIFE.but(quantity=2)], NOT_PAYABLE, 0, id="two-by-quantity"),
        pytest.param([KNIFE, KNIFE, KNIFE], PENDING, 3000, id="three-standard"),
        pytest.param([KNIFE.but(quantity=3)], PENDING, 3000, id="three-by-quantity"),
        pytest.param([KNIFE, KNIFE, NOT_A_ZOMBIE_KNIFE], NOT_PAYABLE, 0, id="two-eligible-one-not"),
        pytest.param([KNIFE, KNIFE, KNIFE, NOT_A_ZOMBIE_KNIFE], PENDING, 3000, id="three-eligible-one-not"),
        pytest.param([knife("29.99", "receipt")], NOT_PAYABLE, 0, id="one-at-29.99"),
        pytest.param([knife("30", "receipt")], PENDING, 3000, id="one-at-30.00"),
        pytest.param([KNIFE, knife("19.99", "receipt")], NOT_PAYABLE, 0, id="10-plus-19.99"),
        pytest.param([KNIFE, knife("20", "receipt")], PENDING, 3000, id="10-plus-20"),
        pytest.param([KNIFE, knife("50", "none")], NOT_PAYABLE, 0, id="50-without-evidence-is-10"),
        pytest.param([KNIFE, knife("50", "other")], NOT_PAYABLE, 0, id="50-with-other-evidence-is-10"),
        pytest.param([knife("45", "invoice")], PENDING, 4500, id="one-at-45-with-invoice"),
    ],
)
def test_a_zombie_claim_under_thirty_pounds_is_not_payable(items, status, payable):
    result = claim(ZOMBIE, items)
    assert result.status == status
    assert result.payable_pence == payable
    if status == NOT_PAYABLE:
        assert any("under the £30.00 minimum" in r for r in result.reasons)
    else:
        assert result.reasons == ()


def test_a_claim_just_under_the_minimum_shows_the_total_it_reached():
    result = claim(ZOMBIE, [knife("29.99", "receipt")])
    assert result.reasons == ("claim total £29.99 is under the £30.00 minimum",)
    assert result.claimed_pence == 2999


@pytest.mark.parametrize(
    ("items", "payable"),
    [
        pytest.param([SWORD], 500, id="one-sword"),
        pytest.param([SWORD, SWORD], 1000, id="two-swords"),
        pytest.param([SWORD.but(claimed_value_pence=1, evidence="receipt")], 500, id="floor"),
        pytest.param([SWORD, NOT_A_NINJA_SWORD], 500, id="one-eligible-one-not"),
    ],
)
def test_a_ninja_claim_has_no_minimum_so_one_five_pound_sword_is_payable(items, payable):
    assert NINJA.minimum_total_pence is None
    result = claim(NINJA, items)
    assert result.status == PENDING
    assert result.payable_pence == payable
    assert result.reasons == ()


@pytest.mark.parametrize(
    ("campaign", "items"),
    [
        (ZOMBIE, [NOT_A_ZOMBIE_KNIFE]),
        (ZOMBIE, [NOT_A_ZOMBIE_KNIFE] * 5),
        (ZOMBIE, [KNIFE.but(acquired_on=ZOMBIE.ownership_cutoff.replace(day=27))] * 3),
        (NINJA, [NOT_A_NINJA_SWORD]),
    ],
)
def test_a_claim_with_no_eligible_item_is_not_payable_and_says_why(campaign, items):
    result = claim(campaign, items)
    assert result.status == NOT_PAYABLE
    assert result.payable_pence == 0
    assert result.reasons == ("no item meets the scheme's definition and conditions",)
    assert result.flags == ()


def test_a_not_payable_claim_still_records_what_was_claimed():
    result = claim(ZOMBIE, [knife("25", "receipt")])
    assert result.claimed_pence == 2500
    assert result.payable_pence == 0


def test_a_claim_counts_every_item_including_quantities():
    assert claim(ZOMBIE, [KNIFE.but(quantity=7), NOT_A_ZOMBIE_KNIFE]).item_count == 8


# --- review flags -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "flagged"),
    [
        pytest.param([knife("100", "receipt")], False, id="exactly-100"),
        pytest.param([knife("100.01", "receipt")], True, id="100.01"),
        pytest.param([knife("250", "bank-statement")], True, id="250"),
        pytest.param([knife("250", "none"), KNIFE, KNIFE], False, id="250-claimed-without-evidence-pays-10"),
        pytest.param([knife("250", "other"), KNIFE, KNIFE], False, id="250-with-other-evidence-pays-10"),
    ],
)
def test_one_item_over_one_hundred_pounds_flags_the_claim(items, flagged):
    flags = claim(ZOMBIE, items).flags
    assert any("valued over £100.00" in f for f in flags) is flagged


def test_the_item_flag_counts_the_dear_items():
    flags = claim(ZOMBIE, [knife("150", "receipt", quantity=2), KNIFE]).flags
    assert "2 item(s) valued over £100.00 each" in flags


@pytest.mark.parametrize(
    ("items", "flagged"),
    [
        pytest.param([knife("100", "receipt", quantity=5)], False, id="exactly-500"),
        pytest.param([knife("100", "receipt", quantity=5), knife("0.01", "receipt")], True, id="510"),
        pytest.param([knife("100", "receipt", quantity=4), knife("100.01", "receipt")], True, id="500.01"),
        pytest.param([knife("50", "receipt", quantity=10)], False, id="ten-at-50"),
        pytest.param([knife("50.01", "receipt", quantity=10)], True, id="ten-at-50.01"),
    ],
)
def test_a_claim_over_five_hundred_pounds_is_flagged(items, flagged):
    result = claim(ZOMBIE, items)
    assert any("over £500.00" in f for f in result.flags) is flagged


def test_a_claim_of_exactly_five_hundred_pounds_is_not_flagged_at_all():
    result = claim(ZOMBIE, [knife("100", "receipt", quantity=5)])
    assert result.payable_pence == 50000
    assert result.flags == ()


@pytest.mark.parametrize(
    ("items", "flagged"),
    [
        pytest.param([KNIFE] * 20, False, id="twenty-lines"),
        pytest.param([KNIFE] * 21, True, id="twenty-one-lines"),
        pytest.param([KNIFE.but(quantity=20)], False, id="quantity-20"),
        pytest.param([KNIFE.but(quantity=21)], True, id="quantity-21"),
        pytest.param([KNIFE.but(quantity=10), KNIFE.but(quantity=11)], True, id="10-plus-11"),
        pytest.param([KNIFE.but(quantity=19), KNIFE], False, id="19-plus-1"),
    ],
)
def test_more_than_twenty_items_flags_the_claim(items, flagged):
    result = claim(ZOMBIE, items)
    assert result.status == PENDING
    assert any("items, over 20" in f for f in result.flags) is flagged


def test_twenty_one_standard_items_make_an_unflagged_amount_but_a_flagged_count():
    result = claim(ZOMBIE, [KNIFE.but(quantity=21)])
    assert result.payable_pence == 21000
    assert result.flags == ("21 items, over 20",)


@pytest.mark.parametrize("campaign", [ZOMBIE, NINJA])
def test_both_presets_share_the_same_review_thresholds(campaign):
    assert campaign.review_item_over_pence == 10000
    assert campaign.review_claim_over_pence == 50000
    assert campaign.review_items_over == 20


def test_a_ninja_claim_is_flagged_by_the_same_thresholds():
    result = claim(NINJA, [SWORD.but(quantity=21, claimed_value_pence=10001, evidence="invoice")])
    assert len(result.flags) == 3


def test_a_not_payable_claim_carries_no_flags():
    result = claim(ZOMBIE, [NOT_A_ZOMBIE_KNIFE.but(quantity=50)])
    assert result.status == NOT_PAYABLE
    assert result.flags == ()


# --- the Assessor groups identical lines --------------------------------------------------

STOCK = [
    KNIFE,
    knife("45", "receipt"),
    KNIFE,
    NOT_A_ZOMBIE_KNIFE,
    knife("45", "receipt"),
    KNIFE.but(quantity=5),
    knife("150", "invoice"),
    KNIFE.but(kind="zombie-machete"),
    KNIFE,
]


@pytest.mark.parametrize(
    ("campaign", "items"),
    [
        (ZOMBIE, STOCK),
        (ZOMBIE, [KNIFE, KNIFE]),
        (ZOMBIE, [KNIFE] * 3),
        (ZOMBIE, [KNIFE] * 25),
        (ZOMBIE, [NOT_A_ZOMBIE_KNIFE] * 3),
        (NINJA, [SWORD, SWORD, NOT_A_NINJA_SWORD, SWORD.but(quantity=30)]),
    ],
)
def test_the_assessor_gives_the_same_claim_as_assessing_items_one_by_one(campaign, items):
    assessor = Assessor(campaign, claiming=True)
    for item in items:
        assessor.add(item)
    assert assessor.claim() == claim(campaign, items)
    assert assessor.rows == len(items)


def test_the_assessor_groups_identical_lines_summing_their_quantities_in_first_seen_order():
    assessor = Assessor(ZOMBIE, claiming=True)
    for item in STOCK:
        assessor.add(item)
    lines = assessor.lines()
    assert [(item.kind, item.claimed_value_pence, a.quantity) for item, a in lines] == [
        ("zombie-knife", None, 8),
        ("zombie-knife", 4500, 2),
        ("zombie-knife", None, 1),
        ("zombie-knife", 15000, 1),
        ("zombie-machete", None, 1),
    ]
    assert [a.eligible for _, a in lines] == [True, True, False, True, True]
    assert sum(a.quantity for _, a in lines) == sum(i.quantity for i in STOCK)


def test_the_assessor_keeps_items_with_different_seals_apart():
    assessor = Assessor(ZOMBIE, claiming=True)
    assessor.add(KNIFE.but(seal="A1"))
    assessor.add(KNIFE.but(seal="A2"))
    assert len(assessor.lines()) == 2


def test_the_assessor_makes_no_claim_when_nothing_is_claimed():
    assessor = Assessor(ZOMBIE, claiming=False)
    for item in [KNIFE] * 3:
        assessor.add(item)
    assert assessor.claim() is None
    assert all(a.compensation_pence == 0 for _, a in assessor.lines())


def test_the_assessor_handles_a_large_stock_list_quickly():
    assessor = Assessor(ZOMBIE, claiming=True)
    for _ in range(35_871):
        assessor.add(KNIFE)
    result = assessor.claim()
    assert result.item_count == 35_871
    assert result.payable_pence == 35_871 * 1000
    assert len(result.flags) == 2  # over £500 and over 20 items
