"""The claim lifecycle (SPEC 4): the states, their named groups, and which step is allowed from
which state. Pure: every service that changes a claim asks `transition` first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    # A scheme whose payer is the Home Office (campaign `payer = "home-office"`): the claim
    # goes out in a claim pack (exported) and the payer decides it (SPEC 4, issue 17).
    DECIDED = "decided"  # the payer allowed an amount (payable_pence is now what it allowed)
    REFUSED = "refused"  # the payer refused the whole claim: nothing is paid


PENDING, APPROVED, REJECTED, EXPORTED, PAID, NOT_PAYABLE, DECIDED, REFUSED = ClaimStatus
STATUSES: tuple[ClaimStatus, ...] = tuple(ClaimStatus)

# The named groups every query and output uses (never a list of strings of their own):
UNPAID_STATUSES = frozenset({REJECTED, NOT_PAYABLE, REFUSED})  # pays nothing, whatever was assessed
OWED_STATUSES = frozenset({PENDING, APPROVED, EXPORTED, DECIDED})  # payable, not yet paid
CLOSED_STATUSES = frozenset({PAID, REJECTED, NOT_PAYABLE, REFUSED})  # nothing more will happen (bar a dispute)
PAYMENT_EDITABLE = frozenset({PENDING, APPROVED})  # nothing sent to the bank yet
DECIDED_APPROVED = frozenset({APPROVED, EXPORTED, PAID, DECIDED, REFUSED})  # finance said yes at some point
PAYER_STATUSES = frozenset({DECIDED, REFUSED})  # reached only by a payer's decisions file
EVIDENCE_OPEN = frozenset({PENDING, APPROVED})  # evidence may still be added: not yet sent out or closed


class Step(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    MANAGER_SIGN_OFF = "manager_sign_off"
    EXPORT = "export"
    PAY = "pay"
    VOID = "void"
    DECIDE = "decide"  # the payer allowed an amount (all or part of the claim)
    PAYER_REFUSE = "payer_refuse"  # the payer refused the whole claim
    REOPEN = "reopen"  # a dispute upheld: the claim is with the payer again for a new decision
    SEND_BACK = "send_back"  # bank details changed after approval: approved again by someone else


# step -> (states it may start from, state it leads to; None keeps the state)
STEPS: dict[Step, tuple[frozenset[ClaimStatus], ClaimStatus | None]] = {
    Step.APPROVE: (frozenset({PENDING}), APPROVED),
    Step.REJECT: (frozenset({PENDING}), REJECTED),
    Step.MANAGER_SIGN_OFF: (frozenset({PENDING}), None),  # a flagged claim stays pending for finance
    Step.EXPORT: (frozenset({APPROVED}), EXPORTED),
    Step.PAY: (frozenset({EXPORTED, DECIDED}), PAID),
    Step.VOID: (frozenset({PENDING, APPROVED, REJECTED, NOT_PAYABLE}), None),  # money not yet sent
    Step.DECIDE: (frozenset({EXPORTED}), DECIDED),
    Step.PAYER_REFUSE: (frozenset({EXPORTED}), REFUSED),
    Step.REOPEN: (frozenset({DECIDED, REFUSED}), EXPORTED),
    Step.SEND_BACK: (frozenset({APPROVED}), PENDING),
}

_DONE = {
    Step.APPROVE: "approved",
    Step.REJECT: "rejected",
    Step.MANAGER_SIGN_OFF: "signed off by a manager",
    Step.EXPORT: "exported",
    Step.PAY: "marked paid",
    Step.VOID: "voided",
    Step.DECIDE: "decided by the payer",
    Step.PAYER_REFUSE: "refused by the payer",
    Step.REOPEN: "reopened after a dispute",
    Step.SEND_BACK: "sent back for approval",
}


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


def four_eyes(actor: int, changers: Mapping[str, Iterable[int]], doing: str) -> None:
    """Money needs two people: whoever changed a claim's bank details ({reference: staff ids})
    may not also `doing` it (approve it again, export it). Refuses naming the claims."""
    mine = sorted(reference for reference, staff in changers.items() if actor in set(staff))
    if mine:
        them = "it" if len(mine) == 1 else "them"
        verb, _, rest = doing.partition(" ")  # "pay out" -> "pay it out"; "approve" -> "approve it"
        raise Refused(
            f"{', '.join(mine)}: you changed the bank details, so someone else must "
            f"{' '.join(filter(None, [verb, them, rest]))} (four eyes on money)"
        )
