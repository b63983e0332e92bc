"""Issue 18.1: every event vouches only for what it changed, and verify replays the history.

Each case is a forgery made with raw SQL behind the tool's back, then honest work with the tool
that today's main let vouch for the forged state ("laundering"), or content moved between the
fields of an event without changing its hash ("field shift"). On SQLite and PostgreSQL (the
`copy` fixture of test_tamper: a private copy of one populated database per test).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from surrender import db
from surrender.errors import Refused
from surrender.rules.money import format_pence
from surrender.rules.lockout import LOCK_AFTER, wait_after
from surrender.services import auth
from surrender.services.audit_log import anchor, history, verify
from surrender.services.claims import PaymentDetails, approve_claim, set_payment
from surrender.services.context import Context
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.staff import deactivate_staff, set_pin, unlock_staff
from surrender.services.surrenders import void_surrender
from tests.conftest import PINS
from tests.integration.test_audit_chain import remittance
from tests.integration.test_tamper import NOW, admin, copy, logged, sql, surrender_id, world  # noqa: F401

as_member = {number: (lambda n: lambda url: Context(url=url, staff=n, pin=PINS[n], station="TW", now=lambda: NOW))(number)
             for number in PINS}


def refs_claim(url: str, reference: str, column: str):
    return db.run(url, lambda s: s.execute(text(f"SELECT {column} FROM claim WHERE surrender_id = :i"),
                                           {"i": surrender_id(url, reference)}).scalar(), write=False)


# --- laundering: an honest event after a forgery -------------------------------------------------

def test_a_forged_account_stays_caught_after_finance_sets_the_account_name(copy):
    sql(copy.url, "UPDATE claimant SET account_number = '99999999' WHERE id = "
                  "(SELECT claimant_id FROM surrender WHERE reference = :r)", r=copy.refs["pending"])
    set_payment(as_member["4001"](copy.url), copy.refs["pending"], PaymentDetails(account_name="J Smith"))
    problem = verify(admin(copy.url)).problem
    assert f"claimant.account_number of surrender {copy.refs['pending']} differs" in problem


def test_a_forged_manager_sign_off_stays_caught_after_finance_approves(copy):
    sql(copy.url, "UPDATE claim SET manager_approved_by = (SELECT id FROM staff WHERE number = '5001'), "
                  "manager_approved_at = decided_at WHERE surrender_id = :i",
        i=surrender_id(copy.url, copy.refs["pending"]))
    approve_claim(as_member["4001"](copy.url), copy.refs["pending"])
    problem = verify(admin(copy.url)).problem
    assert f"claim.manager_approved_by of surrender {copy.refs['pending']} differs" in problem


def test_a_forged_role_stays_caught_after_a_lock_and_unlock(copy):
    sql(copy.url, "UPDATE staff SET role = 'finance' WHERE number = '2001'")
    now = [NOW]
    wrong = Context(url=copy.url, staff="2001", pin="000000", station="TW", now=lambda: now[0],
                    terminal="front-desk-pc local")  # the admin unlocks from another terminal
    for tried in range(1, LOCK_AFTER + 1):
        with pytest.raises((auth.Forbidden, Refused)):
            approve_claim(wrong, copy.refs["pending"])
        now[0] += wait_after(tried)  # wrong PINs slow down: each next try after its wait
    unlock_staff(admin(copy.url), "2001")
    assert "staff.role of staff member 2001 differs" in verify(admin(copy.url)).problem


def test_a_forged_role_stays_caught_after_an_admin_resets_the_pin(copy):
    sql(copy.url, "UPDATE staff SET role = 'finance' WHERE number = '2001'")
    set_pin(admin(copy.url), "2001", "907153")
    assert "staff.role of staff member 2001 differs" in verify(admin(copy.url)).problem


def test_a_forged_admin_row_stays_caught_after_the_admin_changes_their_own_pin(copy):
    sql(copy.url, "UPDATE staff SET station_code = 'PK' WHERE number = '1'")
    set_pin(admin(copy.url), None, "907153")
    again = Context(url=copy.url, staff="1", pin="907153", now=lambda: NOW)
    assert "staff.station_code of staff member 1 differs" in verify(again).problem


# --- field shift: content moved between an event's fields, hash unchanged -------------------------

def shift_state_into_detail(url: str, action: str) -> int:
    """Move the last `action` event's state into its detail after a line break: the hash joins
    fields with line breaks, so it is unchanged, and the event no longer vouches for anything."""
    def work(session):
        ident, detail, state = session.execute(text(
            "SELECT id, detail, state FROM audit_event WHERE action = :a ORDER BY id DESC LIMIT 1"), {"a": action}).one()
        session.execute(text("UPDATE audit_event SET detail = :d, state = NULL WHERE id = :i"),
                        {"d": f"{detail}\n{state}", "i": ident})
        return ident
    return db.run(url, work)


def assert_caught_at(url: str, line: str, event: int) -> None:
    report = verify(admin(url), line)
    assert report.broken_at == event and "line break" in report.problem, report


def test_a_voided_claim_unvoided_and_exported_is_caught(copy, tmp_path):
    void_surrender(as_member["5001"](copy.url), copy.refs["approved"], "logged twice")
    (line,) = anchor(admin(copy.url))
    event = shift_state_into_detail(copy.url, "surrender.voided")
    sql(copy.url, "UPDATE surrender SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE reference = :r",
        r=copy.refs["approved"])
    assert_caught_at(copy.url, line, event)
    with pytest.raises(Refused, match=f"broken at event {event}"):
        export_claims(as_member["4001"](copy.url), tmp_path / "x.csv")


def test_a_deactivated_leaver_reactivated_who_then_logs_is_caught(copy):
    deactivate_staff(admin(copy.url), "2001")
    (line,) = anchor(admin(copy.url))
    event = shift_state_into_detail(copy.url, "staff.deactivated")
    sql(copy.url, "UPDATE staff SET active = true WHERE number = '2001'")
    logged(as_member["2001"](copy.url), 1)
    assert_caught_at(copy.url, line, event)


def test_a_paid_claim_rolled_back_to_exported_and_paid_twice_is_caught(copy, tmp_path):
    (line,) = anchor(admin(copy.url))
    event = shift_state_into_detail(copy.url, "claim.paid")
    sql(copy.url, "UPDATE claim SET status = 'exported', paid_at = NULL, paid_by = NULL WHERE surrender_id = :i",
        i=surrender_id(copy.url, copy.refs["paid"]))
    assert_caught_at(copy.url, line, event)
    amount = format_pence(refs_claim(copy.url, copy.refs["paid"], "payable_pence"))
    mark_paid(as_member["4001"](copy.url), remittance(tmp_path / f"r-{uuid.uuid4().hex[:6]}.csv",
                                                      [(copy.refs["paid"], amount)]))
    assert_caught_at(copy.url, line, event)


def test_audit_log_names_a_malformed_event_and_goes_on(copy):
    event = shift_state_into_detail(copy.url, "claim.paid")
    rows = history(admin(copy.url))
    shown = next(r for r in rows if r["id"] == event)
    assert f"event {event}" in str(shown["detail"])
    assert len(rows) > 5


def test_audit_log_refuses_an_empty_reference(copy):
    with pytest.raises(Refused, match="--reference"):
        history(admin(copy.url), " ")


# --- four eyes on money (18.8) -------------------------------------------------------------------

def test_bank_details_changed_after_approval_send_the_claim_back_for_someone_else(copy, tmp_path):
    from surrender.services.staff import add_staff

    add_staff(admin(copy.url), "4002", "Second Finance", "finance", None, "400204")
    first, second = as_member["4001"](copy.url), Context(url=copy.url, staff="4002", pin="400204", now=lambda: NOW)
    said = set_payment(first, copy.refs["approved"], PaymentDetails(sort_code="20-00-00", account_number="55779911"))
    assert "back to pending" in said
    assert refs_claim(copy.url, copy.refs["approved"], "status") == "pending"
    with pytest.raises(Refused, match=f"{copy.refs['approved']}: you changed the bank details"):
        approve_claim(first, copy.refs["approved"])
    approve_claim(second, copy.refs["approved"])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Refused, match=f"{copy.refs['approved']}: you changed the bank details"):
        export_claims(first, out / "b.csv")
    assert list(out.iterdir()) == [] and refs_claim(copy.url, copy.refs["approved"], "status") == "approved"
    assert export_claims(second, out / "b.csv").count == 1
    assert verify(admin(copy.url)).problem is None
