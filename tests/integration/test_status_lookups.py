"""`claims status` is no oracle (issues 18.3, 14, 17): whole postcodes only, misses bounded per
member and per terminal, a member's misses one audit event an hour, "no match" says to check
both, and a Home Office claim says where it stands with the payer."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from surrender import db, tables
from surrender.errors import Refused
from surrender.rules.lookups import MISSES_PER_HOUR
from surrender.services.claim_status import NO_MATCH, TooManyMisses, claim_status
from surrender.services.decisions import dispute, record_decisions
from surrender.services.payments import mark_paid
from tests.conftest import NOW, as_staff
from tests.integration.test_claim_pack import packed, write
from tests.integration.test_finance_work import log

POSTCODE, GUESSES = "CB1 2AD", ["CB1 2AA", "CB1 2AB", "CB1 2AE", "CB1 2AF", "CB1 2AG", "CB1 2AH"]


def events(url: str) -> int:
    return db.run(url, lambda c: c.execute(select(func.count()).select_from(tables.audit_event)).scalar_one(),
                  write=False)


@pytest.fixture
def desk(ctx):
    return replace(ctx, terminal="tw-front/desk1 /dev/pts/1")


def miss(ctx, reference, postcode="CB1 2AA"):
    with pytest.raises(Refused) as refused:
        claim_status(ctx, reference, postcode)
    return refused.value


def test_five_misses_in_an_hour_stop_the_member_even_with_the_right_postcode_until_the_hour_passes(desk, clock):
    reference = log(desk, postcode=POSTCODE)
    for guess in GUESSES[:MISSES_PER_HOUR]:
        assert str(miss(desk, reference, guess)) == NO_MATCH
        clock.now += dt.timedelta(minutes=1)
    before = events(desk.url)
    with pytest.raises(TooManyMisses) as stopped:
        claim_status(replace(desk, terminal="another terminal"), reference, POSTCODE)  # right postcode: still no
    assert "5 lookups by staff member 2001 matched nothing in the last hour; try again after 15:00" in str(
        stopped.value)
    assert "\n" not in str(stopped.value) and events(desk.url) == before  # a refusal writes nothing
    clock.now = NOW + dt.timedelta(hours=1, seconds=1)  # the first miss has left the hour
    assert claim_status(desk, reference, POSTCODE).reference == reference


def test_a_terminal_is_bounded_across_the_members_using_it(desk, clock):
    reference = log(desk, postcode=POSTCODE)
    manager = as_staff(desk, "5001")
    for who in (desk, desk, desk, manager, manager):
        miss(who, reference)
    with pytest.raises(TooManyMisses, match="5 lookups from this terminal matched nothing"):
        claim_status(as_staff(desk, "4001"), reference, POSTCODE)
    elsewhere = as_staff(desk, "4001", terminal="finance office /dev/pts/7")
    assert claim_status(elsewhere, reference, POSTCODE).reference == reference


def test_a_members_misses_are_one_audit_event_an_hour_naming_the_reference_never_the_postcode(desk, clock):
    reference = log(desk, postcode=POSTCODE)
    before = events(desk.url)
    for _ in range(MISSES_PER_HOUR):
        miss(desk, reference)
    assert events(desk.url) == before + 1
    clock.now = NOW + dt.timedelta(hours=2)
    miss(desk, reference)
    assert events(desk.url) == before + 2
    misses = db.run(desk.url, lambda c: c.execute(select(tables.status_miss)).all(), write=False)
    assert len(misses) == MISSES_PER_HOUR + 1 and {m.reference for m in misses} == {reference}
    details = db.run(desk.url, lambda c: " ".join(c.execute(select(tables.audit_event.c.detail)).scalars()),
                     write=False)
    assert "2AA" not in details and reference in details


@pytest.mark.parametrize("partial", ["CB1", "CB12", "CB1 2", "CB1 2A", "", "2AD"])
def test_only_a_whole_postcode_is_an_answer_and_a_part_is_refused_without_counting(desk, partial):
    reference = log(desk, postcode=POSTCODE)
    with pytest.raises(Refused, match="not a whole UK postcode"):
        claim_status(desk, reference, partial)
    assert db.run(desk.url, lambda c: c.execute(select(func.count()).select_from(tables.status_miss)).scalar_one(),
                  write=False) == 0
    assert claim_status(desk, reference, " cb12ad ").reference == reference


def test_a_home_office_claim_says_with_the_home_office_since_then_decided_then_paid(ctx, tmp_path, clock):
    (reference,) = packed(ctx, tmp_path)
    sent = clock.now
    clock.now += dt.timedelta(days=3)
    standing = claim_status(ctx, reference, "CB1 1JG").payer
    assert (standing.words, standing.since) == ("with the Home Office since", sent)
    fin = as_staff(ctx, "4001")
    record_decisions(fin, write(tmp_path / "d.csv", ["reference,allowed", f"{reference},70.00"]))
    assert claim_status(ctx, reference, "CB1 1JG").payer.words == "decided"
    clock.now += dt.timedelta(days=1)
    dispute(fin, reference, "claimant sent a second receipt")
    standing = claim_status(ctx, reference, "CB1 1JG").payer
    assert (standing.words, standing.since) == ("disputed with the Home Office since", clock.now)


def test_a_paid_home_office_claim_says_paid(ctx, tmp_path):
    (reference,) = packed(ctx, tmp_path)
    fin = as_staff(ctx, "4001")
    record_decisions(fin, write(tmp_path / "d.csv", ["reference,allowed", f"{reference},70.00"]))
    mark_paid(fin, write(tmp_path / "r.csv", ["reference,amount", f"{reference},70.00"]))
    assert claim_status(ctx, reference, "CB1 1JG").payer.words == "paid"


def test_a_claim_not_sent_to_the_payer_has_no_payer_standing(ctx):
    reference = log(ctx, postcode=POSTCODE)
    assert claim_status(ctx, reference, POSTCODE).payer is None
