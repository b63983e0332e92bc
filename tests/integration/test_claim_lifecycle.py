"""The claim lifecycle (SPEC 4) through the services, on SQLite and PostgreSQL.

pending -> approved | rejected -> exported (one batch) -> paid; not_payable from the start;
flagged claims need a manager's sign-off before finance approves; void claims never move.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from stdnum.iso7064 import mod_37_36

from surrender import db
from surrender.errors import NotFound, Refused
from surrender.models import Claim, ExportBatch, Surrender
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.claims import approve_claim, reject_claim
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.reading import show_surrender
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import as_staff

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
THREE = f"{KNIFE}:qty=3"

def claimant():
    return make_claimant("Jane Smith", "1 High Street, Cambridge", "CB1 1JG",
                         sort_code="12-34-56", account_number="12345678")


def log(ctx, *specs: str, **kw):
    kw.setdefault("claimant", None if kw.get("anonymous") else claimant())
    kw.setdefault("declared", not (kw.get("anonymous") or kw.get("no_claim")))
    return log_surrender(ctx, LogRequest(items=[item_from_spec(s) for s in specs], **kw))


def finance(ctx):
    return as_staff(ctx, "4001")


def manager(ctx):
    return as_staff(ctx, "5001")


def status_of(ctx, reference: str) -> str:
    return db.run(ctx.url, lambda s: s.execute(
        select(Claim.status).join(Surrender, Surrender.id == Claim.surrender_id)
        .where(Surrender.reference == reference)).scalar_one(), write=False)


def remittance(path: Path, lines: list[tuple[str, str]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "amount"])
        writer.writerows(lines)
    return path


def export(ctx, tmp_path, name="batch.csv"):
    return export_claims(finance(ctx), tmp_path / name)


def claim_in(ctx, tmp_path, state: str) -> str:
    """A fresh claim driven to `state` through the services; returns its reference."""
    if state == "not_payable":
        return log(ctx, KNIFE).reference  # one standard item: under the £30 minimum
    reference = log(ctx, THREE).reference
    if state == "pending":
        return reference
    if state == "rejected":
        reject_claim(finance(ctx), reference, "declaration withdrawn")
        return reference
    approve_claim(finance(ctx), reference)
    if state == "approved":
        return reference
    export(ctx, tmp_path, f"{reference}.csv")
    if state == "exported":
        return reference
    mark_paid(finance(ctx), remittance(tmp_path / f"{reference}-paid.csv", [(reference, "30.00")]))
    assert state == "paid"
    return reference


# --- the allowed steps ---------------------------------------------------------------------

def test_finance_approves_a_pending_claim_and_is_told_what_is_payable(ctx):
    reference = log(ctx, THREE).reference
    message = approve_claim(finance(ctx), reference, note="receipt checked")
    assert "approved" in message and "£30.00 payable" in message
    claim = show_surrender(ctx, reference).claim
    assert claim.status == "approved" and claim.decision_note == "receipt checked"


def test_finance_rejects_a_pending_claim_and_the_reason_is_kept(ctx):
    reference = log(ctx, THREE).reference
    assert "rejected" in reject_claim(finance(ctx), reference, "  declaration   withdrawn ")
    claim = show_surrender(ctx, reference).claim
    assert claim.status == "rejected" and claim.decision_note == "declaration withdrawn"


def test_an_approved_claim_is_exported_into_a_batch_and_then_marked_paid(ctx, tmp_path):
    reference = claim_in(ctx, tmp_path, "approved")
    result = export(ctx, tmp_path)
    assert result.batch == 1 and [r.reference for r in result.rows] == [reference]
    assert status_of(ctx, reference) == "exported"
    assert show_surrender(ctx, reference).claim.batch_id == 1
    paid = mark_paid(finance(ctx), remittance(tmp_path / "paid.csv", [(reference, "30.00")]))
    assert (paid.count, paid.total_pence, paid.batches) == (1, 3000, [1])
    assert status_of(ctx, reference) == "paid"


def test_the_manager_may_also_reject_a_pending_claim(ctx):
    reference = log(ctx, THREE).reference
    reject_claim(manager(ctx), reference, "not the owner")
    assert status_of(ctx, reference) == "rejected"


# --- forbidden steps, each refused naming the current state ---------------------------------

PAST = {"approve": "approved", "reject": "rejected"}


@pytest.mark.parametrize("state", ["approved", "rejected", "exported", "paid", "not_payable"])
def test_only_a_pending_claim_can_be_approved_or_rejected(ctx, tmp_path, state):
    reference = claim_in(ctx, tmp_path, state)
    assert status_of(ctx, reference) == state
    for step, act in (("approve", lambda: approve_claim(finance(ctx), reference)),
                      ("reject", lambda: reject_claim(finance(ctx), reference, "second thoughts"))):
        with pytest.raises(Refused, match=f"claim is {state}: only a pending claim can be {PAST[step]}"):
            act()
    assert status_of(ctx, reference) == state


@pytest.mark.parametrize("state", ["exported", "paid"])
def test_an_exported_claim_is_never_exported_again(ctx, tmp_path, state):
    reference = claim_in(ctx, tmp_path, state)
    with pytest.raises(Refused, match="no approved claims are waiting for export"):
        export(ctx, tmp_path, "again.csv")
    assert status_of(ctx, reference) == state
    assert db.run(ctx.url, lambda s: s.execute(select(ExportBatch.id)).scalars().all(), write=False) == [1]


def test_a_claim_that_was_never_exported_cannot_be_marked_paid_whatever_its_state(ctx, tmp_path):
    for state in ("pending", "approved", "rejected", "not_payable"):
        reference = claim_in(ctx, tmp_path, state)
        amount = "10.00" if state == "not_payable" else "30.00"
        with pytest.raises(Refused, match=f"{reference}'s claim is {state}, not exported"):
            mark_paid(finance(ctx), remittance(tmp_path / f"{state}.csv", [(reference, amount)]))
        assert status_of(ctx, reference) == state


def test_a_claim_is_never_paid_twice(ctx, tmp_path):
    reference = claim_in(ctx, tmp_path, "paid")
    with pytest.raises(Refused, match=f"{reference} is already paid"):
        mark_paid(finance(ctx), remittance(tmp_path / "again.csv", [(reference, "30.00")]))


def test_rejecting_needs_a_reason(ctx):
    reference = log(ctx, THREE).reference
    for reason in ("", "   ", "\t\n", None):
        with pytest.raises(Refused, match="rejecting needs a --reason"):
            reject_claim(finance(ctx), reference, reason)
    assert status_of(ctx, reference) == "pending"


def test_approving_an_unknown_reference_is_refused_as_not_found(ctx):
    reference = log(ctx, THREE).reference
    other = reference[:7] + "000099-"
    other += mod_37_36.calc_check_digit(other.replace("-", ""))
    with pytest.raises(NotFound, match="no surrender with reference"):
        approve_claim(finance(ctx), other)


# --- flagged claims: a manager signs off before finance approves ----------------------------

FLAGGED = {
    "21 items by quantity": f"{KNIFE}:qty=21",
    "one item over £100 with a receipt": f"{KNIFE}:value=150:evidence=receipt",
    "one item at £100.01 with an invoice": f"{KNIFE}:value=100.01:evidence=invoice",
    "a claim over £500": f"{KNIFE}:value=90:evidence=bank-statement:qty=6",
}
NOT_FLAGGED = {
    "20 items": f"{KNIFE}:qty=20",
    "one item at exactly £100 with a receipt": f"{KNIFE}:value=100:evidence=receipt",
    "£150 claimed without evidence": f"{KNIFE}:value=150:qty=3",
    "£150 claimed with 'other' evidence": f"{KNIFE}:value=150:evidence=other:qty=3",
    "a claim of exactly £500": f"{KNIFE}:value=100:evidence=receipt:qty=5",
}


@pytest.mark.parametrize("spec", FLAGGED.values(), ids=FLAGGED.keys())
def test_a_flagged_claim_needs_a_managers_approval_before_finance_can_approve(ctx, spec):
    view = log(ctx, spec)
    assert view.claim.status == "pending" and view.claim.flags
    with pytest.raises(Refused, match="flagged for review and needs a manager's approval first"):
        approve_claim(finance(ctx), view.reference)
    assert status_of(ctx, view.reference) == "pending"
    message = approve_claim(manager(ctx), view.reference, note="seen the receipt")
    assert "manager approval recorded" in message
    signed = show_surrender(ctx, view.reference).claim
    assert signed.status == "pending" and signed.manager_approved
    approve_claim(finance(ctx), view.reference)
    assert status_of(ctx, view.reference) == "approved"


@pytest.mark.parametrize("spec", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_an_unflagged_claim_is_approved_by_finance_and_a_manager_cannot_approve_it(ctx, spec):
    view = log(ctx, spec)
    assert view.claim.status == "pending" and view.claim.flags == []
    with pytest.raises(Refused, match="is not flagged: finance approves it without a manager"):
        approve_claim(manager(ctx), view.reference)
    assert status_of(ctx, view.reference) == "pending"
    approve_claim(finance(ctx), view.reference)
    assert status_of(ctx, view.reference) == "approved"


def test_a_manager_signs_off_a_flagged_claim_only_once(ctx):
    reference = log(ctx, FLAGGED["21 items by quantity"]).reference
    approve_claim(manager(ctx), reference)
    with pytest.raises(Refused, match="already has a manager's approval"):
        approve_claim(manager(ctx), reference)


def test_a_manager_cannot_sign_off_a_flagged_claim_already_decided(ctx):
    approved = log(ctx, FLAGGED["21 items by quantity"]).reference
    approve_claim(manager(ctx), approved)
    approve_claim(finance(ctx), approved)
    rejected = log(ctx, FLAGGED["21 items by quantity"]).reference
    reject_claim(finance(ctx), rejected, "stolen stock")
    for reference, decision in ((approved, "approved"), (rejected, "rejected")):
        with pytest.raises(Refused, match=f"claim is {decision}: a manager signs off only pending claims"):
            approve_claim(manager(ctx), reference)


def test_a_flagged_claim_can_be_rejected_without_a_managers_sign_off(ctx):
    reference = log(ctx, FLAGGED["a claim over £500"]).reference
    reject_claim(finance(ctx), reference, "receipts look forged")
    assert status_of(ctx, reference) == "rejected"


# --- no claim at all -------------------------------------------------------------------------

def decisions(ctx, reference):
    """Every way of deciding a claim, by name."""
    return {
        "approve": lambda: approve_claim(finance(ctx), reference),
        "reject": lambda: reject_claim(finance(ctx), reference, "no"),
        "manager sign-off": lambda: approve_claim(manager(ctx), reference),
    }


@pytest.mark.parametrize("kind", ["anonymous", "no_claim"])
def test_anonymous_and_no_claim_surrenders_have_no_claim_to_decide(ctx, kind):
    reference = log(ctx, THREE, **{kind: True}).reference
    for _step, act in decisions(ctx, reference).items():
        with pytest.raises(Refused, match=f"{reference} has no compensation claim"):
            act()


# --- void ------------------------------------------------------------------------------------

def test_a_void_surrenders_claim_cannot_be_decided(ctx):
    reference = log(ctx, FLAGGED["21 items by quantity"]).reference
    void_surrender(manager(ctx), reference, "logged twice")
    for _step, act in decisions(ctx, reference).items():
        with pytest.raises(Refused, match=f"{reference} is void \\(logged twice\\): its claim cannot change"):
            act()
    assert status_of(ctx, reference) == "pending"


def test_a_claim_approved_then_voided_is_never_exported(ctx, tmp_path):
    voided = claim_in(ctx, tmp_path, "approved")
    kept = claim_in(ctx, tmp_path, "approved")
    void_surrender(manager(ctx), voided, "wrong claimant")
    result = export(ctx, tmp_path)
    assert [r.reference for r in result.rows] == [kept]
    assert status_of(ctx, voided) == "approved"  # never moves again
    with pytest.raises(Refused, match="no approved claims are waiting for export"):
        export(ctx, tmp_path, "again.csv")
    with pytest.raises(Refused, match=f"{voided}'s claim is approved, not exported"):
        mark_paid(finance(ctx), remittance(tmp_path / "r.csv", [(voided, "30.00")]))


def test_the_only_approved_claim_being_void_leaves_nothing_to_export(ctx, tmp_path):
    reference = claim_in(ctx, tmp_path, "approved")
    void_surrender(manager(ctx), reference, "duplicate")
    with pytest.raises(Refused, match="no approved claims are waiting for export"):
        export(ctx, tmp_path)
    assert not (tmp_path / "batch.csv").exists()


@pytest.mark.parametrize("state", ["exported", "paid"])
def test_voiding_a_surrender_whose_claim_was_exported_is_refused(ctx, tmp_path, state):
    reference = claim_in(ctx, tmp_path, state)
    with pytest.raises(Refused, match=f"claim is already {state} in batch 1: it cannot be voided now"):
        void_surrender(manager(ctx), reference, "too late")
    view = show_surrender(ctx, reference)
    assert view.voided_at is None and view.claim.status == state


def test_a_surrender_can_be_voided_before_export_but_only_once(ctx, tmp_path):
    for state in ("pending", "approved", "rejected", "not_payable"):
        reference = claim_in(ctx, tmp_path, state)
        view = void_surrender(manager(ctx), reference, "logged twice")
        assert view.voided_at is not None and view.claim.status == state
        with pytest.raises(Refused, match=f"{reference} is already void \\(logged twice\\)"):
            void_surrender(manager(ctx), reference, "again")
    anonymous = log(ctx, THREE, anonymous=True).reference
    assert void_surrender(manager(ctx), anonymous, "test entry").claim is None


def test_voiding_needs_a_reason(ctx):
    reference = log(ctx, THREE).reference
    for reason in ("", "  ", None):
        with pytest.raises(Refused, match="voiding needs a --reason"):
            void_surrender(manager(ctx), reference, reason)
    assert show_surrender(ctx, reference).voided_at is None
