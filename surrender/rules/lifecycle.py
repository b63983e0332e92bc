"""The claim lifecycle (SPEC 4) as a pure table: which step is allowed from which state."""

from __future__ import annotations

from surrender.errors import Refused

PENDING, APPROVED, REJECTED, EXPORTED, PAID, NOT_PAYABLE = (
    "pending", "approved", "rejected", "exported", "paid", "not_payable")
STATUSES = (PENDING, APPROVED, REJECTED, EXPORTED, PAID, NOT_PAYABLE)

# step -> (states it may start from, state it leads to)
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({PENDING}), APPROVED),
    "reject": (frozenset({PENDING}), REJECTED),
    "export": (frozenset({APPROVED}), EXPORTED),
    "pay": (frozenset({EXPORTED}), PAID),
}


def next_status(step: str, current: str, reference: str = "the claim") -> str:
    """The state after `step`, or a refusal naming the current state."""
    sources, target = STEPS[step]
    if current not in sources:
        allowed = " or ".join(sorted(sources))
        raise Refused(f"{reference}'s claim is {current}: only a {allowed} claim can be {_past(step)}")
    return target


def _past(step: str) -> str:
    return {"approve": "approved", "reject": "rejected", "export": "exported", "pay": "marked paid"}[step]


def require_reason(text: str | None, doing: str) -> str:
    """Voids and rejections are explained: one tidy line, never empty."""
    reason = " ".join((text or "").split())
    if not reason:
        raise Refused(f"{doing} needs a --reason")
    return reason
