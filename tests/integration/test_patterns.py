"""Patterns for reviewers (issue 17, point 4), on SQLite and PostgreSQL: each flags the claim
for a manager with its reason, shown wherever flags show, found by `claims list --flag`."""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select, update

from surrender import db, tables
from surrender.errors import Refused
from surrender.models import AuditEvent
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.campaigns import register_file
from surrender.services.claims import ClaimFilter, PaymentDetails, approve_claim, list_claims, set_payment
from surrender.services.reading import show_surrender
from surrender.services.surrenders import LogRequest, log_surrender
from tests.conftest import as_staff

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"


def log(ctx, name="Jane Smith", postcode="CB1 1JG", specs=(f"{KNIFE}:qty=3",), **bank):
    who = make_claimant(name, "1 High Street, Cambridge", postcode, **bank)
    return log_surrender(ctx, LogRequest(items=[item_from_spec(s) for s in specs], claimant=who, declared=True))


def at_pk(ctx):
    return as_staff(ctx, "3001", station="PK")


def finance(ctx):
    return as_staff(ctx, "4001")


def flags_of(ctx, reference):
    return show_surrender(as_staff(ctx, "5001"), reference).claim.flags


def flagged_refs(ctx, reason):
    return [row.reference for row in list_claims(finance(ctx), ClaimFilter(flag=reason))]


BANK = {"sort_code": "08-99-99", "account_number": "66374958"}


def test_the_same_account_on_two_claimants_claims_flags_both(ctx):
    first = log(ctx, "Jane Smith", **BANK).reference
    second = log(ctx, "Tom Brown", "PE1 1AA", **BANK)
    assert second.claim.flags == [f"shared-account: same bank account as {first}, another claimant's"]
    assert flags_of(ctx, first) == [f"shared-account: same bank account as {second.reference}, another claimant's"]
    assert flagged_refs(ctx, "shared-account") == [first, second.reference]
    with pytest.raises(Refused, match="needs a manager's approval first"):
        approve_claim(finance(ctx), second.reference)
    events = db.run(ctx.url, lambda c: c.execute(select(AuditEvent.action)).scalars().all(), write=False)
    assert events.count("claim.flagged") == 1  # the earlier claim's change; the new one is in its log event


def test_the_same_claimant_with_the_same_account_is_no_pattern(ctx):
    log(ctx, "Jane Smith", **BANK)
    assert log(ctx, "jane  SMITH", "cb11jg", **BANK).claim.flags == []
    assert flagged_refs(ctx, "shared-account") == []


def test_an_account_set_later_that_another_claimant_uses_flags_both(ctx):
    first = log(ctx, "Jane Smith", **BANK).reference
    second = log(ctx, "Tom Brown", "PE1 1AA").reference
    assert flagged_refs(ctx, "shared-account") == []
    set_payment(finance(ctx), second, PaymentDetails(sort_code="089999", account_number="66374958"))
    assert flags_of(ctx, second) == [f"shared-account: same bank account as {first}, another claimant's"]
    assert flags_of(ctx, first) == [f"shared-account: same bank account as {second}, another claimant's"]
    set_payment(finance(ctx), second, PaymentDetails(account_name="T Brown"))  # nothing new: no second flag
    assert len(flags_of(ctx, second)) == 1


def test_one_claimant_at_two_stations_is_flagged_at_both_names_normalised(ctx):
    first = log(ctx, "Jane O'Brien").reference
    second = log(at_pk(ctx), "jane obrien", "cb1 1jg")
    assert second.claim.flags == [f"several-stations: the same claimant also claimed at TW ({first})"]
    assert flags_of(ctx, first) == [f"several-stations: the same claimant also claimed at PK ({second.reference})"]
    assert log(ctx, "Jane O'Brien").claim.flags == [  # same station again: only the other station's claim
        f"several-stations: the same claimant also claimed at PK ({second.reference})"
    ]


def test_another_claimant_at_the_same_postcode_elsewhere_is_no_pattern(ctx):
    log(ctx, "Jane Smith")
    assert log(at_pk(ctx), "John Smith").claim.flags == []


def test_an_item_acquired_after_the_cutoff_is_flagged_on_the_day_it_is_not(ctx):
    claim = log(ctx, specs=(f"{KNIFE}:qty=3", f"{KNIFE}:acquired=2024-08-27")).claim
    assert claim.flags == ["acquired-after-cutoff: line 2 acquired 27 Aug 2024, after the cut-off 26 Aug 2024"]
    assert log(ctx, specs=(f"{KNIFE}:qty=3:acquired=2024-08-26",)).claim.flags == []


def price_list_campaign(ctx, tmp_path: Path, prices: str) -> str:
    text = resources.files("surrender.campaigns").joinpath("zombie-2024.toml").read_text("utf-8")
    path = tmp_path / "campaigns" / "priced.toml"
    path.parent.mkdir()
    path.write_text(text.replace('code = "zombie-2024"', 'code = "priced-2024"')
                    .replace('reference_prefix = "Z24"', 'reference_prefix = "P24"')
                    .replace("booking_threshold = 5", 'booking_threshold = 5\nprice_list = "prices.csv"'))
    (path.parent / "prices.csv").write_text(prices)
    register_file(as_staff(ctx, "1"), path)
    return "priced-2024"


def test_a_value_above_the_price_list_is_flagged_for_its_model(ctx, tmp_path):
    code = price_list_campaign(ctx, tmp_path, "model,price\nZombie Hunter,40.00\nZombie Hunter XL,60.00\n")
    ctx = as_staff(ctx, "2001", campaign=code)
    claim = log(ctx, specs=(
        f"{KNIFE}:desc=zombie-hunter xl (boxed):value=70:evidence=receipt",  # above 60.00: flagged
        f"{KNIFE}:desc=Zombie Hunter:value=40:evidence=receipt",  # at the figure: not flagged
        f"{KNIFE}:desc=Other make:value=90:evidence=receipt",  # not on the list
    )).claim
    assert claim.flags[-1:] == [
        "above-price-list: line 1 claims £70.00 each; the price list has £60.00 for Zombie Hunter XL"
    ]
    assert [f for f in claim.flags if f.startswith("above-price-list")] == claim.flags[-1:]


def test_a_price_list_is_checked_when_the_campaign_is_registered(ctx, tmp_path):
    with pytest.raises(Refused, match="line 3: price '12.345' has more than 2 decimal places"):
        price_list_campaign(ctx, tmp_path, "model,price\nA,1.00\nB,12.345\n")


def test_an_unknown_flag_is_refused_naming_the_valid_ones(ctx):
    with pytest.raises(Refused, match="flag 'shared' is not one of: shared-account, several-stations, "
                                      "above-price-list, acquired-after-cutoff"):
        list_claims(finance(ctx), ClaimFilter(flag="shared"))


def test_needs_payment_lists_a_pair_failing_the_modulus_check(ctx):
    good = log(ctx, **BANK).reference
    bad = log(ctx, "Tom Brown", "PE1 1AA", **BANK).reference
    # Stored before the check existed (or the tables changed since): 66374959 fails it.
    db.run(ctx.url, lambda c: c.execute(
        update(tables.claimant).where(tables.claimant.c.name == "Tom Brown").values(account_number="66374959")))
    rows = list_claims(finance(ctx), ClaimFilter(needs_payment=True))
    assert [(r.reference, r.bank_details) for r in rows] == [(bad, False)]
    assert good not in [r.reference for r in rows]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_report_pdf_lists_flagged_claims_by_reason_with_no_names(ctx, tmp_path):
    from surrender.report_pdf import render_report
    from surrender.services.campaign_report import campaign_report

    first = log(ctx, "Jane Smith", **BANK).reference
    second = log(ctx, "Tom Brown", "PE1 1AA", **BANK).reference
    third = log(at_pk(ctx), "Jane Smith", specs=(f"{KNIFE}:qty=3:acquired=2024-09-01",)).reference
    report = campaign_report(as_staff(ctx, "5001"))
    assert [(p.reason, p.reference) for p in report.patterns] == [
        ("shared-account", first), ("shared-account", second), ("several-stations", third),  # same time: by reference
        ("several-stations", first), ("acquired-after-cutoff", third)]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report(report))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page = text[text.index("Patterns for reviewers (5)"):]
    rows = [" ".join(line.split()) for line in page.splitlines()]
    assert f"shared-account {first} TW £30.00 £30.00 pending same bank account as" in rows
    assert any(row.startswith(f"several-stations {third} PK £30.00 £0.00 not") for row in rows)
    assert "Reason Reference Station Claimed Payable Status What matched" in rows
    assert "Jane" not in page and "Tom" not in page and "Smith" not in page
