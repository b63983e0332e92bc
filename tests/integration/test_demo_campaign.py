"""The campaign demo (issue 9, build 6) and the figures behind the report PDF (build 5).

The whole zombie-2024 window is worked through once for this module, on SQLite as the demo
does; the report's figures are then checked against `report totals` on that database, and on
PostgreSQL against a shorter demo run through the same service layer.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from surrender import db
from surrender.demo import PINS, STAFF, run_demo
from surrender.migrate import upgrade
from surrender.models import AuditEvent, Claim, Claimant, ExportBatch, Staff, Surrender
from surrender.rules.lifecycle import PAYER_STATUSES, STATUSES
from surrender.rules.money import format_pence
from surrender.services.audit import anchor_line, verify_chain
from surrender.services.campaign_report import campaign_report
from surrender.services.context import Context
from surrender.services.pins import verify_pin
from surrender.services.reports import totals
from tests.conftest import _pg_execute, _pg_url_for
from tests.demo_database import build_demo, demo_copy, manager_on


def _demo_on(url: str, folder, days: int) -> Context:
    upgrade(url)
    run_demo(Context(url=url, receipts_dir=folder / "receipts"), folder, days=days, say=lambda _: None)
    return Context(url=url, staff="5023", pin=PINS["5023"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = demo_copy(tmp_path_factory)
    manager = manager_on(folder)
    yield manager, folder
    db.dispose(manager.url)


@pytest.fixture(scope="module")
def pg_demo(tmp_path_factory):
    """Four days of the demo on PostgreSQL: the public at both stations, finance's approvals."""
    pytest.importorskip("psycopg")
    from tests.conftest import _pg_admin_url

    _pg_admin_url()  # skips when PostgreSQL is not configured
    name = f"surrender_demo_{uuid.uuid4().hex[:8]}"
    _pg_execute(f"CREATE DATABASE {name}")
    url = _pg_url_for(name)
    try:
        yield _demo_on(url, tmp_path_factory.mktemp("pgdemo"), days=4)
    finally:
        db.dispose(url)
        _pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _read(ctx: Context, query):
    return db.run(ctx.url, lambda session: session.execute(query).all(), write=False)


# --- the demo database ---------------------------------------------------------------------------

def test_the_demo_logs_at_both_stations_with_every_claim_status(demo):
    manager, _ = demo
    stations = {s for (s,) in _read(manager, select(Surrender.station_code).distinct())}
    statuses = {s for (s,) in _read(manager, select(Claim.status).distinct())}
    assert stations == {"TW", "PK"}
    assert statuses == set(STATUSES) - PAYER_STATUSES  # decided/refused come only from a payer's file


def test_the_demo_makes_two_batches_the_first_paid_and_both_files_in_the_demo_folder(demo):
    manager, folder = demo
    batches = _read(manager, select(ExportBatch.id, ExportBatch.claim_count).order_by(ExportBatch.id))
    assert [b.id for b in batches] == [1, 2] and all(b.claim_count > 0 for b in batches)
    by_batch = dict(_read(manager, select(Claim.batch_id, func.group_concat(Claim.status.distinct()))
                          .where(Claim.batch_id.is_not(None)).group_by(Claim.batch_id)))
    assert by_batch == {1: "paid", 2: "exported"}
    assert {p.name for p in folder.iterdir()} >= {"batch-1.csv", "batch-2.csv", "remittance-batch-1.csv"}


def test_the_demo_voids_one_surrender_and_rejects_one_claim(demo):
    manager, _ = demo
    voided = _read(manager, select(func.count()).select_from(Surrender).where(Surrender.voided_at.is_not(None)))
    rejected = _read(manager, select(func.count()).select_from(Claim).where(Claim.status == "rejected"))
    assert voided[0][0] == 1 and rejected[0][0] == 1


def test_flagged_claims_are_approved_by_a_manager_before_finance(demo):
    manager, _ = demo
    rows = _read(manager, select(Claim.manager_approved_at, Claim.decided_at, Staff.role)
                 .join(Staff, Staff.id == Claim.manager_approved_by)
                 .where(Claim.flagged.is_(True), Claim.status.in_(("approved", "exported", "paid"))))
    assert rows, "no flagged claim went through a manager"
    assert all(r.role == "manager" and r.manager_approved_at < r.decided_at for r in rows)


def test_retailers_stock_claims_are_large_flagged_and_named_as_businesses(demo):
    manager, _ = demo
    rows = _read(manager, select(Surrender.item_count, Claim.flagged).join(Claim, Claim.surrender_id == Surrender.id)
                 .join(Claimant, Claimant.id == Surrender.claimant_id).where(Claimant.business_name.is_not(None)))
    assert len(rows) == 3 and all(r.item_count >= 100 and r.flagged for r in rows)


def test_the_demo_includes_anonymous_surrenders_and_claims_without_bank_details(demo):
    manager, _ = demo
    anonymous = _read(manager, select(func.count()).select_from(Surrender).where(Surrender.anonymous.is_(True)))
    no_bank = _read(manager, select(func.count()).select_from(Claim)
                    .join(Surrender, Surrender.id == Claim.surrender_id)
                    .join(Claimant, Claimant.id == Surrender.claimant_id)
                    .where(Claimant.sort_code.is_(None), Claim.status == "pending"))
    assert anonymous[0][0] > 0 and no_bank[0][0] > 0


def test_every_demo_staff_member_has_a_working_pin_of_at_least_six_digits(demo):
    manager, _ = demo
    stored = dict(_read(manager, select(Staff.number, Staff.pin_hash)))
    assert set(stored) == {number for number, *_ in STAFF}
    for number, _, _, _, pin in STAFF:
        assert len(pin) >= 6 and pin.isdigit()
        assert stored[number] and verify_pin(pin, stored[number]), number


def test_the_demo_audit_chain_verifies(demo):
    manager, _ = demo
    report = db.run(manager.url, lambda conn: verify_chain(conn, "CAMBS"), write=False)
    assert report.problem is None and report.events > 300


def test_the_demo_is_the_same_on_every_run(demo, tmp_path):
    """A three-day run logs exactly what the whole-window run logged on its first two days
    (the tours' cases are on the first day, whatever the length)."""
    manager, _ = demo
    first_two_days = (select(Surrender.reference, Surrender.item_count, Surrender.surrendered_at)
                      .where(Surrender.surrendered_on <= dt.date(2024, 8, 27)).order_by(Surrender.reference))
    again = build_demo(tmp_path, days=3)
    try:
        rows = _read(again, first_two_days)
    finally:
        db.dispose(again.url)
    assert rows and rows == _read(manager, first_two_days)


# --- the report's figures against `report totals` ------------------------------------------------

def _check_against_totals(ctx: Context, date_from=None, date_to=None, campaign=None) -> None:
    report = campaign_report(ctx, date_from, date_to, campaign)

    def same(figures, row) -> None:
        assert (figures.surrenders, figures.items, figures.claims) == (row["surrenders"], row["items"], row["claims"])
        assert (figures.claimed, figures.payable) == (row["claimed"], row["payable"])

    overall = totals(ctx, [], date_from, date_to, campaign)
    same(report.total, overall.total)
    by_station = {r["station"]: r for r in totals(ctx, ["station"], date_from, date_to, campaign).rows}
    for code, figures in report.by_station.items():
        if code in by_station:
            same(figures, by_station[code])
        else:
            assert figures.surrenders == 0
    by_status = {r["status"]: r for r in totals(ctx, ["status"], date_from, date_to, campaign).rows}
    assert {s: (n, p) for s, n, p in report.by_status} == {
        s: (r["claims"], r["payable"]) for s, r in by_status.items() if s != "no_claim"}
    paid = by_status.get("paid", {}).get("payable", 0)
    owed = sum(by_status[s]["payable"] for s in ("pending", "approved", "exported")
               if s in by_status)
    assert report.total.paid == paid and report.total.outstanding == owed
    daily = {(r["station"], r["day"]): r["items"] for r in totals(ctx, ["station", "day"], date_from, date_to,
                                                                   campaign).rows}
    charted = {(code, day): n for code, series in report.weapons.items()
               for day, n in zip(report.buckets, series) if n}
    if report.bucket == "day":
        assert charted == daily
    assert sum(sum(series) for series in report.weapons.values()) == report.total.items


def test_the_reports_figures_equal_report_totals_for_the_whole_campaign(demo):
    manager, _ = demo
    _check_against_totals(manager)
    report = campaign_report(manager)
    assert report.bucket == "day" and len(report.buckets) == 29 and report.voided == 1
    assert report.total.paid > 0 and report.total.outstanding > 0


def test_the_reports_figures_equal_report_totals_for_a_period_and_a_campaign(demo):
    manager, _ = demo
    _check_against_totals(manager, dt.date(2024, 9, 2), dt.date(2024, 9, 15), "zombie-2024")
    report = campaign_report(manager, dt.date(2024, 9, 2), dt.date(2024, 9, 15))
    assert report.buckets[0] == dt.date(2024, 9, 2) and report.buckets[-1] == dt.date(2024, 9, 15)


def test_a_long_period_is_charted_by_week_and_still_adds_up(demo):
    manager, _ = demo
    report = campaign_report(manager, dt.date(2024, 6, 1), dt.date(2024, 12, 31))
    assert report.bucket == "week" and all(day.weekday() == 0 for day in report.buckets)
    _check_against_totals(manager, dt.date(2024, 6, 1), dt.date(2024, 12, 31))


def test_the_largest_claims_come_first_and_flagged_claims_are_all_listed(demo):
    manager, _ = demo
    report = campaign_report(manager)
    payables = [line.payable for line in report.largest]
    assert payables == sorted(payables, reverse=True) and len(report.largest) == 15
    flagged = _read(manager, select(func.count()).select_from(Claim).join(Surrender, Surrender.id == Claim.surrender_id)
                    .where(Claim.flagged.is_(True), Surrender.voided_at.is_(None)))
    assert len(report.flagged) == flagged[0][0]


def test_the_report_carries_the_audit_anchor_of_the_moment_it_was_made(demo):
    manager, _ = demo
    report = campaign_report(manager)
    events = _read(manager, select(func.count()).select_from(AuditEvent))[0][0]
    assert report.anchor == db.run(manager.url, lambda conn: anchor_line(conn, "CAMBS"), write=False)
    assert report.anchor.startswith(f"surrender-anchor force=CAMBS events={events} head=") and len(report.anchor.split("=")[-1]) == 64
    assert report.made_by == "5023 Insp Morgan Lee"


def test_on_postgresql_the_reports_figures_equal_report_totals(pg_demo):
    _check_against_totals(pg_demo)
    _check_against_totals(pg_demo, dt.date(2024, 6, 1), dt.date(2024, 12, 31))
    assert campaign_report(pg_demo).total.surrenders > 20


def test_a_one_day_demo_still_makes_a_batch_and_pays_it(tmp_path):
    """Finance's tour needs a paid batch on a demo of any length (`demo --days 1`)."""
    one_day = build_demo(tmp_path, days=1)
    try:
        statuses = _read(one_day, select(Claim.batch_id, Claim.status).where(Claim.batch_id.is_not(None)))
    finally:
        db.dispose(one_day.url)
    assert statuses and {batch for batch, _ in statuses} == {1} and {status for _, status in statuses} == {"paid"}
    assert (tmp_path / "batch-1.csv").exists() and (tmp_path / "remittance-batch-1.csv").exists()
