"""Issue 7: money totals are bounded and exact. A claim past MAX_CLAIM_TOTAL_PENCE is refused
with one line before any total reaches a 32- or 64-bit column; the database is untouched."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surrender import db
from surrender.errors import Refused
from surrender.items_csv import ItemsFile
from surrender.models import Claim, ItemLine, ReferenceCounter, Surrender
from surrender.rules.claimant import make_claimant
from surrender.rules.compensation import MAX_CLAIM_TOTAL_PENCE, MAX_ITEMS, check_totals
from surrender.rules.items import item_from_spec
from surrender.services.surrenders import LogRequest, log_surrender

DEAR = "zombie-knife:10in:plain:point:serrated=3in:value=100000:evidence=receipt"


def counts(url: str) -> tuple[int, ...]:
    def work(session):
        return tuple(session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Surrender, ItemLine, Claim, ReferenceCounter))
    return db.run(url, work, write=False)


def claim(items) -> LogRequest:
    return LogRequest(items=items, claimant=make_claimant("Big Blades", "1 Trade Park", "PE2 6XX"), declared=True)


def test_the_bound_admits_a_claim_of_exactly_the_maximum_and_refuses_a_penny_more():
    check_totals(MAX_ITEMS, MAX_CLAIM_TOTAL_PENCE)
    with pytest.raises(Refused, match="over the £10,000,000.00 one claim may ask"):
        check_totals(1, MAX_CLAIM_TOTAL_PENCE + 1)
    with pytest.raises(Refused, match="over the 10,000,000 a surrender may hold"):
        check_totals(MAX_ITEMS + 1, 0)


def test_35871_items_claimed_at_100000_pounds_each_are_refused_and_nothing_is_saved(ctx):
    before = counts(ctx.url)
    with pytest.raises(Refused, match=r"the claim totals £3,587,100,000.00, over the £10,000,000.00"):
        log_surrender(ctx, claim([item_from_spec(f"{DEAR}:qty=35871")]))
    assert counts(ctx.url) == before


def test_a_stock_file_whose_rows_add_up_past_the_bound_is_refused_too(ctx, tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("kind,blade_length,plain_edge,sharp_point,spikes,claimed_value,evidence,quantity\n"
                    + "zombie-knife,10in,yes,yes,yes,100000,invoice,1000000\n" * 3)
    before = counts(ctx.url)
    with pytest.raises(Refused, match="over the £10,000,000.00"):
        log_surrender(ctx, claim(ItemsFile.unchecked(path)))
    assert counts(ctx.url) == before


def test_a_claim_at_the_bound_is_stored_exactly(ctx):
    view = log_surrender(ctx, claim([item_from_spec(f"{DEAR}:qty=100")]))
    assert view.claim.claimed_pence == view.claim.payable_pence == MAX_CLAIM_TOTAL_PENCE


def test_a_5000_digit_quantity_is_one_line_not_a_traceback():
    with pytest.raises(Refused, match=r"quantity '9999.*' is not a whole number from 1 to 1,000,000"):
        item_from_spec(f"{DEAR}:qty={'9' * 5000}")
