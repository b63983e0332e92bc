"""The claim lifecycle (SPEC 4): the states, their named groups, and which step is allowed from
which state. Pure: every service that changes a claim asks `transition` first."""

from __future__ import annotations

from enum import StrEnum

from surrender.errors import Refused
from surrender.rules.bounds import REASON_CHARS, within


class ClaimStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPORTED = "exported"
    PAID = "paid"
    NOT_PAYABLE = "not_payable"


PENDING, APPROVED, REJECTED, EXPORTED, PAID, NOT_PAYABLE = ClaimStatus
STATUSES: tuple[ClaimStatus, ...] = tuple(ClaimStatus)

# The named groups every query and output uses (never a list of strings of their own):
UNPAID_STATUSES = frozenset({REJECTED, NOT_PAYABLE})  # pays nothing, whatever was assessed
OWED_STATUSES = frozenset({PENDING, APPROVED, EXPORTED})  # payable, not yet paid
CLOSED_STATUSES = frozenset({PAID, REJECTED, NOT_PAYABLE})  # nothing more will happen
PAYMENT_EDITABLE = frozenset({PENDING, APPROVED})  # nothing sent to the bank yet
DECIDED_APPROVED = frozenset({APPROVED, EXPORTED, PAID})  # finance said yes at some point


class Step(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    MANAGER_SIGN_OFF = "manager_sign_off"
    EXPORT = "export"
    PAY = "pay"
    VOID = "void"


# step -> (states it may start from, state it leads to; None keeps the state)
STEPS: dict[Step, tuple[frozenset[ClaimStatus], ClaimStatus | None]] = {
    Step.APPROVE: (frozenset({PENDING}), APPROVED),
    Step.REJECT: (frozenset({PENDING}), REJECTED),
    Step.MANAGER_SIGN_OFF: (frozenset({PENDING}), None),  # a flagged claim stays pending for finance
    Step.EXPORT: (frozenset({APPROVED}), EXPORTED),
    Step.PAY: (frozenset({EXPORTED}), PAID),
    Step.VOID: (frozenset({PENDING, APPROVED, REJECTED, NOT_PAYABLE}), None),  # money not yet sent
}

_DONE = {Step.APPROVE: "approved", Step.REJECT: "rejected", Step.MANAGER_SIGN_OFF: "signed off by a manager",
         Step.EXPORT: "exported", Step.PAY: "marked paid", Step.VOID: "voided"}


def transition(step: Step, current: str, reference: str = "the claim") -> ClaimStatus:
    """The state after `step` from `current`, or a refusal naming the current state."""
    status = ClaimStatus(current)
    sources, target = STEPS[step]
    if status not in sources:
        allowed = " or ".join(sorted(sources))
        raise Refused(f"{reference}'s claim is {status}: only a {allowed} claim can be {_DONE[step]}")
    return status if target is None else target


def can(step: Step, current: str) -> bool:
    return ClaimStatus(current) in STEPS[step][0]


def require_reason(text: str | None, doing: str) -> str:
    """Voids and rejections are explained: one tidy line, never empty."""
    reason = " ".join((text or "").split())
    if not reason:
        raise Refused(f"{doing} needs a --reason")
    return within(reason, "reason", REASON_CHARS)


def effective_payable(status: str, payable_pence: int, voided: bool = False) -> int:
    """What the claim will pay, the one figure every output shows: a rejected, not-payable or
    void claim pays 0 (its claimed amount stays visible). The SQL twin is
    `store.claims.effective_payable_sql`, tested equal to this function on every status."""
    if voided or status in UNPAID_STATUSES:
        return 0
    return payable_pence
