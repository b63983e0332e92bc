"""Migration 0008_forces on a database with records from before it (SQLite and PostgreSQL):
TW and PK stay Cambridgeshire's, every reference and batch number stays as it was, every
force-owned row gets CAMBS, the receipt still names the force, and the audit trail still checks."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from surrender import db
from surrender.migrate import alembic_config, upgrade
from surrender.services.audit_log import verify
from surrender.services.claims import approve_claim
from surrender.services.export import export_claims
from surrender.services.reading import show_surrender
from surrender.services.staff import update_staff
from tests.conftest import as_staff
from tests.integration.test_forces import _log

OWNED = ("staff", "staff_station", "reference_counter", "claimant", "surrender", "item_line", "item", "export_batch",
         "claim", "location", "exhibit")


def _read(url: str, sql: str) -> list[tuple]:
    return [tuple(r) for r in db.run(url, lambda c: c.execute(text(sql)).all(), write=False)]


def test_an_old_database_keeps_its_stations_references_and_batches_as_cambridgeshires(ctx, tmp_path):
    refs = [_log(ctx, 3), _log(ctx, 4)]
    approve_claim(as_staff(ctx, "4001"), refs[0])
    export_claims(as_staff(ctx, "4001"), tmp_path / "batch.csv")
    update_staff(as_staff(ctx, "1"), "2001", stations=["PK"])
    db.dispose(ctx.url)
    command.downgrade(alembic_config(ctx.url), "0007_evidence")
    assert _read(ctx.url, "SELECT code, force FROM station ORDER BY code") == [
        ("PK", "Cambridgeshire Constabulary"), ("TW", "Cambridgeshire Constabulary")]
    before = _read(ctx.url, "SELECT id, reference FROM surrender ORDER BY id")
    db.dispose(ctx.url)
    upgrade(ctx.url)
    assert _read(ctx.url, "SELECT id, reference FROM surrender ORDER BY id") == before
    assert [r for (_, r) in before] == refs
    assert _read(ctx.url, "SELECT code, name FROM force") == [("CAMBS", "Cambridgeshire Constabulary")]
    assert _read(ctx.url, "SELECT code, force_code FROM station ORDER BY code") == [("PK", "CAMBS"), ("TW", "CAMBS")]
    assert _read(ctx.url, "SELECT number, force_code FROM export_batch") == [(1, "CAMBS")]
    for table in OWNED:
        assert _read(ctx.url, f"SELECT DISTINCT force_code FROM {table}") == [("CAMBS",)], table
    view = show_surrender(as_staff(ctx, "4001"), refs[0])
    assert (view.force, view.claim.batch_id) == ("Cambridgeshire Constabulary", 1)
    assert verify(as_staff(ctx, "5001")).problem is None
    _log(ctx, 3)  # and the tool carries on: a new surrender, numbered after the old ones
    assert _read(ctx.url, "SELECT count(*) FROM surrender WHERE force_code = 'CAMBS'") == [(3,)]
