"""Erased means erased in every copy the tool made (issue 18.2): after `purge`, every byte the
tool wrote that it can still reach (database file and its -wal, the receipts folder, a backup
taken afterwards) is searched for the purged person; what it cannot reach (the export file
already sent, a backup made before) is named with its path."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event, select
from typer.testing import CliRunner

from surrender import db, tables
from surrender.cli import app
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.audit_log import verify
from surrender.services.backup import backup
from surrender.services.claims import approve_claim, reject_claim
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.purge import ERASED, purge
from surrender.services.receipts import log_with_receipt, reprint_receipt
from surrender.services.surrenders import LogRequest, void_surrender
from tests.conftest import LONDON, PINS, as_staff
from tests.integration.test_audit_chain import remittance

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
PERSON = {"name": "Zelda Quixotic", "address": "13 Acacia Avenue, Cambridge", "postcode": "CB1 2AD",
          "phone": "07700 900123", "email": "zelda@example.org", "sort_code": "08-99-99",
          "account_number": "66374958"}
# What the issue searched for: name, address, postcode, phone, account (and the e-mail).
SECRETS = ["Zelda", "Quixotic", "Acacia Avenue", "CB1 2AD", "07700 900123", "66374958", "zelda@example.org"]
TYPED = {"note": "spoke to Zelda Quixotic on 07700 900123", "void": "Zelda Quixotic's son brought it in",
         "reject": "Quixotic is not the owner", "desc": "Quixotic family heirloom"}


def log(ctx, qty=3, desc=None) -> str:
    person = make_claimant(PERSON["name"], PERSON["address"], PERSON["postcode"], phone=PERSON["phone"],
                           email=PERSON["email"], sort_code=PERSON["sort_code"],
                           account_number=PERSON["account_number"], account_name=PERSON["name"])
    spec = f"{KNIFE}:qty={qty}" + (f":desc={desc}" if desc else "")
    logged = log_with_receipt(ctx, LogRequest(items=[item_from_spec(spec)], claimant=person, declared=True))
    assert logged.receipt_failed is None
    return logged.view.reference


def found_in(path: Path) -> list[str]:
    data = path.read_bytes()
    return [s for s in SECRETS if s.encode() in data or s.encode("utf-16-le") in data]


@pytest.fixture
def history(ctx, tmp_path, clock):
    """The person's paid, voided and rejected surrenders on 10 Sep 2024 with staff's free text
    about them, an export sent and a backup taken; then another claimant (kept) in 2025."""
    fin, mgr, admin = as_staff(ctx, "4001"), as_staff(ctx, "5001"), as_staff(ctx, "1")
    paid, void, rejected = log(ctx, desc=TYPED["desc"]), log(ctx), log(ctx)
    approve_claim(fin, paid, TYPED["note"])
    (tmp_path / "sent").mkdir()
    export = export_claims(fin, tmp_path / "sent" / "batch-1.csv")
    mark_paid(fin, remittance(tmp_path / "remit.csv", [(paid, f"{export.total_pence / 100:.2f}")]))
    void_surrender(mgr, void, TYPED["void"])
    reject_claim(fin, rejected, TYPED["reject"])
    reprint_receipt(ctx, paid)
    (tmp_path / "backups").mkdir()
    if ctx.url.startswith("sqlite"):  # PostgreSQL is backed up with pg_dump, out of the tool's sight
        backup(admin, tmp_path / "backups" / "before.db")
    clock.now = dt.datetime(2025, 3, 1, 9, 0, tzinfo=LONDON)
    return {"paid": paid, "void": void, "rejected": rejected}


def upstream_sqlite_defaults(url: str) -> None:
    """Every connection the tool opens from now on starts with secure_delete OFF, SQLite's own
    default (this build happens to switch it on): purge must set it itself."""
    @event.listens_for(db.get_engine(url), "connect")
    def off(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA secure_delete=OFF")
    db.dispose(url)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_after_purge_no_byte_the_tool_can_reach_holds_the_person(ctx, history, tmp_path):
    url, path = ctx.url, Path(ctx.url.removeprefix("sqlite:///"))
    upstream_sqlite_defaults(url)
    desk_session = sqlite3.connect(path)  # a desk left open: the -wal is never folded away on close
    desk_session.execute("SELECT count(*) FROM surrender").fetchone()
    wal = Path(f"{path}-wal")
    assert found_in(wal) or found_in(path)  # the person is on disk before

    result = purge(as_staff(ctx, "1"), dt.date(2024, 9, 15))
    after = backup(as_staff(ctx, "1"), tmp_path / "backups" / "after.db")

    assert result.claimants == 3 and result.texts_erased == 4  # approval note, void reason, rejection, description
    assert result.database.vacuumed and result.database.wal_emptied
    reached = [path, wal, after, *sorted((tmp_path / "receipts").iterdir())]
    assert {p: found_in(p) for p in reached if p.exists() and found_in(p)} == {}
    assert not [p for p in (tmp_path / "receipts").iterdir() if any(r in p.name for r in history.values())]
    assert {p.name for p in result.receipts_removed} == {
        f"{history['paid']}.pdf", f"{history['paid']}-reprint.pdf", f"{history['void']}.pdf",
        f"{history['rejected']}.pdf"}
    # What it could not reach is named, with the paths the tool recorded, and still holds the person.
    named = {(c.kind, c.where) for c in result.copies}
    assert named == {("export", str(tmp_path / "sent" / "batch-1.csv")),
                     ("backup", str((tmp_path / "backups" / "before.db").resolve()))}
    assert found_in(tmp_path / "sent" / "batch-1.csv") and found_in(tmp_path / "backups" / "before.db")
    desk_session.close()
    assert verify(as_staff(ctx, "5001")).problem is None


def test_purge_erases_what_staff_typed_about_the_purged_surrenders_and_verify_holds(ctx, history):
    result = purge(as_staff(ctx, "1"), dt.date(2024, 9, 15))
    assert result.texts_erased == 4
    s, c, line = tables.surrender.c, tables.claim.c, tables.item_line.c
    texts = db.run(ctx.url, lambda conn: [
        *conn.execute(select(s.void_reason).where(s.void_reason.is_not(None))).scalars(),
        *conn.execute(select(c.decision_note).where(c.decision_note.is_not(None))).scalars(),
        *conn.execute(select(line.description).where(line.description != "")).scalars()], write=False)
    assert texts == [ERASED] * 4
    assert verify(as_staff(ctx, "5001")).problem is None
    if result.database.backend == "postgresql":
        assert not result.database.vacuumed


def test_free_text_of_claimants_kept_is_left_alone(ctx, history, clock):
    purge_day, clock.now = clock.now, dt.datetime(2024, 9, 20, 11, 0, tzinfo=LONDON)
    kept = log(ctx, desc="boxed, unused")
    approve_claim(as_staff(ctx, "4001"), kept, "receipt checked")
    clock.now = purge_day
    purge(as_staff(ctx, "1"), dt.date(2024, 9, 15))
    c, line, s = tables.claim.c, tables.item_line.c, tables.surrender.c
    note, desc = db.run(ctx.url, lambda conn: conn.execute(
        select(c.decision_note, line.description).join(tables.surrender, s.id == c.surrender_id)
        .join(tables.item_line, line.surrender_id == s.id).where(s.reference == kept)).one(), write=False)
    assert (note, desc) == ("receipt checked", "boxed, unused")


def test_purge_says_what_it_erased_and_what_it_could_not_reach(ctx, history, tmp_path, backend):
    env = {"SURRENDER_DATABASE_URL": ctx.url, "SURRENDER_STAFF": "1", "SURRENDER_PIN": PINS["1"],
           "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_STATION": None}
    result = CliRunner().invoke(app, ["purge", "--before", "2024-09-15"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "erased 4 reason(s), note(s) and description(s)" in out
    assert f"Receipts: removed 4 file(s) from {tmp_path / 'receipts'}" in out
    assert "Files already sent, out of reach (expire or delete them by hand): export batch 1" in out
    assert ("backup before.db" in out) == (backend == "sqlite")
    assert str(tmp_path / "sent" / "batch-1.csv") in out
    if backend == "sqlite":
        assert "freed pages vacuumed with secure_delete on; write-ahead log emptied" in out
        assert str((tmp_path / "backups" / "before.db").resolve()) in out
    else:
        assert "VACUUM FULL claimant" in out and "pg_dump backups made before now" in out
