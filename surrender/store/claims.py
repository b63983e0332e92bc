"""Claim queries: the one base query for claim rows (with their surrender and claimant), the
one SQL spelling of "effective payable", and the one of "cannot be paid for want of details".

`claims list`, `recent`, `report totals`, the report PDF, `claims status` and exports all start
from `base()` or `claim_rows()`, scoped by the reader's `Scope`, and add their own filters,
groups and order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from surrender import tables
from surrender.rules.lifecycle import STEPS, UNPAID_STATUSES, ClaimStatus, Step
from surrender.store.scope import Scope

surrender_c, claim_c, claimant_c = tables.surrender.c, tables.claim.c, tables.claimant.c


def effective_payable_sql() -> ColumnElement[int]:
    """`rules.lifecycle.effective_payable` as SQL: a void surrender's, rejected or not-payable
    claim pays 0. Tested equal to the Python function on every status, void or not."""
    return case(
        (surrender_c.voided_at.is_not(None) | claim_c.status.in_(sorted(UNPAID_STATUSES)), 0),
        else_=claim_c.payable_pence,
    )


def _blank(column: Any) -> ColumnElement[bool]:
    blank: ColumnElement[bool] = column.is_(None) | (func.trim(column) == "")
    return blank


def lacks_payment_sql() -> ColumnElement[bool]:
    """True when a claim cannot be paid for want of details (`rules.claimant.payment_gaps`):
    no claimant row, a purged one, or a sort code, account number or account name missing."""
    return or_(
        claimant_c.id.is_(None),
        claimant_c.purged_at.is_not(None),
        _blank(claimant_c.sort_code),
        _blank(claimant_c.account_number),
        _blank(claimant_c.account_name),
    )


def base(scope: Scope, claims_only: bool = True) -> Select[Any]:
    """FROM surrender JOIN claim (LEFT JOIN with `claims_only=False`: surrenders without a claim
    too) LEFT JOIN claimant, limited to what `scope` may read; no columns yet."""
    joined = tables.surrender.join(tables.claim, claim_c.surrender_id == surrender_c.id, isouter=not claims_only).join(
        tables.claimant, claimant_c.id == surrender_c.claimant_id, isouter=True
    )
    return select().select_from(joined).where(scope.station_filter(surrender_c.station_code))


# The columns every claim row carries, named as readers use them.
_numbered = tables.export_batch.alias("numbered")  # the batch number people know a claim's batch by
ROW_COLUMNS = (
    surrender_c.id.label("surrender_id"),
    surrender_c.reference,
    surrender_c.station_code,
    surrender_c.campaign_code,
    surrender_c.surrendered_at,
    surrender_c.surrendered_on,
    surrender_c.recorded_at,
    surrender_c.staff_id,
    surrender_c.item_count,
    surrender_c.anonymous,
    surrender_c.voided_at,
    claim_c.id.label("claim_id"),
    claim_c.status,
    claim_c.claimed_pence,
    claim_c.payable_pence,
    effective_payable_sql().label("effective_payable"),
    claim_c.flags,
    claim_c.flagged,
    claim_c.manager_approved_at,
    claim_c.decided_at,
    claim_c.batch_id,
    select(_numbered.c.number).where(_numbered.c.id == claim_c.batch_id).scalar_subquery().label("batch_number"),
    claim_c.paid_at,
    lacks_payment_sql().label("lacks_payment"),
    claimant_c.name,
    claimant_c.business_name,
    claimant_c.postcode,
    claimant_c.purged_at,
)


def claim_rows(scope: Scope, claims_only: bool = True, *extra: Any) -> Select[Any]:
    """`base()` with the standard claim row columns (and any `extra` ones)."""
    return base(scope, claims_only).add_columns(*ROW_COLUMNS, *extra)


# What an export file carries of the claimant beyond the standard row: bank details and address.
PAYMENT_COLUMNS = (
    claimant_c.id.label("claimant_id"),
    claimant_c.address,
    claimant_c.account_name,
    claimant_c.sort_code,
    claimant_c.account_number,
)


def claim_of(conn: Connection, surrender_id: int, lock: bool = False) -> Row[Any] | None:
    """The surrender's claim, if it has one; `lock` holds the row to the end of the transaction."""
    query = select(tables.claim).where(claim_c.surrender_id == surrender_id)
    return conn.execute(query.with_for_update() if lock else query).one_or_none()


EXPORTABLE: frozenset[ClaimStatus] = STEPS[Step.EXPORT][0]  # the states an export takes claims from


def unexported(scope: Scope, statuses: frozenset[ClaimStatus] = EXPORTABLE) -> Select[Any]:
    """Live claims in `statuses` in no batch yet, with their payment columns, by reference:
    what an export would take (or hold back), and what finance still has to complete."""
    return (
        claim_rows(scope, True, *PAYMENT_COLUMNS)
        .where(claim_c.status.in_(sorted(statuses)), claim_c.batch_id.is_(None), surrender_c.voided_at.is_(None))
        .order_by(surrender_c.reference)
    )


def in_batch(scope: Scope, batch_id: int) -> Select[Any]:
    """A past batch's claims with their payment columns, by reference (as its file lists them)."""
    return claim_rows(scope, True, *PAYMENT_COLUMNS).where(claim_c.batch_id == batch_id).order_by(surrender_c.reference)


# Extra columns a claim pack carries (finance's export to the payer: unmasked, SPEC 7), kept
# apart from ROW_COLUMNS so the base row stays what every other reader reads.
PACK_COLUMNS = (
    claimant_c.address,
    claimant_c.phone,
    claimant_c.email,
    claimant_c.account_name,
    claimant_c.sort_code,
    claimant_c.account_number,
    surrender_c.declared,
    surrender_c.claimant_id,
    claim_c.decided_by,
    claim_c.reasons.label("claim_reasons"),
)
