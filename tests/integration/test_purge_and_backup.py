"""Personal data lifecycle (issue 7, build 7): purge closed claimants past retention, and
back up / restore a SQLite database, also while another process is logging."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from surrender import db
from surrender.errors import Forbidden, Refused
from surrender.models import AuditEvent, Claimant, SQLModel
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.rules.money import format_pence
from surrender.services.audit_log import verify
from surrender.services.backup import backup
from surrender.services.claims import approve_claim, reject_claim
from surrender.services.context import Context
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.purge import purge
from surrender.services.reading import show_surrender
from surrender.services.reports import totals
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import LONDON, PINS, as_staff, in_session
from tests.integration.test_audit_chain import remittance

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
SECRETS = ("Jane Smith", "High Street", "CB1 1JG", "12345678", "12-34-56", "jane@example.org")



def log(ctx: Context, qty: int = 3, **kw) -> str:
    kw.setdefault("declared", not (kw.get("anonymous") or kw.get("no_claim")))
    who = None if kw.get("anonymous") else make_claimant(
        "Jane Smith", "1 High Street", "CB1 1JG", email="jane@example.org", sort_code="12-34-56",
        account_number="12345678", account_name="Jane Smith")
    return log_surrender(ctx, LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}")], claimant=who, **kw)).reference


def table_digests(url: str) -> dict[str, str]:
    """SHA-256 of every table's rows in key order: equal digests mean identical data."""
    def work(session):
        out = {}
        for table in SQLModel.metadata.sorted_tables:
            digest = hashlib.sha256()
            for row in session.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
            out[table.name] = digest.hexdigest()
        return out
    return db.run(url, work, write=False)


def claimants(url: str) -> list[Claimant]:
    return in_session(url, lambda s: list(s.execute(select(Claimant).order_by(Claimant.id)).scalars()), write=False)


# --- purge ------------------------------------------------------------------------------------

@pytest.fixture
def settled(ctx, tmp_path, clock):
    """Closed claims of every kind on 10 Sep 2024 and one still open on 20 Sep 2024."""
    fin, mgr = as_staff(ctx, "4001"), as_staff(ctx, "5001")
    refs = {"paid": log(ctx, 4), "rejected": log(ctx, 5), "not_payable": log(ctx, 1),
            "no_claim": log(ctx, 2, no_claim=True), "void": log(ctx, 3), "anon": log(ctx, 2, anonymous=True)}
    approve_claim(fin, refs["paid"])
    export = export_claims(fin, tmp_path / "batch.csv")
    mark_paid(fin, remittance(tmp_path / "remit.csv", [(refs["paid"], format_pence(export.total_pence))]))
    reject_claim(fin, refs["rejected"], "withdrawn")
    void_surrender(mgr, refs["void"], "logged twice")
    clock.now = dt.datetime(2024, 9, 20, 11, 0, tzinfo=LONDON)
    refs["open"] = log(ctx, 3)
    clock.now = dt.datetime(2025, 3, 1, 9, 0, tzinfo=LONDON)
    return refs


def test_purge_anonymises_closed_claimants_before_the_date_and_keeps_totals_and_verify(ctx, settled):
    admin, mgr = as_staff(ctx, "1"), as_staff(ctx, "5001")
    before_totals = totals(mgr, ["status"])
    result = purge(admin, dt.date(2024, 9, 15))
    assert result.claimants == 5  # paid, rejected, not payable, no claim, void; not the anonymous one
    people = claimants(ctx.url)
    purged = [p for p in people if p.purged_at is not None]
    assert len(purged) == 5 and len(people) == 6
    for person in purged:
        assert (person.name, person.address, person.postcode, person.account_number, person.sort_code,
                person.email, person.salt) == ("", "", "", None, None, None, None)
    still = [p for p in people if p.purged_at is None][0]
    assert still.name == "Jane Smith" and still.salt
    assert totals(mgr, ["status"]) == before_totals
    assert verify(mgr).problem is None
    assert show_surrender(as_staff(ctx, "4001"), settled["paid"]).claimant == {"name": "(personal data purged)"}
    event = in_session(ctx.url, lambda s: s.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
                   .scalar_one(), write=False)
    assert event.action == "claimants.purged" and '"claimants":5' in event.detail
    trail = db.run(ctx.url, lambda s: " ".join(s.execute(text("SELECT detail || coalesce(state, '') FROM audit_event"))
                                               .scalars()), write=False)
    assert not [s for s in SECRETS if s in trail]


def test_purge_wipes_the_names_on_bookings_for_days_before_the_date(ctx, settled):
    from surrender.services.bookings import add_booking, list_bookings

    add_booking(ctx, "Pat Lee", "Lee Knives Ltd", 6, dt.date(2024, 9, 10), "TW")
    add_booking(ctx, "Jo Later", None, 8, dt.date(2024, 9, 20), "TW")
    purge(as_staff(ctx, "1"), dt.date(2024, 9, 15))
    assert [(b.name, b.business, b.expected) for b in list_bookings(ctx)] == [("", None, 6), ("Jo Later", None, 8)]


def test_purge_twice_finds_nothing_left_and_changes_nothing(ctx, settled):
    admin = as_staff(ctx, "1")
    purge(admin, dt.date(2024, 9, 15))
    digests = table_digests(ctx.url)
    with pytest.raises(Refused, match="left to purge"):
        purge(admin, dt.date(2024, 9, 15))
    assert table_digests(ctx.url) == digests


@pytest.mark.parametrize("date, message", [(dt.date(2024, 9, 21), "still open"),
                                           (dt.date(2025, 3, 2), "in the future")])
def test_purge_refuses_open_claims_and_future_dates_leaving_the_database_untouched(ctx, settled, date, message):
    digests = table_digests(ctx.url)
    with pytest.raises(Refused, match=message):
        purge(as_staff(ctx, "1"), date)
    assert table_digests(ctx.url) == digests


@pytest.mark.parametrize("number", ["2001", "4001", "5001"])
def test_only_an_admin_may_purge(ctx, settled, number):
    with pytest.raises(Forbidden):
        purge(as_staff(ctx, number), dt.date(2024, 9, 15))
    assert all(p.purged_at is None for p in claimants(ctx.url))


# --- backup and restore -----------------------------------------------------------------------

def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_backup_is_owner_only_identical_and_verifies_used_directly_or_copied_back(ctx, settled, tmp_path):
    admin = as_staff(ctx, "1")
    out = backup(admin, tmp_path / "copy.db")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    used = f"sqlite:///{out}"
    source_now = table_digests(ctx.url)
    copied = table_digests(used)
    # The source has one more event since: the backup's own audit record, written after the copy.
    assert {k: v for k, v in copied.items() if not k.startswith("audit")} == \
           {k: v for k, v in source_now.items() if not k.startswith("audit")}
    assert verify(replace(admin, url=used)).problem is None
    restored = tmp_path / "restored.db"
    shutil.copy(out, restored)
    assert table_digests(f"sqlite:///{restored}") == copied
    assert verify(replace(admin, url=f"sqlite:///{restored}")).problem is None
    db.dispose(used)
    db.dispose(f"sqlite:///{restored}")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_backup_refuses_an_existing_file_or_a_folder_and_writes_nothing(ctx, tmp_path):
    admin = as_staff(ctx, "1")
    existing = tmp_path / "there.db"
    existing.write_text("keep me")
    with pytest.raises(Refused, match="already exists"):
        backup(admin, existing)
    assert existing.read_text() == "keep me"
    with pytest.raises(Refused, match="folder"):
        backup(admin, tmp_path)
    with pytest.raises(Refused, match="already exists"):
        backup(admin, sqlite_file(ctx.url))
    with pytest.raises(Forbidden):
        backup(as_staff(ctx, "5001"), tmp_path / "manager.db")
    assert not (tmp_path / "manager.db").exists()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_backup_on_postgresql_refuses_with_the_pg_dump_command(ctx, tmp_path):
    with pytest.raises(Refused) as refusal:
        backup(as_staff(ctx, "1"), tmp_path / "x.db")
    assert "pg_dump --format=custom --file surrender.dump 'postgresql://" in str(refusal.value)
    assert "\n" not in str(refusal.value)
    assert not (tmp_path / "x.db").exists()


LOGGER = textwrap.dedent("""
    import datetime as dt, sys, time
    from zoneinfo import ZoneInfo
    from surrender.rules.items import item_from_spec
    from surrender.services.context import Context
    from surrender.services.surrenders import LogRequest, log_surrender
    now = dt.datetime(2024, 9, 10, 14, 0, tzinfo=ZoneInfo("Europe/London"))
    ctx = Context(url=sys.argv[1], staff="2001", pin=sys.argv[4], station="TW", receipts_dir=sys.argv[2],
                  now=lambda: now)
    print("ready", flush=True)
    for _ in range(int(sys.argv[3])):
        log_surrender(ctx, LogRequest(items=[item_from_spec("zombie-knife:10in:plain:point:serrated=3in:qty=400")],
                                      anonymous=True))
        time.sleep(0.02)  # a counter, not a loop: other terminals get the write lock between logs
""")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_backups_taken_while_another_process_logs_are_consistent_and_verify(ctx, tmp_path):
    admin = as_staff(ctx, "1")
    log(ctx)  # the preset comes into use first, so the logger does not race to register it
    logger = subprocess.Popen([sys.executable, "-c", LOGGER, ctx.url, str(tmp_path / "r"), "25", PINS["2001"]],
                              stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        assert logger.stdout.readline().strip() == "ready"
        copies = []
        while logger.poll() is None or not copies:
            copies.append(backup(admin, tmp_path / f"during-{len(copies)}.db"))
    finally:
        logger.wait(timeout=120)
    assert logger.returncode == 0
    counts = set()
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            counts.add(conn.execute("SELECT count(*) FROM surrender").fetchone()[0])
        url = f"sqlite:///{copy}"
        assert verify(replace(admin, url=url)).problem is None, copy
        db.dispose(url)
    assert max(counts) <= 26


def test_verify_while_another_process_logs_reads_one_snapshot_and_finds_nothing_wrong(ctx, tmp_path):
    """Chain and tables are read from one snapshot, so a surrender committed mid-verify is
    never mistaken for one added behind the tool's back (PostgreSQL needs REPEATABLE READ)."""
    mgr = as_staff(ctx, "5001")
    log(ctx)
    logger = subprocess.Popen([sys.executable, "-c", LOGGER, ctx.url, str(tmp_path / "r"), "25", PINS["2001"]],
                              stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    reports = []
    try:
        assert logger.stdout.readline().strip() == "ready"
        while logger.poll() is None or not reports:
            reports.append(verify(mgr))
    finally:
        logger.wait(timeout=120)
    assert logger.returncode == 0
    assert [r.problem for r in reports if r.problem] == []
    assert verify(mgr).problem is None
