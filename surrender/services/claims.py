"""Claim review (approve/reject, manager sign-off of flagged claims), payment details added
after the desk, and listing and finding claims. Past batches are in `services.batches`;
"where is my money?" in `services.claim_status`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, and_, func, or_, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from surrender import tables
from surrender.errors import Refused
from surrender.rules import claimant as claimant_rules
from surrender.rules.claimant import payment_gaps
from surrender.rules.lifecycle import (
    PAYMENT_EDITABLE,
    STATUSES,
    ClaimStatus,
    Step,
    can,
    four_eyes,
    require_reason,
    transition,
)
from surrender.rules.masking import mask_name
from surrender.rules.money import format_gbp
from surrender.rules.patterns import check_reason
from surrender.rules.permissions import sees_personal_data
from surrender.services import audit
from surrender.services.audit import private
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.modulus import tables_in
from surrender.services.patterns import flag_patterns
from surrender.store import audit_log
from surrender.store import claims as store
from surrender.store.patterns import has_flag_sql
from surrender.store.scope import Scope
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender, void_mark

claim_t, claimant_t = tables.claim, tables.claimant
surrender_c, claim_c, claimant_c = tables.surrender.c, claim_t.c, claimant_t.c


def _claim_for(conn: Connection, surrender: Row) -> Row:
    """The surrender's claim, row-locked; the void mark is read again after the lock, so a void
    committed by another terminal meanwhile is seen."""
    claim = store.claim_of(conn, surrender.id, lock=True)
    if claim is None:
        raise Refused(f"{surrender.reference} has no compensation claim (anonymous or --no-claim)")
    void = void_mark(conn, surrender.id)
    if void.voided_at is not None:
        raise Refused(f"{surrender.reference} is void ({void.void_reason}): its claim cannot change")
    return claim


def _find(conn: Connection, staff: Row, reference: str) -> tuple[Row, Row]:
    """The surrender (within what `staff` may read) and its locked, live claim."""
    surrender = find_surrender(conn, reference, scope_of(conn, staff))
    return surrender, _claim_for(conn, surrender)


def _change(conn: Connection, ctx: Context, staff: Row, surrender: Row, claim: Row, action: str, values: dict) -> None:
    before = {k: getattr(claim, k) for k in values}
    conn.execute(update(claim_t).where(claim_c.id == claim.id).values(**values))
    salt = audit_log.salt_of(conn, surrender.id)
    changed = {k: [private(k, before[k], salt), private(k, v, salt)] for k, v in values.items() if before[k] != v}
    audit.record(
        conn,
        ctx.now(),
        staff.id,
        action,
        "surrender",
        surrender.id,
        {"reference": surrender.reference, "changed": changed},
        fields=[f"claim.{k}" for k in values],
    )


def approve_claim(ctx: Context, reference: str, note: str | None = None) -> str:
    """Finance approves a pending claim; a flagged one needs a manager's approval first.

    A manager's approval of a flagged claim is the sign-off; the claim stays pending for finance.
    Returns what happened, for the user.
    """

    def work(conn: Connection, staff: Row) -> str:
        surrender, claim = _find(conn, staff, reference)
        now = ctx.now()
        if staff.role == "manager":
            if not claim.flagged:
                raise Refused(f"{surrender.reference}'s claim is not flagged: finance approves it without a manager")
            if not can(Step.MANAGER_SIGN_OFF, claim.status):
                raise Refused(
                    f"{surrender.reference}'s claim is {claim.status}: a manager signs off only pending claims"
                )
            if claim.manager_approved_at is not None:
                raise Refused(f"{surrender.reference}'s claim already has a manager's approval")
            transition(Step.MANAGER_SIGN_OFF, claim.status, surrender.reference)  # the claim stays pending
            _change(
                conn,
                ctx,
                staff,
                surrender,
                claim,
                "claim.manager_approved",
                {"manager_approved_by": staff.id, "manager_approved_at": now},
            )
            return f"{surrender.reference}: manager approval recorded; finance can now approve it"
        status = transition(Step.APPROVE, claim.status, surrender.reference)
        four_eyes(staff.id, {surrender.reference: audit_log.changed_bank_since_approval(conn, surrender.id)}, "approve")
        if claim.flagged and claim.manager_approved_at is None:
            raise Refused(f"{surrender.reference}'s claim is flagged for review and needs a manager's approval first")
        _change(
            conn,
            ctx,
            staff,
            surrender,
            claim,
            "claim.approved",
            {"status": status, "decided_by": staff.id, "decided_at": now, "decision_note": note},
        )
        return f"{surrender.reference}: approved, {format_gbp(claim.payable_pence)} payable"

    return perform(ctx, "claims.approve", work)


def reject_claim(ctx: Context, reference: str, reason: str) -> str:
    reason = require_reason(reason, "rejecting")

    def work(conn: Connection, staff: Row) -> str:
        surrender, claim = _find(conn, staff, reference)
        status = transition(Step.REJECT, claim.status, surrender.reference)
        _change(
            conn,
            ctx,
            staff,
            surrender,
            claim,
            "claim.rejected",
            {"status": status, "decided_by": staff.id, "decided_at": ctx.now(), "decision_note": reason},
        )
        return f"{surrender.reference}: rejected ({reason})"

    return perform(ctx, "claims.reject", work)


@dataclass(frozen=True)
class PaymentGap:
    """A live claim that cannot be paid yet, and what it lacks ("no sort code", ...)."""

    reference: str
    missing: tuple[str, ...]


def claims_missing_payment(
    conn: Connection, scope: Scope, statuses: frozenset[ClaimStatus] = store.EXPORTABLE
) -> list[PaymentGap]:
    """Live, unexported claims in `statuses` (by default what an export would take) that lack
    payment details, oldest reference first. Runs in the caller's transaction."""

    def gaps(r: Row) -> tuple[str, ...]:
        if r.claimant_id is None or r.purged_at is not None:
            return tuple(payment_gaps(None, None, None))
        return tuple(payment_gaps(r.sort_code, r.account_number, r.account_name))

    rows = conn.execute(store.unexported(scope, statuses).where(store.lacks_payment_sql()))
    return [PaymentGap(r.reference, gaps(r)) for r in rows]


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
        raise Refused(
            "nothing to set: give --sort-code, --account-number, --account-name, --phone, --email, "
            "--address or --postcode"
        )
    values = {k: _NORMALISE[k](v) for k, v in given.items()}  # refuses malformed input before any I/O

    def work(conn: Connection, staff: Row) -> str:
        surrender, claim = _find(conn, staff, reference)
        if claim.status not in PAYMENT_EDITABLE:
            raise Refused(
                f"{surrender.reference}'s claim is {claim.status}: payment details change only while "
                "it is pending or approved"
            )
        person = conn.execute(
            claimant_t.select().where(claimant_c.id == surrender.claimant_id).with_for_update()
        ).one_or_none()
        if person is None or person.purged_at is not None:
            raise Refused(f"{surrender.reference}: the claimant's details were purged")
        after = {**{k: getattr(person, k) for k in ("sort_code", "account_number")}, **values}
        if bool(after["sort_code"]) != bool(after["account_number"]):
            raise Refused("bank details need both --sort-code and --account-number")
        if {"sort_code", "account_number"} & set(values):  # issue 17: the pair as banks check it (the CLI warns)
            from surrender.services.modulus import check_pair_in

            check_pair_in(conn, after["sort_code"], after["account_number"])
        if after["sort_code"] and not (values.get("account_name") or person.account_name):
            values["account_name"] = person.name  # as at the desk: the account is the claimant's own
        changed = sorted(k for k, v in values.items() if getattr(person, k) != v)
        if changed:
            conn.execute(update(claimant_t).where(claimant_c.id == person.id).values(**{k: values[k] for k in changed}))
        for action, fields in (
            ("claim.payment_details_set", BANK_FIELDS),
            ("claim.contact_details_set", CONTACT_FIELDS),
        ):
            mine = [k for k in changed if k in fields]
            if mine:  # one event per part of the record it changes: bank details, contact details
                audit.record(
                    conn,
                    ctx.now(),
                    staff.id,
                    action,
                    "surrender",
                    surrender.id,
                    {"reference": surrender.reference, "fields_changed": mine},
                    fields=[f"claimant.{k}" for k in mine],
                )
        sent_back = claim.status == ClaimStatus.APPROVED and bool(set(changed) & set(BANK_FIELDS))
        if sent_back:  # four eyes: new bank details after approval are approved again by someone else
            _change(
                conn,
                ctx,
                staff,
                surrender,
                claim,
                "claim.sent_back",
                {"status": transition(Step.SEND_BACK, claim.status)},
            )
        if {"sort_code", "account_number"} & set(changed):  # issue 17: a shared account is flagged now
            flag_patterns(conn, surrender.id, ctx.now(), staff.id, stations=False, audited=True)
        now_held = {**{k: getattr(person, k) for k in ("sort_code", "account_number", "account_name")}, **values}
        missing = payment_gaps(now_held["sort_code"], now_held["account_number"], now_held["account_name"])
        done = f"{surrender.reference}: " + (
            f"updated {', '.join(f.replace('_', ' ') for f in changed)}" if changed else "nothing changed"
        )
        done += "; back to pending: someone else must approve it again" if sent_back else ""
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
    needs_payment: bool = False  # pending or approved, live, lacking bank details or failing the modulus check
    search: str | None = None  # name, business or postcode, any case
    flag: str | None = None  # a pattern's reason word (rules.patterns.REASONS)


@dataclass(frozen=True)
class ClaimRow:
    """One claim as `claims list` shows it; the CLI formats it."""

    reference: str
    station: str
    surrendered_on: dt.date  # the local day
    surrendered_at: dt.datetime
    status: ClaimStatus
    void: bool
    items: int
    claimed_pence: int
    payable_pence: int  # effective: 0 once rejected, not payable or void
    flagged: bool
    flags: tuple[str, ...]
    manager_approved_at: dt.datetime | None
    batch: int | None
    bank_details: bool  # complete enough to be paid, and passing the modulus check
    claimant: str | None  # as this reader may see it: masked for managers, a placeholder once purged
    business: str | None


PURGED = "(personal data purged)"


def _search_sql(text: str) -> ColumnElement[bool]:
    term = " ".join(text.split()).lower()
    squeezed = term.replace(" ", "")
    return and_(
        claimant_c.purged_at.is_(None),
        or_(
            func.lower(claimant_c.name).contains(term, autoescape=True),
            func.lower(func.coalesce(claimant_c.business_name, "")).contains(term, autoescape=True),
            func.replace(func.lower(claimant_c.postcode), " ", "").contains(squeezed, autoescape=True),
        ),
    )


def _filtered(scope: Scope, where: ClaimFilter) -> Select[Any]:
    """The claim rows `where` asks for, oldest first; every filter in SQL."""
    query = store.claim_rows(
        scope, True, claimant_c.sort_code, claimant_c.account_number, claimant_c.account_name
    ).order_by(surrender_c.surrendered_at, surrender_c.reference)
    if where.status:
        query = query.where(claim_c.status == ClaimStatus(where.status))
    if where.station:
        query = query.where(surrender_c.station_code == where.station.strip().upper())
    if where.date_from:
        query = query.where(surrender_c.surrendered_on >= where.date_from)
    if where.date_to:
        query = query.where(surrender_c.surrendered_on <= where.date_to)
    if where.flagged is not None:
        query = query.where(claim_c.flagged == where.flagged)
    if where.campaign:
        query = query.where(surrender_c.campaign_code == where.campaign)
    if where.awaiting_manager:
        query = query.where(
            claim_c.flagged.is_(True),
            claim_c.status == ClaimStatus.PENDING,
            claim_c.manager_approved_at.is_(None),
            surrender_c.voided_at.is_(None),
        )
    if where.needs_payment:  # lacking details here; a pair failing the modulus check is kept in list_claims
        query = query.where(
            claim_c.status.in_(sorted(PAYMENT_EDITABLE)),
            surrender_c.voided_at.is_(None),
            or_(store.lacks_payment_sql(), claimant_c.sort_code.is_not(None)),
        )
    if where.flag:
        query = query.where(has_flag_sql(where.flag))
    if where.search:
        query = query.where(_search_sql(where.search))
    return query


def list_claims(ctx: Context, where: ClaimFilter) -> list[ClaimRow]:
    """Claims with what finance decides on, oldest first, within what the reader may see.

    Finance sees claimant names and business names as typed (and searches them); managers see
    them masked, though `search` still matches the real text.
    """
    if where.status and where.status not in STATUSES:
        raise Refused(f"status {where.status!r} is not one of {', '.join(STATUSES)}")
    if where.date_from and where.date_to and where.date_from > where.date_to:
        raise Refused("--from is after --to")
    if where.search is not None and not where.search.strip():
        raise Refused("--search needs some text: part of a name, business or postcode")
    if where.flag is not None:
        where = replace(where, flag=check_reason(where.flag))

    def work(conn: Connection, reader: Row) -> list[ClaimRow]:
        reveal = sees_personal_data(reader.role, "claims.list")

        modulus = tables_in(conn)

        def bank_details(r: Row) -> bool:
            return not r.lacks_payment and not payment_gaps(r.sort_code, r.account_number, r.account_name, modulus)

        def who(r: Row) -> str | None:
            if r.purged_at is not None:
                return PURGED
            return r.name if reveal else mask_name(r.name)

        return [
            ClaimRow(
                reference=r.reference,
                station=r.station_code,
                surrendered_on=r.surrendered_on,
                surrendered_at=r.surrendered_at,
                status=ClaimStatus(r.status),
                void=r.voided_at is not None,
                items=r.item_count,
                claimed_pence=r.claimed_pence,
                payable_pence=r.effective_payable,
                flagged=bool(r.flagged),
                flags=tuple(json.loads(r.flags)),
                manager_approved_at=r.manager_approved_at,
                batch=r.batch_number,
                bank_details=bank_details(r),
                claimant=who(r),
                business=None if r.purged_at else r.business_name,
            )
            for r in conn.execute(_filtered(scope_of(conn, reader), where))
            if not where.needs_payment or not bank_details(r)
        ]

    return perform(ctx, "claims.list", work, write=False)
