"""Finance's day-to-day work through the services, on SQLite and PostgreSQL: payment details
completed after the desk, finding claims, one meaning of payable, past batches, the decision
trail, "where is my money?" and a readable audit log."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import func, select, text

from surrender import db
from surrender.errors import Forbidden, Refused
from surrender.models import AuditEvent, Claimant
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.rules.lifecycle import PAYMENT_EDITABLE, STATUSES, ClaimStatus, effective_payable
from surrender.services.audit_log import history, verify
from surrender.services.batches import BatchSummary, list_batches
from surrender.services.claim_status import NO_MATCH, ClaimStatusView, claim_status
from surrender.services.claims import (
    ClaimFilter,
    PaymentDetails,
    PaymentGap,
    approve_claim,
    claims_missing_payment,
    list_claims,
    reject_claim,
    set_payment,
)
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.reading import show_surrender
from surrender.services.reports import totals
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from surrender.store.scope import Scope
from tests.conftest import NOW, as_staff, in_session

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
DEAR = f"{KNIFE}:value=145:evidence=receipt"  # over the review threshold: flagged for a manager



def log(ctx, qty: int = 3, name: str = "Jane Smith", postcode: str = "CB1 1JG", bank: bool = True,
        business: str | None = None, spec: str = KNIFE, station: str = "TW") -> str:
    person = make_claimant(name, "1 High Street", postcode, business_name=business,
                           **({"sort_code": "12-34-56", "account_number": "12345678"} if bank else {}))
    desk = as_staff(ctx, "2001" if station == "TW" else "3001", station=station)
    request = LogRequest(items=[item_from_spec(f"{spec}:qty={qty}")], claimant=person, declared=True)
    return log_surrender(desk, request).reference


def finance(ctx):
    return as_staff(ctx, "4001")


def manager(ctx):
    return as_staff(ctx, "5001")


def audit_text(ctx) -> str:
    return "\n".join(db.run(ctx.url, lambda s: s.execute(select(AuditEvent.detail)).scalars().all(), write=False))


def audit_count(ctx) -> int:
    return db.run(ctx.url, lambda s: s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
                  write=False)


def listed(ctx, **where) -> dict:
    return {r.reference: r for r in list_claims(ctx, ClaimFilter(**where))}


def missing_payment(ctx, statuses=frozenset({ClaimStatus.APPROVED})) -> list[PaymentGap]:
    return db.run(ctx.url, lambda conn: claims_missing_payment(conn, Scope.everything(), statuses), write=False)


# --- payment details after the desk ------------------------------------------------------------

def test_a_claim_logged_without_bank_details_is_completed_and_goes_in_the_next_batch(ctx, tmp_path):
    bare, ready = log(ctx, bank=False), log(ctx)
    for reference in (bare, ready):
        approve_claim(finance(ctx), reference)
    assert [c.reference for c in missing_payment(ctx)] == [bare]
    assert set(listed(finance(ctx), needs_payment=True)) == {bare}

    said = set_payment(finance(ctx), bare.lower(), PaymentDetails(sort_code="65 43 21", account_number="8765 4321"))
    assert said.startswith(f"{bare}: updated account name, account number, sort code; back to pending")
    assert missing_payment(ctx) == []
    assert listed(finance(ctx), needs_payment=True) == {}
    # Four eyes: bank details given after approval need a second finance officer's approval,
    # and whoever gave them does not export them.
    from surrender.services.staff import add_staff

    add_staff(as_staff(ctx, "1"), "4002", "Second Finance", "finance", None, "400204")
    second = dataclasses.replace(as_staff(ctx, "4002"), pin="400204")
    with pytest.raises(Refused):
        approve_claim(finance(ctx), bare)
    approve_claim(second, bare)
    result = export_claims(second, tmp_path / "batch.csv")
    row = {r.reference: r for r in result.rows}[bare]
    assert (row.sort_code, row.account_number, row.account_name) == ("65-43-21", "87654321", "Jane Smith")


def test_what_is_missing_is_named_for_every_approved_claim_lacking_details(ctx):
    reference = log(ctx, bank=False)
    approve_claim(finance(ctx), reference)
    assert missing_payment(ctx) == [
        PaymentGap(reference, ("no sort code", "no account number", "no account name"))]
    pending = log(ctx, bank=False)
    assert [c.reference for c in missing_payment(ctx, PAYMENT_EDITABLE)] == sorted([reference, pending])


def test_the_audit_chain_records_which_fields_changed_and_never_their_values(ctx):
    reference = log(ctx, bank=False)
    set_payment(finance(ctx), reference, PaymentDetails(
        sort_code="65-43-21", account_number="87654321", account_name="J Smith Esq", phone="01223 555666",
        email="Jane@Example.org", address="2 Low Road", postcode="pe1 1aa"))
    chain = audit_text(ctx)
    for raw in ("65-43-21", "654321", "87654321", "J Smith Esq", "555666", "example.org", "Low Road", "PE1 1AA"):
        assert raw.lower() not in chain.lower(), raw
    bank, contact = history(manager(ctx), reference)[-2:]
    assert (bank["action"], bank["staff"], bank["detail"]["fields_changed"]) == (
        "claim.payment_details_set", "4001", ["account_name", "account_number", "sort_code"])
    assert (contact["action"], contact["detail"]["fields_changed"]) == (
        "claim.contact_details_set", ["address", "email", "phone", "postcode"])
    report = verify(manager(ctx))  # the records still match what the chain vouches for
    assert report.problem is None, report
    shown = show_surrender(finance(ctx), reference).claimant
    assert (shown["email"], shown["postcode"], shown["phone"]) == ("jane@example.org", "PE1 1AA", "01223 555666")


MALFORMED = [
    (PaymentDetails(), "nothing to set"),
    (PaymentDetails(sort_code="12-34-5", account_number="12345678"), "sort code '12-34-5' must be 6 digits"),
    (PaymentDetails(sort_code="12-34-56", account_number="1234567"), "must be 8 digits"),
    (PaymentDetails(sort_code="12-34-56"), "bank details need both --sort-code and --account-number"),
    (PaymentDetails(email="not an email"), "does not look like an email address"),
    (PaymentDetails(postcode="nowhere"), "is not a UK postcode"),
    (PaymentDetails(account_name="   "), "the account name is empty"),
]


def test_malformed_or_half_bank_details_are_refused_and_nothing_changes(ctx):
    reference = log(ctx, bank=False)
    before = audit_count(ctx)
    for details, message in MALFORMED:
        with pytest.raises(Refused, match=message):
            set_payment(finance(ctx), reference, details)
    assert audit_count(ctx) == before
    person = in_session(ctx.url, lambda s: s.execute(select(Claimant)).scalar_one(), write=False)
    assert (person.sort_code, person.account_number, person.email) == (None, None, None)


def test_payment_details_are_refused_once_the_claim_is_exported_paid_rejected_or_void(ctx, tmp_path):
    exported, paid, rejected, void = log(ctx), log(ctx), log(ctx), log(ctx)
    for reference in (exported, paid):
        approve_claim(finance(ctx), reference)
    batch = export_claims(finance(ctx), tmp_path / "b.csv")
    (tmp_path / "remit.csv").write_text(f"reference,amount\n{paid},30.00\n")
    mark_paid(finance(ctx), tmp_path / "remit.csv")
    reject_claim(finance(ctx), rejected, "not the owner")
    void_surrender(manager(ctx), void, "logged twice")
    under_minimum = log(ctx, qty=2)
    before = audit_count(ctx)
    change = PaymentDetails(sort_code="65-43-21", account_number="87654321")
    for reference, message in ((exported, "is exported"), (paid, "is paid"), (rejected, "is rejected"),
                               (void, "is void"), (under_minimum, "is not_payable")):
        with pytest.raises(Refused, match=message):
            set_payment(finance(ctx), reference, change)
    assert audit_count(ctx) == before and batch.count == 2


def test_setting_details_already_held_changes_nothing_and_writes_nothing(ctx):
    reference = log(ctx)
    before = audit_count(ctx)
    said = set_payment(finance(ctx), reference, PaymentDetails(sort_code="123456", account_number="12345678"))
    assert said == f"{reference}: nothing changed; payment details complete"
    assert audit_count(ctx) == before


def test_only_finance_sets_payment_details(ctx):
    reference = log(ctx, bank=False)
    for staff in ("2001", "5001", "1"):
        with pytest.raises(Forbidden, match="claims set_payment needs the finance role"):
            set_payment(as_staff(ctx, staff), reference, PaymentDetails(phone="01223 555666"))


# --- finding claims ------------------------------------------------------------------------------

def test_claims_are_found_by_name_business_or_postcode_in_any_case(ctx):
    jane = log(ctx, name="Jane Smith", postcode="CB1 1JG")
    shop = log(ctx, name="Raj Patel", business="Blades & Co 100%", postcode="PE2 9PB", station="PK")
    other = log(ctx, name="Bob Jones", postcode="CB2 3AB")
    reader = finance(ctx)
    assert set(listed(reader, search="SMITH")) == {jane}
    assert set(listed(reader, search="blades &")) == {shop}
    assert set(listed(reader, search="pe29pb")) == {shop}
    assert set(listed(reader, search="cb")) == {jane, other}
    assert set(listed(reader, search="100%")) == {shop}  # a wildcard typed is a literal character
    assert set(listed(reader, search="_")) == set()
    assert set(listed(reader, search="cb", station="tw")) == {jane, other}
    assert listed(reader, search="jane")[jane].claimant == "Jane Smith"
    as_manager = listed(manager(ctx), search="jane")
    assert set(as_manager) == {jane} and as_manager[jane].claimant == "J*** S****"
    with pytest.raises(Refused, match="--search needs some text"):
        listed(reader, search="  ")


def test_awaiting_manager_lists_flagged_pending_claims_until_a_manager_signs_off(ctx):
    flagged, plain = log(ctx, qty=1, spec=DEAR), log(ctx)
    assert set(listed(finance(ctx), awaiting_manager=True)) == {flagged}
    rows = listed(finance(ctx))
    assert (rows[flagged].flagged, rows[flagged].manager_approved_at) == (True, None)  # needed
    assert (rows[plain].flagged, rows[plain].manager_approved_at) == (False, None)  # not needed
    approve_claim(manager(ctx), flagged)
    assert listed(finance(ctx), awaiting_manager=True) == {}
    assert listed(finance(ctx))[flagged].manager_approved_at == NOW  # approved


def test_dates_filter_by_local_day_and_an_inverted_range_is_refused(ctx, clock):
    import datetime as dt

    from tests.conftest import LONDON

    early = log(ctx)
    clock.now = dt.datetime(2024, 9, 11, 0, 30, tzinfo=LONDON)  # still 10 Sep in UTC
    late = log(ctx)
    on_11th = listed(finance(ctx), date_from=dt.date(2024, 9, 11))
    assert set(on_11th) == {late} and on_11th[late].surrendered_on == dt.date(2024, 9, 11)
    assert set(listed(finance(ctx), date_to=dt.date(2024, 9, 10))) == {early}
    with pytest.raises(Refused, match="--from is after --to"):
        listed(finance(ctx), date_from=dt.date(2024, 9, 11), date_to=dt.date(2024, 9, 10))


# --- payable means the same everywhere -------------------------------------------------------------

def test_a_rejected_or_void_claim_is_payable_zero_in_list_show_and_report_with_its_claim_visible(ctx):
    kept, rejected, void = log(ctx, qty=3), log(ctx, qty=4), log(ctx, qty=5)
    reject_claim(finance(ctx), rejected, "not the owner")
    void_surrender(manager(ctx), void, "logged twice")
    rows = listed(finance(ctx))
    assert [(rows[r].claimed_pence, rows[r].payable_pence) for r in (kept, rejected, void)] == [
        (3000, 3000), (4000, 0), (5000, 0)]
    for reference in (rejected, void):
        shown = show_surrender(finance(ctx), reference).to_json()["claim"]
        assert shown["payable"] == "0.00" and shown["claimed"] != "0.00"
    live_payable = sum(r.payable_pence for r in rows.values() if not r.void)
    assert totals(manager(ctx), []).total["payable"] == 3000 == live_payable


def test_the_sql_payable_agrees_with_the_rule_for_every_status_and_void(ctx):
    """`store.claims.effective_payable_sql()` (what every listing and total sums) is
    `rules.lifecycle.effective_payable`, on every status, void or not."""
    from surrender.store.claims import base, effective_payable_sql

    log(ctx)
    for status in STATUSES:
        for voided in (False, True):
            def probe(conn, status=status, voided=voided):
                with conn.begin_nested() as probing:  # rolled back: the claim is left as it was
                    conn.execute(text("UPDATE claim SET status = :s"), {"s": status})
                    conn.execute(text("UPDATE surrender SET voided_at = :v"),
                                 {"v": "2024-09-10 13:00:00" if voided else None})
                    got = conn.execute(base(Scope.everything()).add_columns(effective_payable_sql())).scalar_one()
                    probing.rollback()
                return got
            assert db.run(ctx.url, probe) == effective_payable(status, 3000, voided), (status, voided)


# --- the decision trail ----------------------------------------------------------------------------

def test_show_gives_finance_and_managers_who_decided_when_and_why_and_the_desk_nothing(ctx, tmp_path):
    flagged, rejected = log(ctx, qty=1, spec=DEAR), log(ctx)
    approve_claim(manager(ctx), flagged)
    approve_claim(finance(ctx), flagged, note="receipt checked")
    reject_claim(finance(ctx), rejected, "declaration withdrawn")
    export_claims(finance(ctx), tmp_path / "b.csv")
    for reader in (finance(ctx), manager(ctx)):
        trail = show_surrender(reader, flagged).to_json()["claim"]["decision"]
        assert trail == {
            "decided": "approved", "decided_by": "4001 Fin Ance", "decided_at": "2024-09-10T14:00:00+01:00",
            "note": "receipt checked", "manager_approved_by": "5001 Morgan Lee",
            "manager_approved_at": "2024-09-10T14:00:00+01:00", "exported_at": "2024-09-10T14:00:00+01:00",
            "paid_by": None, "paid_at": None}
        refusal = show_surrender(reader, rejected).to_json()["claim"]["decision"]
        assert (refusal["decided"], refusal["note"]) == ("rejected", "declaration withdrawn")
    assert "decision" not in show_surrender(ctx, flagged).to_json()["claim"]  # the desk


# --- past batches ----------------------------------------------------------------------------------

def test_batches_list_paid_and_outstanding_amounts_that_match_the_claims(ctx, tmp_path, clock):
    import datetime as dt

    first = [log(ctx, qty=q) for q in (3, 4)]
    for reference in first:
        approve_claim(finance(ctx), reference)
    one = export_claims(finance(ctx), tmp_path / "one.csv")
    (tmp_path / "remit.csv").write_text(f"reference,amount\n{first[1]},40.00\n")
    mark_paid(finance(ctx), tmp_path / "remit.csv")
    clock.now += dt.timedelta(days=1)
    second = log(ctx, qty=5)
    approve_claim(finance(ctx), second)
    two = export_claims(finance(ctx), tmp_path / "two.json", "json")
    batches = list_batches(manager(ctx))
    assert batches == [
        BatchSummary(batch=1, exported_at=NOW, staff="4001", staff_name="Fin Ance", claims=2, total_pence=7000,
                     paid_claims=1, paid_pence=4000, format="csv", sha256=one.sha256, filename="one.csv"),
        BatchSummary(batch=2, exported_at=NOW + dt.timedelta(days=1), staff="4001", staff_name="Fin Ance", claims=1,
                     total_pence=5000, paid_claims=0, paid_pence=0, format="json", sha256=two.sha256,
                     filename="two.json"),
    ]
    assert [(b.outstanding_claims, b.outstanding_pence) for b in batches] == [(1, 3000), (1, 5000)]
    with pytest.raises(Forbidden):
        list_batches(ctx)  # the desk


# --- "where is my money?" --------------------------------------------------------------------------

def test_status_by_reference_and_postcode_gives_dates_and_payable_and_nothing_personal(ctx, tmp_path):
    reference = log(ctx, postcode="CB1 1JG")
    approve_claim(finance(ctx), reference)
    export_claims(finance(ctx), tmp_path / "b.csv")
    for who in ("2001", "4001", "5001"):
        found = claim_status(as_staff(ctx, who), reference.lower(), " cb11jg ")
        assert found == ClaimStatusView(reference=reference, status=ClaimStatus.EXPORTED, void=False, logged=NOW,
                                        approved=NOW, rejected=None, exported=NOW, paid=None, payable_pence=3000)


def test_a_wrong_postcode_an_unknown_or_malformed_reference_all_say_only_no_match(ctx):
    reference = log(ctx, postcode="CB1 1JG")
    unknown = log(ctx)  # a real reference, then made unknown by changing its number
    attempts = [(reference, "CB1 1JH"), (unknown[:-1] + "Z", "CB1 1JG"),
                ("TW-Z24-999999-Q", "CB1 1JG"), ("not a reference", "CB1 1JG")]
    before = audit_count(ctx)
    for typed, postcode in attempts:
        with pytest.raises(Refused) as refused:
            claim_status(ctx, typed, postcode)
        assert str(refused.value) == NO_MATCH
        assert "check both the reference" in NO_MATCH and "postcode" in NO_MATCH
    events = history(manager(ctx), limit=1)
    assert audit_count(ctx) == before + 1  # one event stands for the member's misses this hour
    assert events[0]["action"] == "claim.status_looked_up" and events[0]["detail"]["outcome"] == "no match"
    assert "CB1" not in audit_text(ctx).upper().replace("CB1 1JG", "")  # no postcode tried is in the chain
    assert "1JH" not in audit_text(ctx).upper()


def test_a_void_or_rejected_claim_reports_its_state_and_nothing_payable(ctx):
    void, rejected = log(ctx), log(ctx)
    void_surrender(manager(ctx), void, "logged twice")
    reject_claim(finance(ctx), rejected, "not the owner")
    voided = claim_status(ctx, void, "CB1 1JG")
    assert (voided.void, voided.payable_pence) == (True, 0)
    found = claim_status(ctx, rejected, "CB1 1JG")
    assert (found.status, found.void, found.payable_pence, found.approved, found.rejected) == (
        ClaimStatus.REJECTED, False, 0, None, NOW)


def test_a_desk_officer_finds_only_the_claims_of_the_stations_they_may_read(ctx):
    """The lookup reads within the acting member's scope: another station's claim is "no match"
    to a desk officer there (audited as a miss), while finance reads every station."""
    thorpe_wood, parkside = log(ctx), log(ctx, station="PK")
    parkside_desk = as_staff(ctx, "3001", station="PK")
    assert claim_status(parkside_desk, parkside, "CB1 1JG").reference == parkside
    before = audit_count(ctx)
    with pytest.raises(Refused) as refused:
        claim_status(parkside_desk, thorpe_wood, "CB1 1JG")
    assert str(refused.value) == NO_MATCH and audit_count(ctx) == before + 1  # the member's first miss this hour
    assert claim_status(finance(ctx), thorpe_wood, "CB1 1JG").reference == thorpe_wood


def test_claims_missing_payment_reads_within_the_scope_given(ctx):
    thorpe_wood, parkside = log(ctx, bank=False), log(ctx, bank=False, station="PK")
    assert [c.reference for c in missing_payment(ctx, PAYMENT_EDITABLE)] == sorted([thorpe_wood, parkside])
    assert db.run(ctx.url, lambda conn: claims_missing_payment(conn, Scope.of_stations(["PK"]), PAYMENT_EDITABLE),
                  write=False) == [PaymentGap(parkside, ("no sort code", "no account number",
                                                                   "no account name"))]


def test_admins_cannot_look_claims_up(ctx):
    reference = log(ctx)
    with pytest.raises(Forbidden, match="claims status needs"):
        claim_status(as_staff(ctx, "1"), reference, "CB1 1JG")


# --- the audit log, readable -----------------------------------------------------------------------

def test_audit_history_shows_staff_numbers_pounds_and_local_times(ctx, tmp_path):
    reference = log(ctx)
    approve_claim(finance(ctx), reference)
    export_claims(finance(ctx), tmp_path / "b.csv")
    events = {e["action"]: e for e in history(manager(ctx), reference)}
    approved = events["claim.approved"]
    assert approved["staff"] == "4001" and approved["entity"] == f"surrender {reference}"
    assert approved["detail"]["changed"]["decided_by"] == [None, "4001"]
    assert approved["detail"]["changed"]["decided_at"] == [None, "2024-09-10T14:00:00+01:00"]
    assert approved["at"] == "2024-09-10T14:00:00+01:00"
    assert events["surrender.logged"]["detail"]["claim"]["payable"] == "30.00"
    assert events["claims.exported"]["detail"]["total"] == "30.00"
    assert "total £30.00" in events["claims.exported"]["summary"]
    assert "decided_by - → 4001" in approved["summary"] and "10 Sep 2024 14:00 BST" in approved["summary"]
    stored = json.loads(db.run(ctx.url, lambda s: s.execute(
        select(AuditEvent.detail).where(AuditEvent.action == "claims.exported")).scalar_one(), write=False))
    assert stored["total"] == 3000  # the chain itself keeps pence: the hash covers it unchanged
