"""Tamper evidence against someone who can write the database (issue 7, build 4 and 8).

Each kind of edit is made with raw SQL behind the tool's back on a copy of one populated
database; `audit verify` (with the anchor taken before the edit, where only an anchor can
tell) must fail naming the record or event at fault. TAMPERING lists every kind tried.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import text

from surrender import db
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services import audit, auth
from surrender.services.audit_log import anchor, verify
from surrender.services.claims import approve_claim, reject_claim
from surrender.services.context import Context
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import LONDON, PINS, as_staff

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
NOW = dt.datetime(2024, 9, 10, 14, 0, tzinfo=LONDON)



def claimant(name="Jane Smith"):
    return make_claimant(name, "1 High Street, Cambridge", "CB1 1JG", sort_code="12-34-56",
                         account_number="12345678", account_name=name)


def logged(ctx: Context, qty: int, **kw) -> str:
    kw.setdefault("declared", not (kw.get("anonymous") or kw.get("no_claim")))
    who = None if kw.get("anonymous") else claimant()
    return log_surrender(ctx, LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}"),
                                                item_from_spec("zombie-knife:9in:plain:point:serrated=2in")],
                                         claimant=who, **kw)).reference


@dataclass
class World:
    url: str
    refs: dict[str, str]
    anchor: str


def populate(url: str, tmp: Path) -> World:
    desk = Context(url=url, staff="2001", pin=PINS["2001"], station="TW", receipts_dir=tmp / "receipts", now=lambda: NOW)
    fin, mgr, admin = as_staff(desk, "4001"), as_staff(desk, "5001"), as_staff(desk, "1")
    refs = {"paid": logged(desk, 4), "approved": logged(desk, 5), "pending": logged(desk, 6),
            "rejected": logged(desk, 2), "anon": logged(desk, 1, anonymous=True)}
    approve_claim(fin, refs["paid"])
    exported = export_claims(fin, tmp / f"batch-{uuid.uuid4().hex[:6]}.csv")
    from surrender.rules.money import format_pence
    from tests.integration.test_audit_chain import remittance
    mark_paid(fin, remittance(tmp / f"r-{uuid.uuid4().hex[:6]}.csv",
                              [(refs["paid"], format_pence(exported.total_pence))]))
    approve_claim(fin, refs["approved"])
    reject_claim(fin, refs["rejected"], "withdrawn")
    void_surrender(mgr, refs["anon"], "logged twice")
    # Two events that change no record, so deleting them leaves every record matching.
    for _ in range(2):
        with pytest.raises(auth.Forbidden):
            approve_claim(desk, refs["pending"])
    (line,) = anchor(mgr)
    assert verify(admin).problem is None
    return World(url, refs, line)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    from tests.conftest import copied_database

    tmp = tmp_path_factory.mktemp("tamper")
    with copied_database(request.param, request, tmp) as url:
        world = populate(url, tmp)
        db.dispose(url)
        yield world


@pytest.fixture
def copy(world, request, tmp_path) -> World:
    """A private copy of the populated world, to tamper with freely."""
    from tests.conftest import _pg_execute, _pg_url_for

    if world.url.startswith("sqlite"):
        path = tmp_path / "copy.db"
        shutil.copy(world.url.removeprefix("sqlite:///"), path)
        yield replace(world, url=f"sqlite:///{path}")
        db.dispose(f"sqlite:///{path}")
        return
    db.dispose(world.url)
    name = f"surrender_x_{uuid.uuid4().hex[:10]}"
    source = world.url.rsplit("/", 1)[1].split("?")[0]
    _pg_execute(f"CREATE DATABASE {name} TEMPLATE {source}")
    url = _pg_url_for(name)
    try:
        yield replace(world, url=url)
    finally:
        db.dispose(url)
        _pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sql(url: str, *statements: str, **params) -> None:
    def work(session):
        for statement in statements:
            session.execute(text(statement), params)
    db.run(url, work)


def admin(url: str) -> Context:
    return Context(url=url, staff="1", pin=PINS["1"], now=lambda: NOW)


def surrender_id(url: str, reference: str) -> int:
    return db.run(url, lambda s: s.execute(text("SELECT id FROM surrender WHERE reference = :r"),
                                           {"r": reference}).scalar_one(), write=False)


def rewrite_chain_from(url: str, first_id: int) -> None:
    """What a careful forger does after an edit: recompute every hash from `first_id` on and move the head."""
    def work(session):
        rows = session.execute(text("SELECT * FROM audit_event WHERE id >= :i ORDER BY id"), {"i": first_id}).mappings()
        prev = session.execute(text("SELECT hash FROM audit_event WHERE id < :i ORDER BY id DESC LIMIT 1"),
                               {"i": first_id}).scalar() or audit.GENESIS
        for row in list(rows):
            at = row["at"]
            if isinstance(at, str):
                at = dt.datetime.fromisoformat(at)
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.timezone.utc)
            new = audit.event_hash(prev, at, row["staff_id"], row["action"], row["entity"], row["entity_id"],
                                   row["detail"], row["state"])
            session.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i"),
                            {"p": prev, "h": new, "i": row["id"]})
            prev = new
        session.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})
    db.run(url, work)


def forge_state_for(url: str, reference: str) -> None:
    """Put the current digests of `reference` into its logging event (then rewrite the chain)."""
    from surrender.services.field_digest import fields_of

    ident = surrender_id(url, reference)

    def work(session):
        event_id, state = session.execute(text(
            "SELECT id, state FROM audit_event WHERE action = 'surrender.logged' AND entity_id = :e"),
            {"e": str(ident)}).one()
        state = json.loads(state)
        state[f"surrender:{ident}"] = fields_of(session, f"surrender:{ident}")
        session.execute(text("UPDATE audit_event SET state = :s WHERE id = :i"),
                        {"s": audit.canonical(state), "i": event_id})
        return event_id
    rewrite_chain_from(url, db.run(url, work))


def drop_tail(url: str, count: int) -> None:
    def work(session):
        ids = session.execute(text("SELECT id FROM audit_event ORDER BY id DESC LIMIT :n"), {"n": count}).scalars().all()
        for ident in ids:
            session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": ident})
        last = session.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")).scalar()
        session.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": last or audit.GENESIS})
    db.run(url, work)


def insert_surrender(url: str, reference: str) -> None:
    ident = surrender_id(url, reference)
    sql(url, "INSERT INTO surrender (reference, force_code, station_code, campaign_code, number, surrendered_at, "
             "surrendered_on, recorded_at, staff_id, anonymous, claimant_id, declared, item_count) "
             "SELECT 'TW-Z24-000999-X', force_code, station_code, campaign_code, 999, surrendered_at, "
             "surrendered_on, recorded_at, staff_id, anonymous, NULL, declared, item_count FROM surrender "
             "WHERE id = :i", i=ident)


def move_time(w: World) -> None:
    """The surrender an hour earlier, written as each backend stores times."""
    earlier = dt.datetime(2024, 9, 10, 12, 0)
    value = earlier.isoformat(sep=" ") if w.url.startswith("sqlite") else earlier.replace(tzinfo=dt.timezone.utc)
    sql(w.url, "UPDATE surrender SET surrendered_at = :t WHERE reference = :r", t=value, r=w.refs["pending"])


# name: (what is done to the copy, whether verify uses the anchor taken before, what the error must say)
def _tamperings():
    def claim(column, value):
        return lambda w: sql(w.url, f"UPDATE claim SET {column} = {value} WHERE surrender_id = :i",
                             i=surrender_id(w.url, w.refs["approved"]))

    def claimant_col(column, value):
        return lambda w: sql(w.url, f"UPDATE claimant SET {column} = '{value}' WHERE id = "
                                    "(SELECT claimant_id FROM surrender WHERE reference = :r)", r=w.refs["approved"])

    def line(column, value):
        return lambda w: sql(w.url, f"UPDATE item_line SET {column} = {value} WHERE number = 1 AND surrender_id = :i",
                             i=surrender_id(w.url, w.refs["pending"]))

    def surrender(column, value):
        return lambda w: sql(w.url, f"UPDATE surrender SET {column} = {value} WHERE reference = :r",
                             r=w.refs["pending"])

    def staff(column, value, number):
        return lambda w: sql(w.url, f"UPDATE staff SET {column} = {value} WHERE number = '{number}'")

    batch = lambda column, value: lambda w: sql(w.url, f"UPDATE export_batch SET {column} = {value}")  # noqa: E731
    return {
        "claim payable edited": (claim("payable_pence", 999900), False, "claim.payable_pence of surrender {approved} differs"),
        "claim claimed edited": (claim("claimed_pence", 999900), False, "claim.claimed_pence of surrender {approved} differs"),
        "claim status edited (approved -> exported)": (claim("status", "'exported'"), False,
                                                       "claim.status of surrender {approved} differs"),
        "claim status edited (paid -> exported, to pay twice)": (
            lambda w: sql(w.url, "UPDATE claim SET status = 'exported' WHERE surrender_id = :i",
                          i=surrender_id(w.url, w.refs["paid"])), False, "claim.status of surrender {paid} differs"),
        "account number edited": (claimant_col("account_number", "99999999"), False,
                                  "claimant.account_number of surrender {approved} differs"),
        "sort code edited": (claimant_col("sort_code", "99-99-99"), False, "claimant.sort_code of surrender {approved} differs"),
        "claimant name edited": (claimant_col("name", "Eve Forger"), False, "claimant.name of surrender {approved} differs"),
        "claimant salt edited": (claimant_col("salt", "00"), False, "of surrender {approved} differs"),
        "item line blade edited": (line("blade_length_mm", "'400'"), False, "items.lines of surrender {pending} differs"),
        "item line compensation edited": (line("compensation_pence", "999900"), False, "items.lines of surrender {pending} differs"),
        "an item row deleted": (lambda w: sql(w.url, "DELETE FROM item WHERE line = 1 AND surrender_id = :i",
                                              i=surrender_id(w.url, w.refs["pending"])), False,
                                "items.lines of surrender {pending} differs"),
        "surrender station edited": (surrender("station_code", "'PK'"), False, "of surrender {pending} differs"),
        "surrender time edited": (move_time, False, "of surrender {pending} differs"),
        "a void undone": (lambda w: sql(w.url, "UPDATE surrender SET voided_at = NULL WHERE reference = :r",
                                        r=w.refs["anon"]), False, "surrender.voided_at of surrender {anon} differs"),
        "a surrender inserted": (lambda w: insert_surrender(w.url, w.refs["pending"]), False,
                                 "surrender TW-Z24-000999-X has no audit event"),
        "a claim deleted": (lambda w: sql(w.url, "DELETE FROM claim WHERE surrender_id = :i",
                                          i=surrender_id(w.url, w.refs["pending"])), False,
                            "claim.id of surrender {pending} differs"),
        "batch total edited": (batch("total_pence", "999900"), False, "batch 1 differs"),
        "batch sha edited": (batch("sha256", "'" + "0" * 64 + "'"), False, "batch 1 differs"),
        "staff role changed desk -> admin": (staff("role", "'admin'", "2001"), False, "staff member 2001 differs"),
        "staff pin_hash replaced": (lambda w: sql(w.url, "UPDATE staff SET pin_hash = (SELECT pin_hash FROM staff "
                                                          "WHERE number = '4001') WHERE number = '5001'"),
                                    False, "staff member 5001 differs"),
        "staff member inserted": (lambda w: sql(w.url, "INSERT INTO staff (number, force_code, name, role, active, "
                                                        "created_at) SELECT 'X9', force_code, 'Eve', 'admin', "
                                                        "active, created_at FROM staff "
                                                        "WHERE number = '1'"),
                                  False, "staff member X9 has no audit event"),
        "an event's detail edited": (lambda w: sql(w.url, "UPDATE audit_event SET detail = '{}' WHERE id = "
                                                          "(SELECT MIN(id) FROM audit_event WHERE action = 'claim.paid')"),
                                     False, "its content no longer matches its hash"),
        "last events deleted and audit_head moved back": (lambda w: drop_tail(w.url, 2), True,
                                                          "events deleted"),
        "every event deleted and audit_head reset": (lambda w: drop_tail(w.url, 10_000), False,
                                                     "has no audit event"),
        "chain rewritten consistently after a payable edit": (
            lambda w: (claim("payable_pence", 999900)(w), forge_state_for(w.url, w.refs["approved"])), True,
            "not the one anchored"),
    }


TAMPERING = _tamperings()


@pytest.mark.parametrize("name", TAMPERING)
def test_each_kind_of_tampering_behind_the_tools_back_is_caught_naming_the_record(copy, name):
    tamper, with_anchor, expected = TAMPERING[name]
    tamper(copy)
    report = verify(admin(copy.url), copy.anchor if with_anchor else None)
    assert report.problem is not None, name
    assert expected.format(**copy.refs) in report.problem, report.problem


def test_an_untouched_database_verifies_with_and_without_its_anchor(copy):
    assert verify(admin(copy.url)).problem is None
    assert verify(admin(copy.url), copy.anchor).problem is None
    assert verify(admin(copy.url), f"  '{copy.anchor}' ").problem is None


def test_a_consistent_rewrite_passes_without_the_anchor_so_anchors_must_be_kept_outside(copy):
    TAMPERING["chain rewritten consistently after a payable edit"][0](copy)
    assert verify(admin(copy.url)).problem is None
    assert "not the one anchored" in verify(admin(copy.url), copy.anchor).problem


def test_an_export_refuses_claims_the_trail_does_not_vouch_for_and_writes_nothing(copy, tmp_path):
    """Issue 18.4: payable edited to £9,999.00 and the account changed with sqlite3: verify names the
    claim, and the export refuses it, naming it, instead of paying the forged amount and account."""
    from surrender.errors import Refused

    TAMPERING["claim payable edited"][0](copy)
    TAMPERING["account number edited"][0](copy)
    fin = Context(url=copy.url, staff="4001", pin=PINS["4001"], now=lambda: NOW)
    events = db.run(copy.url, lambda s: s.execute(text("SELECT count(*) FROM audit_event")).scalar(), write=False)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Refused, match=f"nothing written: .*{copy.refs['approved']}"):
        export_claims(fin, out / "after.csv")
    assert list(out.iterdir()) == []
    status = db.run(copy.url, lambda s: s.execute(text("SELECT status FROM claim WHERE surrender_id = :i"),
                                                  {"i": surrender_id(copy.url, copy.refs["approved"])}).scalar(),
                    write=False)
    assert status == "approved"
    after = db.run(copy.url, lambda s: s.execute(text("SELECT count(*) FROM audit_event")).scalar(), write=False)
    assert after == events  # a refusal leaves the database as it was
    assert copy.refs["approved"] in verify(admin(copy.url)).problem


def test_an_anchor_of_another_form_is_refused_in_one_line(copy):
    from surrender.errors import Refused

    with pytest.raises(Refused, match="surrender-anchor force="):
        verify(admin(copy.url), "events=3 head=abc")


def test_the_chain_holds_no_claimant_data_and_purge_wipes_every_salt(world, tmp_path):
    def salts(session):
        return session.execute(text("SELECT salt FROM claimant")).scalars().all()
    trail = db.run(world.url, lambda s: " ".join(s.execute(text("SELECT detail || coalesce(state, '') "
                                                                 "FROM audit_event")).scalars()), write=False)
    for secret in ("Jane", "Smith", "High Street", "CB1", "12345678", "12-34-56"):
        assert secret not in trail
    for salt in db.run(world.url, salts, write=False):
        assert salt and salt not in trail


def test_a_database_from_before_record_digests_is_vouched_for_once_by_a_baseline(copy):
    from surrender.errors import Refused
    from surrender.services.audit_log import baseline

    sql(copy.url, "UPDATE audit_event SET state = NULL")  # as events were written before digests
    rewrite_chain_from(copy.url, 0)
    assert "has no audit event" in verify(admin(copy.url)).problem
    assert baseline(admin(copy.url)) == 5 + 1 + 5  # surrenders, the batch, staff
    assert verify(admin(copy.url)).problem is None
    with pytest.raises(Refused, match="only once"):
        baseline(admin(copy.url))


def test_each_event_records_only_the_fields_its_action_changes(world):
    from surrender.services.field_digest import fields_of

    rows = db.run(world.url, lambda s: s.execute(text("SELECT action, state FROM audit_event ORDER BY id")).all(),
                  write=False)
    recorded = {}
    for action, state in rows:
        for key, fields in json.loads(state or "{}").items():
            recorded.setdefault(action, set()).update((key.partition(":")[0], field) for field in fields)
    every = db.run(world.url, lambda s: fields_of(s, f"surrender:{surrender_id(world.url, world.refs['pending'])}"),
                   write=False)
    assert recorded["surrender.logged"] == {("surrender", f) for f in every}
    decision = {("surrender", f"claim.{c}") for c in ("status", "decided_by", "decided_at", "decision_note")}
    assert recorded["claim.approved"] == recorded["claim.rejected"] == decision
    assert recorded["claim.paid"] == {("surrender", f"claim.{c}") for c in ("status", "paid_at", "paid_by")}
    assert ("surrender", "claim.status") in recorded["claims.exported"]
    assert ("surrender", "claim.payable_pence") not in recorded["claims.exported"]
    assert recorded["surrender.voided"] == {("surrender", f"surrender.{c}") for c in ("voided_at", "voided_by", "void_reason")}
    assert "refused" not in recorded
