"""The append-only, hash-chained audit log (SPEC 7), on SQLite and PostgreSQL.

Every change writes an event; reads write none; `verify_chain` finds the first broken link
after any row is edited or deleted behind the tool's back; events carry no personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from surrender import db
from surrender.errors import Forbidden, Refused
from surrender.models import AuditEvent, AuditHead, Staff
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.audit import GENESIS, event_hash, verify_chain
from surrender.services.audit_log import history, verify
from surrender.services.claims import ClaimFilter, approve_claim, list_claims, reject_claim
from surrender.services.context import Context
from surrender.services.export import export_claims, recreate_batch
from surrender.services.payments import mark_paid
from surrender.services.reading import show_surrender
from surrender.services.reports import totals
from surrender.services.staff import add_staff, list_staff
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import LONDON, PINS, as_staff, in_session

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
HAS_RECEIPTS = importlib.util.find_spec("surrender.receipts") is not None
NOW = dt.datetime(2024, 9, 10, 14, 0, tzinfo=LONDON)

# Personal data of the claimants below, in every form it might be written.
SECRETS = ["Jane", "Smith", "High Street", "Cambridge", "CB1 1JG", "CB11JG", "07700 900123", "07700900123",
           "jane@example.org", "12-34-56", "123456", "12345678", "Jane Smith Savings",
           "Bob", "Trader", "Mill Road", "PE1 1AA", "PE11AA", "Blades Ltd", "87654321", "65-43-21"]

def jane():
    return make_claimant("Jane Smith", "1 High Street, Cambridge", "CB1 1JG", phone="07700 900123",
                         email="jane@example.org", sort_code="12-34-56", account_number="12345678",
                         account_name="Jane Smith Savings")


def bob():
    return make_claimant("Bob Trader", "9 Mill Road, Peterborough", "pe1 1aa", business_name="Blades Ltd",
                         sort_code="654321", account_number="87654321")


def request(qty=3, who=None, **kw) -> LogRequest:
    kw.setdefault("declared", not (kw.get("anonymous") or kw.get("no_claim")))
    return LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}")],
                      claimant=None if kw.get("anonymous") else (who or jane()), **kw)


def events(url: str) -> list[AuditEvent]:
    return in_session(url, lambda s: list(s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()), write=False)


def actions_since(url: str, count: int) -> list[str]:
    return [e.action for e in events(url)[count:]]


def remittance(path: Path, lines) -> Path:
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([("reference", "amount"), *lines])
    return path


# --- every change, and only a change, writes an event -----------------------------------------

def test_every_change_writes_its_own_event_and_reads_write_none(ctx, tmp_path):
    fin, mgr, admin = as_staff(ctx, "4001"), as_staff(ctx, "5001"), as_staff(ctx, "1")
    refs: dict[str, str] = {}

    def logged(name, **kw):
        def act():
            refs[name] = log_surrender(ctx, request(**kw)).reference
        return act

    steps = [  # what is done, and the events it must write (nothing for a read or a refusal by rule)
        ("log a claim", logged("a"), ["campaign.registered", "surrender.logged"]),  # first use of the preset
        ("log a flagged claim", logged("flagged", qty=21), ["surrender.logged"]),
        ("log anonymously", logged("anon", anonymous=True), ["surrender.logged"]),
        ("log another", logged("b", who=bob()), ["surrender.logged"]),
        ("show", lambda: show_surrender(fin, refs["a"]), []),
        ("list claims", lambda: list_claims(fin, ClaimFilter()), []),
        ("report", lambda: totals(mgr, ["station", "kind"]), []),
        ("verify", lambda: verify(mgr), []),
        ("read the log", lambda: history(admin), []),
        ("list staff", lambda: list_staff(admin), []),
        ("manager signs off", lambda: approve_claim(mgr, refs["flagged"]), ["claim.manager_approved"]),
        ("approve", lambda: approve_claim(fin, refs["a"]), ["claim.approved"]),
        ("approve flagged", lambda: approve_claim(fin, refs["flagged"]), ["claim.approved"]),
        ("dry run", lambda: export_claims(fin, tmp_path / "dry.csv", dry_run=True), []),
        ("export", lambda: export_claims(fin, tmp_path / "one.csv"), ["claims.exported"]),
        ("pay two", lambda: mark_paid(fin, remittance(tmp_path / "r.csv", [(refs["a"], "30.00"),
                                                                           (refs["flagged"], "210.00")])),
         ["claim.paid", "claim.paid"]),
        ("recreate", lambda: recreate_batch(fin, 1, tmp_path / "again.csv"), ["claims.batch_recreated"]),
        ("reject", lambda: reject_claim(fin, refs["b"], "declaration withdrawn"), ["claim.rejected"]),
        ("void", lambda: void_surrender(mgr, refs["anon"], "logged twice"), ["surrender.voided"]),
        ("add staff", lambda: add_staff(admin, "7001", "Pat New", "desk", "PK", "700107"), ["staff.added"]),
        ("refused by role", lambda: approve_claim(ctx, refs["b"]), ["refused"]),
        ("refused by rule", lambda: approve_claim(fin, refs["b"]), []),
        ("refused remittance", lambda: mark_paid(fin, tmp_path / "r.csv"), []),
    ]
    if HAS_RECEIPTS:
        from surrender.services.receipts import reprint_receipt
        steps.append(("reprint", lambda: reprint_receipt(ctx, refs["a"]), ["receipt.reprinted"]))
    for name, act, expected in steps:
        count = len(events(ctx.url))
        try:
            act()
        except Refused:
            assert name.startswith("refused"), name
        assert actions_since(ctx.url, count) == expected, name
    assert verify(mgr).problem is None


def test_an_event_names_the_record_by_id_and_the_acting_staff_member(ctx):
    view = log_surrender(ctx, request(who=bob()))
    approve_claim(as_staff(ctx, "4001"), view.reference, note="checked")
    logged, approved = events(ctx.url)[-2:]
    staff = db.run(ctx.url, lambda s: dict(s.execute(select(Staff.number, Staff.id)).all()), write=False)
    surrender_id = str(db.run(ctx.url, lambda s: s.execute(
        select(AuditEvent.entity_id).where(AuditEvent.action == "surrender.logged")).scalar_one(), write=False))
    assert (logged.entity, logged.staff_id, logged.at) == ("surrender", staff["2001"], NOW)
    assert (approved.entity, approved.entity_id, approved.staff_id) == ("surrender", surrender_id, staff["4001"])
    detail = json.loads(approved.detail)
    assert detail["reference"] == view.reference and detail["changed"]["status"] == ["pending", "approved"]
    assert json.loads(logged.detail)["items"] == 3


def test_bringing_a_campaign_into_use_is_audited(ctx, clock):
    clock.now = dt.datetime(2025, 7, 2, 12, 0, tzinfo=LONDON)
    count = len(events(ctx.url))
    log_surrender(replace(ctx, campaign="ninja-2025"), LogRequest(
        items=[item_from_spec("ninja-sword:20in:plain:secondary:spine:tanto")], anonymous=True))
    new = events(ctx.url)[count:]
    assert [e.action for e in new if e.entity == "campaign"], [e.action for e in new]


# --- the chain, on a shared data set, tampered with and restored --------------------------------

@dataclass
class World:
    url: str
    references: dict[str, str]


def populate(url: str, tmp: Path) -> World:
    desk = Context(url=url, staff="2001", pin=PINS["2001"], station="TW", receipts_dir=tmp / "receipts", now=lambda: NOW)
    fin, mgr = as_staff(desk, "4001"), as_staff(desk, "5001")
    refs = {
        "jane": log_surrender(desk, request(4)).reference,
        "bob": log_surrender(as_staff(desk, "3001", station="PK"), request(5, who=bob())).reference,
        "flagged": log_surrender(desk, request(25)).reference,
        "anon": log_surrender(desk, request(anonymous=True)).reference,
        "no-claim": log_surrender(desk, request(no_claim=True, who=jane())).reference,
        # Jane's: Bob at TW too would be one claimant at two stations, flagged for a manager (issue 17)
        "void": log_surrender(desk, request(3, who=jane())).reference,
        "rejected": log_surrender(desk, request(6)).reference,
    }
    approve_claim(fin, refs["jane"], note="ok")
    approve_claim(fin, refs["bob"])
    approve_claim(mgr, refs["flagged"])
    approve_claim(fin, refs["flagged"])
    reject_claim(fin, refs["rejected"], "declaration withdrawn")
    void_surrender(mgr, refs["void"], "logged twice")
    export_claims(fin, tmp / "batch.csv")
    mark_paid(fin, remittance(tmp / "remit.csv", [(refs["jane"], "40.00")]))
    recreate_batch(fin, 1, tmp / "again.csv")
    add_staff(as_staff(desk, "1"), "7001", "Pat New", "desk", "PK", "700107")
    with pytest.raises(Forbidden):
        export_claims(desk, tmp / "nope.csv")
    if HAS_RECEIPTS:
        from surrender.services.receipts import reprint_receipt
        reprint_receipt(as_staff(desk, "3001", station="PK"), refs["bob"])  # a reprint reads within the officer's stations
    return World(url, refs)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """The data set on a database of its own, shared by this module's tests (each restores what it changes)."""
    from tests.conftest import copied_database

    tmp = tmp_path_factory.mktemp("audit")
    with copied_database(request.param, request, tmp) as url:
        yield populate(url, tmp)


def manager(url: str) -> Context:
    return Context(url=url, staff="5001", pin=PINS["5001"])


def test_an_untouched_chain_is_intact_and_links_every_event_to_the_one_before(world):
    trail = events(world.url)
    report = verify(manager(world.url))
    assert (report.events, report.broken_at, report.problem) == (len(trail), None, None)
    assert verify(replace(manager(world.url), staff="1", pin=PINS["1"])).problem is None
    assert trail[0].prev_hash == GENESIS  # the template's staff.added events start the chain
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(trail, trail[1:]))
    assert all(e.hash == event_hash(e.prev_hash, e.at, e.staff_id, e.action, e.entity, e.entity_id, e.detail,
                                    e.state) for e in trail)
    head = db.run(world.url, lambda s: s.execute(select(AuditHead.last_hash).where(AuditHead.force_code == "CAMBS")).scalar_one(), write=False)
    assert head == trail[-1].hash


def test_a_surrenders_history_shows_its_whole_life_in_order(world):
    rows = history(manager(world.url), world.references["jane"].lower())
    assert [r["action"] for r in rows] == ["surrender.logged", "claim.approved", "claims.exported", "claim.paid"]
    assert [r["staff"] for r in rows] == ["2001", "4001", "4001", "4001"]
    assert rows == sorted(rows, key=lambda r: r["id"])


def test_audit_events_carry_no_claimant_name_address_postcode_or_bank_details(world):
    for event in events(world.url):
        text = " ".join([event.action, event.entity, event.entity_id, event.detail])
        found = [secret for secret in SECRETS if secret.lower() in text.lower()]
        assert not found, f"event {event.id} ({event.action}) carries {found}: {event.detail}"


def _pick(ids: list[int], which: str) -> int:
    return {"first": ids[0], "second": ids[1], "middle": ids[len(ids) // 2], "last": ids[-1]}[which]


def _forge(row: dict, **changes) -> dict:
    """A careful forger: change the row and recompute its own hash."""
    row = {**row, **changes}
    row["hash"] = event_hash(row["prev_hash"], row["at"], row["staff_id"], row["action"], row["entity"],
                             row["entity_id"], row["detail"], row["state"])
    return row


TAMPERING = {
    # name: (which event, what is done to it, which event verify must name: same / next / none)
    "detail of the first event edited": ("first", "edit-detail", "same"),
    "detail of a middle event edited": ("middle", "edit-detail", "same"),
    "detail of the last event edited": ("last", "edit-detail", "same"),
    "a middle event's action changed": ("middle", "edit-action", "same"),
    "a middle event's time moved": ("middle", "edit-at", "same"),
    "a middle event's staff member changed": ("middle", "edit-staff", "same"),
    "a middle event's record id changed": ("middle", "edit-entity", "same"),
    "a middle event's previous-hash changed": ("middle", "edit-prev", "same"),
    "the last event's previous-hash changed": ("last", "edit-prev", "same"),
    "a middle event rewritten with its own hash recomputed": ("middle", "forge", "next"),
    "the first event deleted": ("first", "delete", "next"),
    "a middle event deleted": ("middle", "delete", "next"),
    "the last event deleted": ("last", "delete", "none"),
    "the last event rewritten with its own hash recomputed": ("last", "forge", "none"),
}


@pytest.mark.parametrize("which, how, blamed", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_behind_the_tools_back_is_caught_at_the_first_broken_event(world, which, how, blamed):
    table = AuditEvent.__table__
    ids = [e.id for e in events(world.url)]
    target = _pick(ids, which)
    original = db.run(world.url, lambda s: dict(s.execute(select(table).where(table.c.id == target)).mappings().one()),
                      write=False)
    changes = {
        "edit-detail": {"detail": original["detail"].replace("}", ',"x":1}', 1)},
        "edit-action": {"action": "claim.approved" if original["action"] != "claim.approved" else "claim.rejected"},
        "edit-at": {"at": original["at"] + dt.timedelta(seconds=1)},
        "edit-staff": {"staff_id": None if original["staff_id"] is not None else 1},
        "edit-entity": {"entity_id": original["entity_id"] + "0"},
        "edit-prev": {"prev_hash": "f" * 64},
        "forge": {k: v for k, v in _forge(original, detail='{"reference":"forged"}').items() if k != "id"},
    }

    def tamper(session):
        if how == "delete":
            session.execute(delete(table).where(table.c.id == target))
        else:
            session.execute(update(table).where(table.c.id == target).values(**changes[how]))

    def restore(session):
        session.execute(delete(table).where(table.c.id == target))
        session.execute(insert(table).values(**original))

    assert verify(manager(world.url)).problem is None
    db.run(world.url, tamper)
    try:
        report = verify(manager(world.url))
        direct = db.run(world.url, lambda conn: verify_chain(conn, "CAMBS"), write=False)
    finally:
        db.run(world.url, restore)
    expected = {"same": target, "next": ids[ids.index(target) + 1] if blamed == "next" else None, "none": None}[blamed]
    assert report == direct
    assert report.broken_at == expected
    assert report.problem is not None
    if blamed == "none":
        assert "deleted" in report.problem or "tip" in report.problem
    elif how in ("edit-prev", "delete", "forge"):
        assert "previous-hash" in report.problem
    else:
        assert "edited" in report.problem
    assert verify(manager(world.url)).problem is None  # restored for the next test
