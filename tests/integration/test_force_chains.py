"""An audit chain per force (issue 15 point 4): on one PostgreSQL each force's events link only
to its own previous event under its own head, so one force's open transaction never holds up
another's logging; `audit verify` and `audit anchor` take the actor's force's chain, the
national role checks every chain; anchors name their force (a line from before, naming none,
still checks a database of one force); exports carry the force's anchor. Migration 0014 keeps
every existing event as Cambridgeshire's chain."""

from __future__ import annotations

import csv
import threading

import pytest
from alembic import command
from sqlalchemy import select, text

from surrender import db, tables
from surrender.errors import Refused
from surrender.migrate import alembic_config, upgrade
from surrender.rules.items import item_from_spec
from surrender.services import audit
from surrender.services.audit_log import anchor, verify, verify_chains
from surrender.services.claims import approve_claim
from surrender.services.export import export_claims
from surrender.services.surrenders import LogRequest, log_surrender
from surrender.services.context import Context
from tests.conftest import NOW, PINS, as_staff
from tests.integration.test_export_and_payment import claimant
from tests.integration.test_forces import KNIFE, Forces, forces  # noqa: F401  (the two-force fixture)
from tests.integration.test_forces import _log as log_qty

GENESIS = audit.GENESIS


def _log(ctx, name: str, postcode: str) -> str:
    request = LogRequest(items=[item_from_spec(f"{KNIFE}:qty=2")], claimant=claimant(name=name, postcode=postcode),
                         declared=True)
    return log_surrender(ctx, request).reference


def _chain(url: str, force: str | None) -> list:
    e = tables.audit_event.c
    mine = e.force_code.is_(None) if force is None else e.force_code == force
    return db.run(url, lambda c: c.execute(select(tables.audit_event).where(mine).order_by(e.id)).all(), write=False)


def test_each_force_chains_only_its_own_events_and_verifies_its_own_records(forces: Forces):
    _log(forces.cambs["2001"], "Jane Smith", "CB1 1JG")
    _log(forces.beds["2001"], "Bea Holder", "LU1 1AA")
    cambs, beds, national = (_chain(forces.url, f) for f in ("CAMBS", "BEDS", None))
    assert {e.action for e in beds} >= {"staff.added", "station.added", "surrender.logged"}
    assert [e.action for e in national] == ["staff.added"]  # national member 9001's record
    for chain in (cambs, beds, national):
        assert chain[0].prev_hash == GENESIS
        assert all(later.prev_hash == earlier.hash for earlier, later in zip(chain, chain[1:]))
    heads = dict(db.run(forces.url, lambda c: c.execute(
        select(tables.audit_head.c.force_code, tables.audit_head.c.last_hash)).all(), write=False))
    assert heads == {"CAMBS": cambs[-1].hash, "BEDS": beds[-1].hash, None: national[-1].hash}

    report = verify(forces.beds["5001"])
    assert (report.force, report.events, report.problem) == ("BEDS", len(beds), None)
    assert anchor(forces.beds["5001"]) == [f"surrender-anchor force=BEDS events={len(beds)} head={beds[-1].hash}"]
    every = verify_chains(forces.national)
    assert [(r.force, r.events, r.problem) for r in every] == [
        ("BEDS", len(beds), None), ("CAMBS", len(cambs), None), (None, len(national), None)]
    assert [line.split(" events=")[0] for line in anchor(forces.national)] == [
        "surrender-anchor force=BEDS", "surrender-anchor force=CAMBS", "surrender-anchor force=national"]


def test_a_record_changed_behind_the_tool_fails_its_own_forces_chain_only(forces: Forces):
    _log(forces.cambs["2001"], "Jane Smith", "CB1 1JG")
    beds_ref = _log(forces.beds["2001"], "Bea Holder", "LU1 1AA")
    db.run(forces.url, lambda c: c.execute(text(
        "UPDATE claim SET payable_pence = payable_pence + 100 WHERE surrender_id = "
        "(SELECT id FROM surrender WHERE reference = :r)"), {"r": beds_ref}))
    assert verify(forces.cambs["5001"]).problem is None
    assert f"surrender {beds_ref}" in (verify(forces.beds["5001"]).problem or "")
    by_force = {r.force: r.problem for r in verify_chains(forces.national)}
    assert by_force["CAMBS"] is None and by_force[None] is None and beds_ref in by_force["BEDS"]
    with pytest.raises(Refused, match="BEDS's audit chain broken|not anchoring"):
        db.run(forces.url, lambda c: c.execute(text("UPDATE audit_event SET detail = '{}' WHERE id = "
                                                    "(SELECT max(id) FROM audit_event WHERE force_code = 'BEDS')")))
        anchor(forces.beds["5001"])
    assert len(anchor(forces.cambs["5001"])) == 1  # Cambridgeshire still anchors its intact chain


def test_one_forces_open_transaction_does_not_hold_up_another_forces_logging(forces: Forces):
    """Cambridgeshire's transaction appends an event (so it holds its head row) and stays open
    while Bedfordshire logs a surrender and commits; with one shared head Bedfordshire would
    wait for it."""
    cambs_ref = _log(forces.cambs["2001"], "Jane Smith", "CB1 1JG")
    appended, release, logged = threading.Event(), threading.Event(), threading.Event()
    found: dict = {}

    def hold_cambs_head(conn):
        sid = conn.execute(select(tables.surrender.c.id).where(tables.surrender.c.reference == cambs_ref)).scalar_one()
        officer = conn.execute(select(tables.staff.c.id).where(
            tables.staff.c.number == "2001", tables.staff.c.force_code == "CAMBS")).scalar_one()
        audit.record(conn, NOW, officer, "receipt.reprinted", "surrender", sid, {"reference": cambs_ref})
        appended.set()
        assert release.wait(120), "the test never released Cambridgeshire's transaction"

    def log_beds():
        try:
            found["reference"] = _log(forces.beds["2001"], "Bea Holder", "LU1 1AA")
        except Exception as error:  # reported by the main thread
            found["error"] = error
        finally:
            logged.set()

    holder = threading.Thread(target=lambda: db.run(forces.url, hold_cambs_head))
    holder.start()
    try:
        assert appended.wait(60)
        beds = threading.Thread(target=log_beds)
        beds.start()
        finished_while_held = logged.wait(60)
    finally:
        release.set()
        holder.join(120)
    beds.join(120)
    assert finished_while_held, "Bedfordshire's logging waited for Cambridgeshire's open transaction"
    assert "error" not in found and found["reference"].startswith("LU-")
    assert {r.problem for r in verify_chains(forces.national)} == {None}


def test_an_anchor_names_its_force_and_a_line_from_before_checks_only_a_one_force_database(db_url, tmp_path):
    manager = Context(url=db_url, staff="5001", pin=PINS["5001"], now=lambda: NOW)
    desk = Context(url=db_url, staff="2001", pin=PINS["2001"], station="TW", receipts_dir=tmp_path / "receipts",
                   now=lambda: NOW)
    _log(desk, "Jane Smith", "CB1 1JG")
    (line,) = anchor(manager)
    assert line.startswith("surrender-anchor force=CAMBS events=")
    old = line.replace("force=CAMBS ", "")
    assert verify(manager, old).problem is None and verify(manager, line).problem is None
    with pytest.raises(Refused, match="that anchor is BEDS's chain"):
        verify(manager, line.replace("force=CAMBS", "force=BEDS"))


def test_an_old_anchor_line_is_refused_where_forces_share_the_database(forces: Forces):
    (line,) = anchor(forces.cambs["5001"])
    with pytest.raises(Refused, match="names no force and the database holds several"):
        verify(forces.cambs["5001"], line.replace("force=CAMBS ", ""))


def test_an_export_file_carries_its_forces_anchor(forces: Forces, tmp_path):
    reference = log_qty(forces.beds["2001"], 4, postcode="LU1 1AA")
    approve_claim(forces.beds["4001"], reference)
    (before,) = anchor(forces.beds["5001"])
    export_claims(forces.beds["4001"], tmp_path / "beds.csv")
    with (tmp_path / "beds.csv").open(newline="") as f:
        assert {row["audit_anchor"] for row in csv.DictReader(f)} == {before}


def test_migrating_keeps_every_existing_event_as_cambridgeshires_chain(ctx, tmp_path):
    _log(ctx, "Jane Smith", "CB1 1JG")
    db.dispose(ctx.url)
    command.downgrade(alembic_config(ctx.url), "0012_status_limits")
    count = db.run(ctx.url, lambda c: c.execute(text("SELECT count(*) FROM audit_event")).scalar_one(), write=False)
    db.dispose(ctx.url)
    upgrade(ctx.url)
    chains = db.run(ctx.url, lambda c: c.execute(text(
        "SELECT force_code, count(*) FROM audit_event GROUP BY force_code")).all(), write=False)
    assert [tuple(r) for r in chains] == [("CAMBS", count)]
    manager = as_staff(ctx, "5001")
    report = verify(manager)
    assert (report.force, report.events, report.problem) == ("CAMBS", count, None)
    _log(ctx, "John Smith", "CB2 1AA")  # the next event extends Cambridgeshire's chain
    assert verify(manager).events == count + 1



def test_the_commands_name_each_chain_and_refuse_in_one_line(forces: Forces):
    from tests.cli.test_force_cli import run
    from tests.conftest import error_line
    from tests.integration.test_forces import BEDS_PINS

    _log(forces.beds["2001"], "Bea Holder", "LU1 1AA")
    national = run(forces.url, "audit", "verify", staff="9001", pin="900009")
    assert national.exit_code == 0, national.output
    assert [line.split(":")[0] for line in national.stdout.splitlines()] == ["BEDS", "CAMBS", "national"]
    anchored = run(forces.url, "audit", "anchor", staff="5001", pin=BEDS_PINS["5001"], force="BEDS")
    assert anchored.stdout.startswith("surrender-anchor force=BEDS events=") and anchored.stdout.count("\n") == 1
    db.run(forces.url, lambda c: c.execute(text(
        "UPDATE audit_event SET detail = '{}' WHERE id = (SELECT max(id) FROM audit_event WHERE force_code = 'BEDS')")))
    line = error_line(run(forces.url, "audit", "verify", staff="9001", pin="900009"))
    assert "BEDS's audit chain broken at event" in line and line.endswith("(intact: CAMBS, national)")
    mine = run(forces.url, "audit", "verify", staff="5001", pin=PINS["5001"], force="CAMBS")
    assert mine.exit_code == 0 and mine.stdout.startswith("Audit chain intact: 6 events of CAMBS;"), mine.output
