"""Logging through the service layer against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from surrender import db
from surrender.errors import Forbidden, NotFound, Refused
from surrender.models import AuditEvent, Claim, Claimant, Item, ItemLine, ReferenceCounter, Surrender
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.reading import show_surrender
from surrender.services.surrenders import LogRequest, log_surrender
from tests.conftest import LONDON, as_staff

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"


def claimant(**kw):
    return make_claimant("Jane Smith", "1 High Street, Cambridge", "CB1 1JG", **kw)


def request(*specs: str, **kw) -> LogRequest:
    kw.setdefault("claimant", None if kw.get("anonymous") else claimant())
    kw.setdefault("declared", True)
    return LogRequest(items=[item_from_spec(s) for s in specs], **kw)


def table_counts(url: str) -> dict[str, int]:
    def work(session):
        return {m.__tablename__: session.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (Surrender, Item, ItemLine, Claim, Claimant, AuditEvent, ReferenceCounter)}
    return db.run(url, work, write=False)


def test_logs_a_three_item_claim_as_pending_with_thirty_pounds_payable(ctx):
    view = log_surrender(ctx, request(KNIFE, KNIFE, KNIFE))
    assert view.reference.startswith("TW-Z24-000001-")
    assert view.claim.status == "pending" and view.claim.payable_pence == 3000
    assert view.item_count == 3
    assert [line.quantity for line in view.items] == [3]  # identical lines grouped


def test_two_standard_items_are_not_payable_with_the_minimum_named(ctx):
    view = log_surrender(ctx, request(KNIFE, KNIFE))
    assert view.claim.status == "not_payable" and view.claim.payable_pence == 0
    assert "under the £30.00 minimum" in view.claim.reasons[0]


def test_references_count_per_station_without_gaps_even_after_refusals(ctx):
    first = log_surrender(ctx, request(KNIFE))
    with pytest.raises(Refused):
        log_surrender(ctx, request(KNIFE, "zombie-sword:10in"))  # unknown kind, refused mid-way
    second = log_surrender(ctx, request(KNIFE))
    parkside = log_surrender(as_staff(ctx, "3001", station="PK"), request(KNIFE))
    assert [first.reference[:13], second.reference[:13], parkside.reference[:13]] == \
        ["TW-Z24-000001", "TW-Z24-000002", "PK-Z24-000001"]


@pytest.mark.parametrize("at, now, message", [
    (dt.datetime(2024, 8, 25, 23, 59, 59, tzinfo=LONDON), None, "outside the zombie-2024 window"),
    (dt.datetime(2024, 9, 24, 0, 0, tzinfo=LONDON), dt.datetime(2024, 10, 1, tzinfo=LONDON), "outside the zombie-2024 window"),
    (dt.datetime(2024, 9, 10, 14, 1, tzinfo=LONDON), None, "in the future"),
])
def test_refused_surrenders_leave_the_database_exactly_as_before(ctx, clock, at, now, message):
    log_surrender(ctx, request(KNIFE))
    clock.now = now or clock.now
    before = table_counts(ctx.url)
    with pytest.raises(Refused, match=message):
        log_surrender(ctx, request(KNIFE, KNIFE, KNIFE, at=at))
    assert table_counts(ctx.url) == before


def test_a_paper_form_typed_in_later_keeps_both_times(ctx):
    at = dt.datetime(2024, 8, 26, 0, 0, tzinfo=LONDON)  # the first instant of the window
    view = log_surrender(ctx, request(KNIFE, at=at))
    assert view.surrendered_at == at and view.recorded_at == ctx.now()
    assert view.to_json()["surrendered_at"] == "2024-08-26T00:00:00+01:00"


@pytest.mark.parametrize("kw, message", [
    ({"declared": False}, "--declare"),
    ({"anonymous": True, "claimant": claimant()}, "anonymous surrender takes no claimant"),
    ({"claimant": None}, "--anonymous"),
])
def test_claims_need_a_declaration_and_a_claimant(ctx, kw, message):
    with pytest.raises(Refused, match=message):
        log_surrender(ctx, request(KNIFE, **kw))


def test_anonymous_and_no_claim_surrenders_get_a_reference_but_no_claim(ctx):
    anonymous = log_surrender(ctx, request(KNIFE, anonymous=True, declared=False))
    named = log_surrender(ctx, request(KNIFE, KNIFE, KNIFE, no_claim=True, declared=False))
    assert anonymous.claim is None and anonymous.anonymous and anonymous.claimant is None
    assert named.claim is None and named.items[0].compensation_pence == 0


def test_only_desk_officers_log_and_unknown_staff_are_refused(ctx):
    with pytest.raises(Forbidden, match="needs the desk role"):
        log_surrender(as_staff(ctx, "4001"), request(KNIFE))
    with pytest.raises(NotFound, match="no staff member"):
        log_surrender(as_staff(ctx, "9999"), request(KNIFE))
    with pytest.raises(NotFound, match="no station 'XX'"):
        log_surrender(as_staff(ctx, "2001", station="XX"), request(KNIFE))


def test_show_masks_claimant_details_except_for_finance(ctx):
    view = log_surrender(ctx, request(KNIFE, claimant=claimant(sort_code="12-34-56", account_number="12345678")))
    desk = show_surrender(ctx, view.reference.lower()).claimant
    finance = show_surrender(as_staff(ctx, "4001"), view.reference).claimant
    assert desk["name"] == "J*** S****" and desk["account_number"] == "******78" and desk["address"] == "***"
    assert finance["name"] == "Jane Smith" and finance["account_number"] == "12345678"


def test_show_refuses_a_mistyped_reference(ctx):
    view = log_surrender(ctx, request(KNIFE))
    typo = view.reference[:-3] + ("2" if view.reference[-3] != "2" else "3") + view.reference[-2:]
    with pytest.raises(Refused, match="check character"):
        show_surrender(ctx, typo)


def test_audit_events_carry_no_personal_data(ctx):
    log_surrender(ctx, request(KNIFE, claimant=claimant(sort_code="12-34-56", account_number="12345678")))
    details = db.run(ctx.url, lambda s: list(s.execute(select(AuditEvent.detail)).scalars()), write=False)
    assert not any(secret in d for d in details for secret in ("Jane", "High Street", "CB1", "12345678"))


def test_a_failure_mid_transaction_rolls_back_the_counter_too(ctx):
    def explode(stage):
        if stage == "stored":  # everything written but the audit event, then the disk fails
            raise RuntimeError("disk on fire")
    with pytest.raises(RuntimeError):
        log_surrender(replace(ctx, checkpoint=explode), request(KNIFE))
    assert table_counts(ctx.url)["surrender"] == 0
    assert log_surrender(ctx, request(KNIFE)).reference.startswith("TW-Z24-000001")


def test_a_transaction_retried_after_a_busy_database_logs_every_item_of_a_csv(ctx, tmp_path):
    from sqlalchemy.exc import OperationalError

    from surrender.items_csv import ItemsFile

    path = tmp_path / "items.csv"
    path.write_text("kind,blade_length,plain_edge,sharp_point,spikes\n" + "zombie-knife,10in,yes,yes,yes\n" * 4)
    calls = []

    def busy_once(stage):  # the first attempt fails after reading every row
        if stage == "stored":
            calls.append(1)
            if len(calls) == 1:
                raise OperationalError("INSERT", {}, Exception("database is locked"))
    view = log_surrender(replace(ctx, checkpoint=busy_once), LogRequest(items=ItemsFile(path), anonymous=True))
    assert view.item_count == 4 and len(calls) >= 2


def test_a_stock_list_longer_than_a_chunk_keeps_every_row_in_order_with_its_line(ctx, tmp_path):
    """Rows are stored a chunk at a time, each chunk one statement unpacking its line numbers
    (json_each on SQLite, unnest on PostgreSQL): 12,345 rows cross two chunk boundaries."""
    from surrender.items_csv import ItemsFile
    from surrender.store.surrenders import CHUNK

    products = ["zombie-knife,10in,yes,yes,3in", "zombie-machete,45cm,yes,yes,", "zombie-knife,9in,yes,yes,1in"]
    order = [(n * 7 + n // 3) % 3 for n in range(12_345)]
    assert len(order) > 2 * CHUNK and len(order) % CHUNK
    path = tmp_path / "stock.csv"
    path.write_text("kind,blade_length,plain_edge,sharp_point,serrated_length\n"
                    + "".join(products[p] + "\n" for p in order))
    view = log_surrender(ctx, LogRequest(items=ItemsFile(path), anonymous=True))

    def stored(session):
        first_seen = {p: n for n, p in enumerate(dict.fromkeys(order), 1)}  # line numbers, by first appearance
        rows = session.execute(select(Item.line, Item.line_number).order_by(Item.line)).all()
        return rows, [(row, first_seen[p]) for row, p in enumerate(order, 1)]
    rows, expected = db.run(ctx.url, stored, write=False)
    assert [tuple(r) for r in rows] == expected
    assert view.item_count == 12_345 and sum(line.rows for line in view.items) == 12_345


def test_the_preview_shows_the_lines_and_claim_that_log_then_stores(ctx, tmp_path):
    from surrender.items_csv import ItemsFile
    from surrender.services.preview import NOT_SAVED, preview_surrender

    path = tmp_path / "stock.csv"
    path.write_text("kind,blade_length,plain_edge,sharp_point,serrated_length,quantity,claimed_value,evidence,seal\n"
                    + "zombie-knife,25cm,yes,yes,3in,,,,\n" * 7 + "zombie-knife,7in,yes,yes,,2,,,\n"
                    + "zombie-machete,45cm,yes,yes,,,24.99,invoice,\n" * 3 + "zombie-knife,25cm,yes,yes,3in,3,,,S1\n"
                    + "zombie-knife,25cm,yes,yes,3in,,45,receipt,\n" * 2)
    asked = LogRequest(items=ItemsFile.unchecked(path), claimant=claimant(business_name="Blades Ltd"), declared=True)
    preview = preview_surrender(ctx, asked)
    assert preview.reference == NOT_SAVED and table_counts(ctx.url)["surrender"] == 0
    saved = log_surrender(ctx, asked)
    assert preview.items == saved.items and preview.item_count == saved.item_count == 17
    assert [(line.first_line, line.rows) for line in saved.items] == [(1, 7), (8, 1), (9, 3), (12, 1), (13, 2)]
    assert (preview.claim.status, preview.claim.claimed_pence, preview.claim.payable_pence, preview.claim.flags) == \
        (saved.claim.status, saved.claim.claimed_pence, saved.claim.payable_pence, saved.claim.flags)


def test_logging_calls_the_checkpoint_once_numbered_and_once_stored(ctx):
    stages = []
    log_surrender(replace(ctx, checkpoint=stages.append), request(KNIFE))
    assert stages == ["numbered", "stored"]


def test_the_receipt_is_written_after_the_commit_from_what_was_stored(ctx):
    from pathlib import Path

    from surrender.services.receipts import log_with_receipt

    logged = log_with_receipt(ctx, request(KNIFE, KNIFE, KNIFE), paper="80mm")
    assert logged.receipt_failed is None and Path(logged.view.receipt).name == f"{logged.view.reference}.pdf"
    assert Path(logged.view.receipt).exists()
    shown = show_surrender(ctx, logged.view.reference)  # the desk's view: the claimant masked
    assert logged.view == replace(shown, receipt=logged.view.receipt, claimant_on_receipt="Jane Smith, CB1 1JG")
    assert shown.claimant_on_receipt == "J*** S****, CB1 ***"  # the counter copy is the claimant's own
    unreceipted = log_with_receipt(ctx, request(KNIFE), paper=None)
    assert unreceipted.view.receipt is None and unreceipted.receipt_failed is None


def test_a_receipt_that_fails_is_told_and_the_surrender_stays_saved(ctx, tmp_path):
    from surrender.services.receipts import log_with_receipt

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the receipts folder should be")
    logged = log_with_receipt(replace(ctx, receipts_dir=blocker / "receipts"), request(KNIFE))
    assert logged.receipt_failed and logged.view.receipt is None
    assert show_surrender(ctx, logged.view.reference).reference == logged.view.reference


def test_a_reprint_finds_only_surrenders_the_reader_may_see(ctx):
    from surrender.services.receipts import reprint_receipt

    thorpe_wood = log_surrender(ctx, request(KNIFE)).reference
    with pytest.raises(NotFound, match=f"no surrender with reference {thorpe_wood}"):
        reprint_receipt(as_staff(ctx, "3001", station="PK"), thorpe_wood)
    assert reprint_receipt(ctx, thorpe_wood.lower()).receipt.endswith(f"{thorpe_wood}-reprint.pdf")
    assert reprint_receipt(as_staff(ctx, "5001"), thorpe_wood).reference == thorpe_wood
