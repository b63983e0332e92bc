"""Properties of the money and length rules that must hold for every input, not just the edges."""

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surrender.campaigns import load_preset
from surrender.rules.compensation import NOT_PAYABLE, PENDING, Assessor, assess_claim, assess_item
from surrender.rules.items import EVIDENCE, Item

POINT_STYLES = ("tanto", "reverse-tanto", "other")
from surrender.rules.lengths import parse_length
from surrender.rules.money import MAX_ITEM_PENCE, format_gbp, format_pence, parse_money

CAMPAIGNS = [load_preset("zombie-2024"), load_preset("ninja-2025")]
FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

lengths_mm = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(3000), places=2)


@st.composite
def items(draw, campaign):
    """Any item of one of the campaign's kinds, biased towards the definitions' edges."""
    return Item.of(
        kind=draw(st.sampled_from(list(campaign.kinds))),
        blade_length_mm=draw(st.one_of(
            lengths_mm,
            st.sampled_from([Decimal("203.2"), Decimal("203.3"), Decimal("355.6"), Decimal("609.6"),
                             Decimal("355.5"), Decimal("609.7"), Decimal("241.3"), Decimal("457.2")]),
        )),
        plain_edge=draw(st.booleans()),
        sharp_point=draw(st.booleans()),
        serrated_length=draw(st.one_of(st.just(Decimal(0)), st.just(Decimal("50.8")), lengths_mm)),
        serrated_at_handle=draw(st.booleans()),
        holes=draw(st.integers(0, 5)),
        spikes=draw(st.booleans()),
        points=draw(st.integers(0, 5)),
        secondary_edge=draw(st.booleans()),
        blunt_spine=draw(st.booleans()),
        point_style=draw(st.sampled_from(POINT_STYLES)),
        claimed_value_pence=draw(st.one_of(st.none(), st.integers(0, MAX_ITEM_PENCE // 100))),  # within the claim bound
        evidence=draw(st.sampled_from(EVIDENCE)),
        acquired_on=draw(st.one_of(
            st.none(),
            st.dates(campaign.ownership_cutoff - dt.timedelta(days=3), campaign.ownership_cutoff + dt.timedelta(days=3)),
        )),
        quantity=draw(st.integers(1, 30)),
    )


@st.composite
def campaign_and_items(draw, max_items=12):
    campaign = draw(st.sampled_from(CAMPAIGNS))
    return campaign, draw(st.lists(items(campaign), min_size=1, max_size=max_items))


@FAST
@given(campaign_and_items(max_items=1), st.booleans())
def test_an_eligible_claimed_item_never_earns_less_than_the_standard(pair, claiming):
    campaign, (item,) = pair
    assessment = assess_item(campaign, item, claiming=claiming)
    if assessment.eligible and claiming:
        assert assessment.unit_compensation_pence >= campaign.standard_pence
    if not assessment.eligible:
        assert assessment.unit_compensation_pence == 0


@FAST
@given(campaign_and_items(max_items=1), st.booleans())
def test_compensation_is_never_negative_and_never_more_than_the_standard_or_the_claimed_value(pair, claiming):
    campaign, (item,) = pair
    assessment = assess_item(campaign, item, claiming=claiming)
    assert assessment.unit_compensation_pence >= 0
    assert assessment.compensation_pence == assessment.unit_compensation_pence * item.quantity
    assert assessment.unit_compensation_pence <= max(campaign.standard_pence, assessment.unit_claimed_pence)


@FAST
@given(campaign_and_items())
def test_the_payable_total_is_the_sum_of_item_compensations_or_zero_and_never_more(pair):
    campaign, batch = pair
    assessments = [assess_item(campaign, item, claiming=True) for item in batch]
    total = sum(a.compensation_pence for a in assessments)
    result = assess_claim(campaign, assessments)
    assert result.payable_pence in (0, total)
    assert 0 <= result.payable_pence <= total
    assert result.item_count == sum(item.quantity for item in batch)
    if result.status == NOT_PAYABLE:
        assert result.payable_pence == 0
        assert result.reasons
        assert result.flags == ()
    else:
        assert result.status == PENDING
        assert result.reasons == ()
        assert result.payable_pence == total
        if campaign.minimum_total_pence is not None:
            assert total >= campaign.minimum_total_pence


@FAST
@given(campaign_and_items())
def test_the_assessor_agrees_with_assessing_every_item(pair):
    campaign, batch = pair
    assessor = Assessor(campaign, claiming=True)
    for item in batch + batch:  # every line twice, so grouping has work to do
        assessor.add(item)
    assert assessor.claim() == assess_claim(campaign, [assess_item(campaign, i, claiming=True) for i in batch + batch])


inches = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("118.11"), places=4)


@FAST
@given(inches, st.sampled_from(["in", '"', "", " in", " inches"]))
def test_a_length_in_inches_is_exactly_its_value_times_25_point_4_millimetres(value, unit):
    assert parse_length(f"{value}{unit}") == value * Decimal("25.4")


@FAST
@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(3000), places=3))
def test_a_length_in_millimetres_or_centimetres_is_exactly_its_value(value):
    assert parse_length(f"{value}mm") == value
    assert parse_length(f"{value / 10}cm") == value


@settings(max_examples=2000, deadline=None, database=None)
@given(st.integers(0, MAX_ITEM_PENCE))
def test_formatting_pence_and_reading_them_back_round_trips(pence):
    text = format_pence(pence)
    assert parse_money(text) == pence
    assert parse_money(format_gbp(pence).replace(",", "")) == pence
    assert Decimal(text) * 100 == pence


def test_formatting_pence_round_trips_at_the_ends_of_the_range():
    for pence in (0, 1, 99, 100, 101, MAX_ITEM_PENCE - 1, MAX_ITEM_PENCE):
        assert parse_money(format_pence(pence)) == pence
