"""Who may do what (SPEC 3), checked at every service entry point, on SQLite and PostgreSQL.

For each action every role is tried: a role that may not do it is refused with Forbidden naming
the role needed, one "refused" audit event is written and nothing else changes; a role that
may do it gets through (or is refused for a reason that has nothing to do with its role).
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from surrender import db
from surrender.errors import Forbidden, NotFound, Refused
from surrender.models import AuditEvent, Staff
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.audit_log import history, verify
from surrender.services.auth import PinRequired
from surrender.services.claims import ClaimFilter, approve_claim, list_claims, reject_claim
from surrender.services.context import Context
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.reading import show_surrender
from surrender.services.reports import totals
from surrender.services.schema import upgrade_schema
from surrender.services.staff import add_staff, list_staff
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import PINS, as_staff

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
STAFF_OF = {"desk": "2001", "finance": "4001", "manager": "5001", "admin": "1"}
ROLES = tuple(STAFF_OF)
HAS_RECEIPTS = importlib.util.find_spec("surrender.receipts") is not None

def request(qty: int = 3) -> LogRequest:
    return LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}")], declared=True,
                      claimant=make_claimant("Jane Smith", "1 High Street, Cambridge", "CB1 1JG",
                                             sort_code="12-34-56", account_number="12345678"))


@dataclass
class World:
    pending: str
    exported: str
    remittance: Path
    out: Path


def build(ctx: Context, tmp_path: Path) -> World:
    """A pending claim, and one exported claim that a remittance file would pay."""
    fin = as_staff(ctx, "4001")
    pending = log_surrender(ctx, request()).reference
    exported = log_surrender(ctx, request(4)).reference
    approve_claim(fin, exported)
    export_claims(fin, tmp_path / "batch1.csv")
    remittance = tmp_path / "remit.csv"
    with open(remittance, "w", newline="") as handle:
        csv.writer(handle).writerows([("reference", "amount"), (exported, "40.00")])
    log_surrender(ctx, request(5))  # another pending claim, so an export by finance has something to do
    approve_claim(fin, log_surrender(ctx, request(6)).reference)
    return World(pending, exported, remittance, tmp_path / "exports" / "batch2.csv")


# action -> (audit name, roles allowed, what it does)
ACTIONS: dict[str, tuple[str, set[str], Callable[[Context, World], object]]] = {
    "log": ("log", {"desk"}, lambda c, w: log_surrender(c, request())),
    "show": ("show", set(ROLES), lambda c, w: show_surrender(c, w.pending)),
    "reprint": ("receipt", {"desk", "manager"}, None),  # filled in below: needs surrender.receipts
    "void": ("void", {"manager"}, lambda c, w: void_surrender(c, w.pending, "logged twice")),
    "claims list": ("claims.list", {"finance", "manager"}, lambda c, w: list_claims(c, ClaimFilter())),
    "claims approve": ("claims.approve", {"finance", "manager"}, lambda c, w: approve_claim(c, w.pending)),
    "claims reject": ("claims.reject", {"finance", "manager"}, lambda c, w: reject_claim(c, w.pending, "not owner")),
    "claims export": ("claims.export", {"finance"}, lambda c, w: export_claims(c, w.out)),
    "claims paid": ("claims.paid", {"finance"}, lambda c, w: mark_paid(c, w.remittance)),
    "report totals": ("report", {"finance", "manager"}, lambda c, w: totals(c, ["station"])),
    "audit verify": ("audit.verify", {"manager", "admin", "national"}, lambda c, w: verify(c)),
    "audit log": ("audit", {"manager", "admin"}, lambda c, w: history(c)),
    "staff add": ("staff", {"admin"}, lambda c, w: add_staff(c, "7001", "Pat New", "desk", "TW", "700107")),
    "staff list": ("staff", {"admin"}, lambda c, w: list_staff(c)),
    "db upgrade": ("db.upgrade", {"admin"}, lambda c, w: upgrade_schema(c)),
}


def _reprint(c: Context, w: World):
    from surrender.services.receipts import reprint_receipt

    return reprint_receipt(c, w.pending)


ACTIONS["reprint"] = (*ACTIONS["reprint"][:2], _reprint)

def acting(ctx: Context, role: str) -> Context:
    return as_staff(ctx, STAFF_OF[role])


def dump(url: str) -> dict[str, list[str]]:
    """Every row of every table but the audit trail."""
    def work(session):
        return {t.name: sorted(repr(tuple(r)) for r in session.execute(select(t)))
                for t in SQLModel.metadata.sorted_tables if not t.name.startswith("audit")}
    return db.run(url, work, write=False)


def events(url: str) -> list[tuple]:
    return db.run(url, lambda s: [tuple(r) for r in s.execute(
        select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id, Staff.number)
        .outerjoin(Staff, Staff.id == AuditEvent.staff_id).order_by(AuditEvent.id))], write=False)


def files(ctx: Context, world: World) -> set[Path]:
    roots = [Path(ctx.receipts_dir), world.out.parent]
    return {p for root in roots if root.exists() for p in root.rglob("*")}


def skip_without_receipts(action: str) -> None:
    if action == "reprint" and not HAS_RECEIPTS:
        pytest.skip("surrender/receipts.py (receipt PDFs) is not written yet")


@pytest.mark.parametrize("action", ACTIONS)
def test_only_the_roles_allowed_may_perform_each_action(ctx, tmp_path, action):
    skip_without_receipts(action)
    audit_name, allowed, act = ACTIONS[action]
    world = build(ctx, tmp_path)
    for role in (r for r in ROLES if r not in allowed):
        before, trail, written = dump(ctx.url), events(ctx.url), files(ctx, world)
        with pytest.raises(Forbidden) as refusal:
            act(acting(ctx, role), world)
        message = str(refusal.value)
        assert not isinstance(refusal.value, PinRequired)
        assert f"needs the {' or '.join(sorted(allowed))} role" in message, (role, message)
        assert f"{STAFF_OF[role]} is {role}" in message, (role, message)
        assert dump(ctx.url) == before, f"{role} changed data"
        assert files(ctx, world) == written, f"{role} wrote files"
        assert events(ctx.url)[:len(trail)] == trail
        assert events(ctx.url)[len(trail):] == [("refused", "command", audit_name, STAFF_OF[role])], role
    for role in sorted(allowed & set(ROLES)):  # the national member is not seeded here
        try:
            act(acting(ctx, role), world)
        except Refused as exc:  # a domain reason (e.g. already decided) is fine; a role reason is not
            assert not isinstance(exc, Forbidden), f"{role} may {action} but was refused: {exc}"


def test_allowed_roles_really_do_the_work(ctx, tmp_path):
    world = build(ctx, tmp_path)
    assert log_surrender(ctx, request()).claim.status == "pending"
    pending = list_claims(acting(ctx, "manager"), ClaimFilter(status="pending"))
    assert world.pending in {r.reference for r in pending}
    assert export_claims(acting(ctx, "finance"), world.out).count == 1
    assert mark_paid(acting(ctx, "finance"), world.remittance).count == 1
    assert totals(acting(ctx, "manager"), []).total["surrenders"] == 5
    assert verify(acting(ctx, "admin")).problem is None
    assert add_staff(acting(ctx, "admin"), "7001", "Pat New", "desk", "TW", "700107").role == "desk"
    assert "7001" in [s.number for s in list_staff(acting(ctx, "admin"))]
    assert void_surrender(acting(ctx, "manager"), world.pending, "duplicate").voided_at is not None
    if HAS_RECEIPTS:
        from surrender.services.receipts import reprint_receipt

        view = reprint_receipt(ctx, world.exported)
        assert Path(view.receipt).exists() and Path(view.receipt).parent == Path(ctx.receipts_dir)


def wrong_pins(url: str, number: str) -> int:
    return db.run(url, lambda s: s.execute(select(Staff.failed_pins).where(Staff.number == number)).scalar_one(),
                  write=False)


def forget_wrong_pins(url: str) -> None:
    """Each action's wrong PIN on its own: no member's or terminal's wait carried to the next."""
    def forget(s):
        s.execute(text("UPDATE staff SET failed_pins = 0, last_failed_at = NULL"))
        s.execute(text("UPDATE pin_terminal SET failed_pins = 0, last_failed_at = NULL"))
    db.run(url, forget)


@pytest.mark.parametrize("role", ROLES)
def test_a_wrong_pin_is_refused_audited_counted_and_changes_nothing_else(ctx, tmp_path, role):
    world = build(ctx, tmp_path)
    number = STAFF_OF[role]
    for action, (audit_name, allowed, act) in ACTIONS.items():
        if role not in allowed or action == "reprint":
            continue
        before, trail = dump(ctx.url), events(ctx.url)
        with pytest.raises(Forbidden, match=f"wrong PIN for staff member {number}"):
            act(replace(acting(ctx, role), pin="000000"), world)
        assert wrong_pins(ctx.url, number) == 1, action
        forget_wrong_pins(ctx.url)
        assert dump(ctx.url) == before, action
        assert events(ctx.url)[len(trail):] == [("refused", "command", audit_name, number)], action
    assert not world.out.exists()


def test_a_missing_pin_is_asked_for_not_refused_as_a_role(ctx, tmp_path):
    world = build(ctx, tmp_path)
    for role, action in (("desk", "log"), ("desk", "show"), ("finance", "claims export"), ("manager", "void"),
                         ("manager", "report totals"), ("admin", "staff list"), ("admin", "db upgrade")):
        before, trail = dump(ctx.url), events(ctx.url)
        with pytest.raises(PinRequired,
                           match=f"needs {STAFF_OF[role]}'s PIN: enter it on a terminal or set SURRENDER_PIN"):
            ACTIONS[action][2](replace(acting(ctx, role), pin=None), world)
        assert dump(ctx.url) == before and events(ctx.url) == trail, (role, action)


def test_desk_officers_need_their_pin_like_everyone_else(ctx):
    assert len(PINS["2001"]) >= 6
    assert log_surrender(ctx, request()).reference
    with pytest.raises(PinRequired):
        log_surrender(replace(ctx, pin=None), request())


def test_every_action_needs_someone_acting(ctx, tmp_path):
    world = build(ctx, tmp_path)
    before, trail = dump(ctx.url), events(ctx.url)
    for action, (_, _, act) in ACTIONS.items():
        if action == "reprint" and not HAS_RECEIPTS:
            continue
        with pytest.raises(Forbidden, match="name the acting staff member with --staff NUMBER or SURRENDER_STAFF"):
            act(replace(ctx, staff=None, pin=None), world)
    assert dump(ctx.url) == before and events(ctx.url) == trail


def test_an_unknown_staff_number_is_not_found(ctx, tmp_path):
    world = build(ctx, tmp_path)
    for action in ("log", "claims export", "staff list"):
        with pytest.raises(NotFound, match="no staff member with number '9999'"):
            ACTIONS[action][2](replace(ctx, staff="9999", pin="9999"), world)


def test_a_staff_member_no_longer_active_is_refused_and_audited(ctx):
    db.run(ctx.url, lambda s: s.execute(text("UPDATE staff SET active = false WHERE number = '2001'")))
    trail = events(ctx.url)
    with pytest.raises(Forbidden, match="staff member 2001 is no longer active"):
        log_surrender(ctx, request())
    assert events(ctx.url)[len(trail):] == [("refused", "command", "log", "2001")]


def test_a_new_database_gets_its_first_admin_with_no_one_acting_and_then_needs_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    nobody = Context(url=url)
    try:
        upgrade_schema(nobody)
        with pytest.raises(Refused, match="the first staff member must be an admin"):
            add_staff(nobody, "2001", "Sam Patel", "desk", "TW", "200102")
        assert add_staff(nobody, "1", "Alex Admin", "admin", None, "123456").role == "admin"
        with pytest.raises(Forbidden, match="name the acting staff member"):
            add_staff(nobody, "2001", "Sam Patel", "desk", "TW", "200102")
        with pytest.raises(Forbidden, match="name the acting staff member"):
            upgrade_schema(nobody)
        admin = replace(nobody, staff="1", pin="123456")
        assert add_staff(admin, "2001", "Sam Patel", "desk", "TW", "200102").station == "TW"
        assert [e[0] for e in events(url)] == ["staff.added", "staff.added"]
        assert events(url)[0][3] is None  # the first admin was added by no one
    finally:
        db.dispose(url)


def test_only_an_admin_may_bring_a_new_campaign_into_use(ctx, tmp_path):
    from importlib import resources

    source = resources.files("surrender.campaigns").joinpath("zombie-2024.toml").read_text("utf-8")
    rich = (source.replace('code = "zombie-2024"', 'code = "zombie-rich"')
            .replace('reference_prefix = "Z24"', 'reference_prefix = "ZR"')
            .replace('standard = "10.00"', 'standard = "500.00"'))
    assert rich.count("zombie-rich") == 1 and "500.00" in rich
    path = tmp_path / "rich.toml"
    path.write_text(rich, encoding="utf-8")
    before, trail = dump(ctx.url), events(ctx.url)
    with pytest.raises(Forbidden, match="needs the admin role"):
        log_surrender(replace(ctx, campaign=str(path)), request())
    assert dump(ctx.url) == before
    assert events(ctx.url)[len(trail):] == [("refused", "command", "campaign.register", "2001")]
