"""Claim review (approve/reject, manager sign-off of flagged claims), payment details added
after the desk, and listing and finding claims. Past batches are in `services.batches`;
"where is my money?" in `services.claim_status`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import json

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from surrender.clock import iso
from surrender.errors import Refused
from surrender.models import Claim, Claimant, Staff, Surrender
from surrender.rules import claimant as claimant_rules
from surrender.rules.claimant import payment_gaps
from surrender.rules.lifecycle import PAYMENT_EDITABLE, STATUSES, UNPAID_STATUSES, Step, require_reason, transition
from surrender.rules.masking import mask_name
from surrender.rules.permissions import sees_personal_data
from surrender.rules.money import format_gbp, format_pence
from surrender.services import audit
from surrender.services.audit import private
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.reading import find_surrender


def _claim_for(session: Session, surrender: Surrender) -> Claim:
    """The surrender's claim, row-locked; the void mark is read after the lock, so a void
    committed by another terminal meanwhile is seen."""
    claim = session.execute(select(Claim).where(Claim.surrender_id == surrender.id).with_for_update()).scalar_one_or_none()
    if claim is None:
        raise Refused(f"{surrender.reference} has no compensation claim (anonymous or --no-claim)")
    session.refresh(surrender, ["voided_at", "void_reason"])
    if surrender.voided_at is not None:
        raise Refused(f"{surrender.reference} is void ({surrender.void_reason}): its claim cannot change")
    return claim


def _change(session: Session, ctx: Context, staff: Staff, surrender: Surrender, claim: Claim,
            action: str, values: dict) -> None:
    before = {k: getattr(claim, k) for k in values}
    session.execute(update(Claim).where(Claim.id == claim.id).values(**values))
    changed = {k: [private(k, before[k]), private(k, v)] for k, v in values.items() if before[k] != v}
    audit.record(session, ctx.now(), staff.id, action, "surrender", surrender.id,
                 {"reference": surrender.reference, "changed": changed})


def approve_claim(ctx: Context, reference: str, note: str | None = None) -> str:
    """Finance approves a pending claim; a flagged one needs a manager's approval first.

    A manager's approval of a flagged claim is the sign-off; the claim stays pending for finance.
    Returns what happened, for the user.
    """
    def work(session: Session, staff: Staff) -> str:
        surrender = find_surrender(session, reference)
        claim = _claim_for(session, surrender)
        now = ctx.now()
        if staff.role == "manager":
            if not claim.flagged:
                raise Refused(f"{surrender.reference}'s claim is not flagged: finance approves it without a manager")
            if claim.status != "pending":
                raise Refused(f"{surrender.reference}'s claim is {claim.status}: a manager signs off only pending claims")
            if claim.manager_approved_at is not None:
                raise Refused(f"{surrender.reference}'s claim already has a manager's approval")
            _change(session, ctx, staff, surrender, claim, "claim.manager_approved",
                    {"manager_approved_by": staff.id, "manager_approved_at": now})
            return f"{surrender.reference}: manager approval recorded; finance can now approve it"
        status = transition(Step.APPROVE, claim.status, surrender.reference)
        if claim.flagged and claim.manager_approved_at is None:
            raise Refused(f"{surrender.reference}'s claim is flagged for review and needs a manager's approval first")
        _change(session, ctx, staff, surrender, claim, "claim.approved",
                {"status": status, "decided_by": staff.id, "decided_at": now, "decision_note": note})
        return f"{surrender.reference}: approved, {format_gbp(claim.payable_pence)} payable"

    return perform(ctx, "claims.approve", work)


def reject_claim(ctx: Context, reference: str, reason: str) -> str:
    reason = require_reason(reason, "rejecting")

    def work(session: Session, staff: Staff) -> str:
        surrender = find_surrender(session, reference)
        claim = _claim_for(session, surrender)
        status = transition(Step.REJECT, claim.status, surrender.reference)
        _change(session, ctx, staff, surrender, claim, "claim.rejected",
                {"status": status, "decided_by": staff.id, "decided_at": ctx.now(), "decision_note": reason})
        return f"{surrender.reference}: rejected ({reason})"

    return perform(ctx, "claims.reject", work)


def payable_sql():
    """`rules.lifecycle.effective_payable` as SQL, for filtering and sums done in the database."""
    return case((Surrender.voided_at.is_not(None) | Claim.status.in_(sorted(UNPAID_STATUSES)), 0),
                else_=Claim.payable_pence)


def _blank(column):
    return column.is_(None) | (func.trim(column) == "")


def lacks_payment_sql():
    """True when a claim cannot be paid for want of details (`rules.claimant.payment_gaps`):
    no claimant row, a purged one, or a sort code, account number or account name missing.
    Needs `Claimant` outer-joined on `Surrender.claimant_id`."""
    return or_(Claimant.id.is_(None), Claimant.purged_at.is_not(None), _blank(Claimant.sort_code),
               _blank(Claimant.account_number), _blank(Claimant.account_name))


def claims_missing_payment(session: Session, statuses: tuple[str, ...] = ("approved",)) -> list[dict]:
    """Live claims in `statuses` (approved: what an export would take) that lack payment
    details, oldest reference first: `[{"reference": ..., "missing": ["no sort code", ...]}]`.
    Runs in the caller's transaction, so `claims export` can hold these back."""
    query = (select(Surrender.reference, Claimant.sort_code, Claimant.account_number, Claimant.account_name,
                    Claimant.purged_at, Claimant.id.label("claimant_id"))
             .join(Claim, Claim.surrender_id == Surrender.id)
             .outerjoin(Claimant, Claimant.id == Surrender.claimant_id)
             .where(Claim.status.in_(statuses), Claim.batch_id.is_(None), Surrender.voided_at.is_(None),
                    lacks_payment_sql())
             .order_by(Surrender.reference))
    return [{"reference": r.reference,
             "missing": payment_gaps(None, None, None) if r.claimant_id is None or r.purged_at is not None
             else payment_gaps(r.sort_code, r.account_number, r.account_name)}
            for r in session.execute(query)]


# --- payment and contact details after the desk ------------------------------------------------

@dataclass(frozen=True)
class PaymentDetails:
    """What finance typed; None means "leave as it is"."""

    sort_code: str | None = None
    account_number: str | None = None
    account_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    postcode: str | None = None


BANK_FIELDS = frozenset({"sort_code", "account_number", "account_name"})
CONTACT_FIELDS = frozenset({"phone", "email", "address", "postcode"})
_NORMALISE = {
    "sort_code": claimant_rules.normalise_sort_code,
    "account_number": claimant_rules.normalise_account_number,
    "account_name": claimant_rules.normalise_account_name,
    "phone": claimant_rules.check_phone,
    "email": claimant_rules.check_email,
    "address": claimant_rules.normalise_address,
    "postcode": claimant_rules.normalise_postcode,
}


def set_payment(ctx: Context, reference: str, details: PaymentDetails) -> str:
    """Finance completes or corrects a claimant's bank and contact details before export.

    Refused once the claim is exported, paid, rejected, not payable or void (the money has gone,
    or never will). Audited as `claim.payment_details_set` (bank fields) and/or
    `claim.contact_details_set` (contact fields), naming the fields changed, never their values;
    nothing changed, nothing written.
    """
    given = {k: v for k, v in vars(details).items() if v is not None}
    if not given:
        raise Refused("nothing to set: give --sort-code, --account-number, --account-name, --phone, --email, "
                      "--address or --postcode")
    values = {k: _NORMALISE[k](v) for k, v in given.items()}  # refuses malformed input before any I/O

    def work(session: Session, staff: Staff) -> str:
        surrender = find_surrender(session, reference)
        claim = _claim_for(session, surrender)
        if claim.status not in PAYMENT_EDITABLE:
            raise Refused(f"{surrender.reference}'s claim is {claim.status}: payment details change only while "
                          "it is pending or approved")
        person = session.execute(select(Claimant).where(Claimant.id == surrender.claimant_id)
                                 .with_for_update()).scalar_one_or_none()
        if person is None or person.purged_at is not None:
            raise Refused(f"{surrender.reference}: the claimant's details were purged")
        after = {**{k: getattr(person, k) for k in ("sort_code", "account_number")}, **values}
        if bool(after["sort_code"]) != bool(after["account_number"]):
            raise Refused("bank details need both --sort-code and --account-number")
        if {"sort_code", "account_number"} & set(values):  # issue 17: the pair as banks check it (the CLI warns)
            from surrender.db import connection_of
            from surrender.services.modulus import check_pair_in

            check_pair_in(connection_of(session), after["sort_code"], after["account_number"])
        if after["sort_code"] and not (values.get("account_name") or person.account_name):
            values["account_name"] = person.name  # as at the desk: the account is the claimant's own
        changed = sorted(k for k, v in values.items() if getattr(person, k) != v)
        if changed:
            session.execute(update(Claimant).where(Claimant.id == person.id).values(
                **{k: values[k] for k in changed}))
        for action, fields in (("claim.payment_details_set", BANK_FIELDS), ("claim.contact_details_set",
                                                                            CONTACT_FIELDS)):
            mine = [k for k in changed if k in fields]
            if mine:  # one event per part of the record it changes: bank details, contact details
                audit.record(session, ctx.now(), staff.id, action, "surrender", surrender.id,
                             {"reference": surrender.reference, "fields_changed": mine})
        now_held = {**{k: getattr(person, k) for k in ("sort_code", "account_number", "account_name")}, **values}
        missing = payment_gaps(now_held["sort_code"], now_held["account_number"], now_held["account_name"])
        done = f"{surrender.reference}: " + (f"updated {', '.join(f.replace('_', ' ') for f in changed)}"
                                              if changed else "nothing changed")
        return done + (f"; still cannot be paid: {', '.join(missing)}" if missing else "; payment details complete")

    return perform(ctx, "claims.set_payment", work)


# --- listing and finding -----------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimFilter:
    status: str | None = None
    station: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    flagged: bool | None = None
    campaign: str | None = None
    awaiting_manager: bool = False  # flagged, pending, no manager approval yet
    needs_payment: bool = False  # pending or approved, live, lacking bank details
    search: str | None = None  # name, business or postcode, any case


def _search_sql(text: str):
    term = " ".join(text.split()).lower()
    squeezed = term.replace(" ", "")
    return and_(Claimant.purged_at.is_(None), or_(
        func.lower(Claimant.name).contains(term, autoescape=True),
        func.lower(func.coalesce(Claimant.business_name, "")).contains(term, autoescape=True),
        func.replace(func.lower(Claimant.postcode), " ", "").contains(squeezed, autoescape=True),
    ))


def _manager_approval(flagged: bool, approved_at) -> str:
    if approved_at is not None:
        return "approved"
    return "needed" if flagged else ""


def list_claims(ctx: Context, where: ClaimFilter) -> list[dict]:
    """Claims with what finance decides on, oldest first; every filter runs in SQL.

    Finance sees claimant names and business names as typed (and searches them); managers see
    them masked, though `search` still matches the real text.
    """
    if where.status and where.status not in STATUSES:
        raise Refused(f"status {where.status!r} is not one of {', '.join(STATUSES)}")
    if where.date_from and where.date_to and where.date_from > where.date_to:
        raise Refused("--from is after --to")
    if where.search is not None and not where.search.strip():
        raise Refused("--search needs some text: part of a name, business or postcode")

    def work(session: Session, reader: Staff) -> list[dict]:
        query = (select(Surrender.reference, Surrender.station_code, Surrender.surrendered_at,
                        Surrender.surrendered_on, Surrender.item_count, Surrender.voided_at, Claim.status,
                        Claim.claimed_pence, Claim.payable_pence, payable_sql().label("effective"), Claim.flags,
                        Claim.flagged, Claim.manager_approved_at, Claim.batch_id,
                        lacks_payment_sql().label("lacks_payment"), Claimant.name, Claimant.business_name,
                        Claimant.purged_at)
                 .join(Claim, Claim.surrender_id == Surrender.id)
                 .outerjoin(Claimant, Claimant.id == Surrender.claimant_id)
                 .order_by(Surrender.surrendered_at, Surrender.reference))
        if where.status:
            query = query.where(Claim.status == where.status)
        if where.station:
            query = query.where(Surrender.station_code == where.station.strip().upper())
        if where.date_from:
            query = query.where(Surrender.surrendered_on >= where.date_from)
        if where.date_to:
            query = query.where(Surrender.surrendered_on <= where.date_to)
        if where.flagged is not None:
            query = query.where(Claim.flagged == where.flagged)
        if where.campaign:
            query = query.where(Surrender.campaign_code == where.campaign)
        if where.awaiting_manager:
            query = query.where(Claim.flagged.is_(True), Claim.status == "pending",
                                Claim.manager_approved_at.is_(None), Surrender.voided_at.is_(None))
        if where.needs_payment:
            query = query.where(Claim.status.in_(sorted(PAYMENT_EDITABLE)), Surrender.voided_at.is_(None),
                                lacks_payment_sql())
        if where.search:
            query = query.where(_search_sql(where.search))
        reveal = sees_personal_data(reader.role, "claims.list")

        def who(name, purged):
            if purged is not None:
                return "(personal data purged)"
            return name if reveal else mask_name(name)

        return [{
            "reference": r.reference, "station": r.station_code, "date": r.surrendered_on.isoformat(),
            "surrendered_at": iso(r.surrendered_at), "status": r.status, "void": r.voided_at is not None,
            "items": r.item_count, "claimed": format_pence(r.claimed_pence), "payable": format_pence(r.effective),
            "flagged": r.flagged, "flags": json.loads(r.flags),
            "manager_approval": _manager_approval(r.flagged, r.manager_approved_at),
            "batch": r.batch_id, "bank_details": not r.lacks_payment,
            "claimant": who(r.name, r.purged_at), "business": None if r.purged_at else r.business_name,
        } for r in session.execute(query)]

    return perform(ctx, "claims.list", work, write=False)
