"""Who may do what (SPEC 3). Checked in the service layer, so every entry point obeys it."""

from __future__ import annotations

ROLES = ("desk", "finance", "manager", "admin")
PIN_ROLES = frozenset({"finance", "manager", "admin"})  # their actions need the acting PIN

ALLOWED: dict[str, frozenset[str]] = {
    "log": frozenset({"desk"}),
    "show": frozenset(ROLES),
    "receipt": frozenset({"desk", "manager"}),
    "void": frozenset({"manager"}),
    "recent": frozenset({"desk", "manager"}),
    "status": frozenset(ROLES),  # and anyone with no --staff: it shows only what it can
    "claims.list": frozenset({"finance", "manager"}),
    "claims.approve": frozenset({"finance", "manager"}),
    "claims.reject": frozenset({"finance", "manager"}),
    "claims.export": frozenset({"finance"}),
    "claims.paid": frozenset({"finance"}),
    "claims.set_payment": frozenset({"finance"}),
    "claims.batches": frozenset({"finance", "manager"}),
    "claims.status": frozenset({"desk", "finance", "manager"}),
    "report": frozenset({"manager", "finance"}),
    "audit": frozenset({"manager", "admin"}),
    "staff": frozenset({"admin"}),
    "campaign.register": frozenset({"admin"}),
    "db.upgrade": frozenset({"admin"}),
    "purge": frozenset({"admin"}),
    "audit.baseline": frozenset({"admin"}),
    "db.backup": frozenset({"admin"}),
}


def roles_for(action: str) -> frozenset[str]:
    return ALLOWED[action]


def may(role: str, action: str) -> bool:
    return role in ALLOWED[action]


def sees_personal_data(role: str, action: str) -> bool:
    """Only finance sees claimant contact and payment details unmasked (SPEC 7)."""
    return role == "finance" and action in ("show", "claims.export", "claims.list")


def sees_decision_trail(role: str) -> bool:
    """Who approved or rejected a claim, when and why: for the roles that decide (finance,
    manager). The desk answers "where is my money?" with `claims status` instead."""
    return role in ("finance", "manager")
