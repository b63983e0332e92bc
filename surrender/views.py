"""What a surrender looks like to its readers: the SPEC 5 JSON object, the table, the receipt.

Plain data built from committed rows, so `log`, `show` and a reprint always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from surrender.clock import iso
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.money import format_pence


@dataclass(frozen=True)
class LineView:
    """One line, or a group of identical stock lines with their quantity summed."""

    first_line: int
    rows: int
    kind: str
    kind_label: str
    description: str
    blade_length_mm: str
    quantity: int
    eligible: bool
    reasons: list[str]
    unit_compensation_pence: int
    compensation_pence: int
    claimed_value_pence: int | None
    evidence: str
    seal: str
    decided_by: list[str] = field(default_factory=list)  # the features that made it eligible ("serrated 3in")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "quantity": self.quantity,
            "eligible": self.eligible,
            "reasons": self.reasons,
            "compensation": format_pence(self.compensation_pence),
            "unit_compensation": format_pence(self.unit_compensation_pence),
            "description": self.description,
            "blade_length_mm": self.blade_length_mm,
            "line": self.first_line,
            "rows": self.rows,
            "seal": self.seal or None,
        }


@dataclass(frozen=True)
class DecisionTrail:
    """Who decided the claim, when and why; shown only to the roles that decide claims.
    People are `"4001 Fin Ance"` (staff number, name); times UTC instants."""

    decided: ClaimStatus | None = None  # APPROVED (also once exported or paid) or REJECTED
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    note: str | None = None  # approval note, or the rejection reason told to the claimant
    manager_approved_by: str | None = None
    manager_approved_at: dt.datetime | None = None
    exported_at: dt.datetime | None = None
    paid_by: str | None = None
    paid_at: dt.datetime | None = None

    def to_json(self, zone: str) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "decided_by": self.decided_by,
            "decided_at": iso(self.decided_at, zone),
            "note": self.note,
            "manager_approved_by": self.manager_approved_by,
            "manager_approved_at": iso(self.manager_approved_at, zone),
            "exported_at": iso(self.exported_at, zone),
            "paid_by": self.paid_by,
            "paid_at": iso(self.paid_at, zone),
        }


@dataclass(frozen=True)
class ClaimView:
    status: ClaimStatus
    claimed_pence: int
    payable_pence: int  # effective: 0 when rejected, not payable or void (rules.lifecycle.effective_payable)
    reasons: list[str]
    flags: list[str]
    manager_approved: bool
    batch_id: int | None
    decision_note: str | None
    trail: DecisionTrail | None = None  # None when the reader may not see it
    timezone: str = "Europe/London"

    def to_json(self) -> dict[str, Any]:
        shown = {
            "status": self.status,
            "claimed": format_pence(self.claimed_pence),
            "payable": format_pence(self.payable_pence),
            "reasons": self.reasons,
            "flags": self.flags,
            "manager_approved": self.manager_approved,
            "batch": self.batch_id,
        }
        if self.trail is not None:
            shown["decision"] = self.trail.to_json(self.timezone)
        return shown


@dataclass(frozen=True)
class BookingCheck:
    """A surrender at or over the scheme's booking threshold against its booking (issue 17
    point 5): items expected and received, or no booking found (it is logged all the same)."""

    threshold: int
    received: int
    expected: int | None  # None: no booking on the day at the station under this name or business
    booked_as: str | None  # the booking's business, else its name

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "received": self.received,
            "expected": self.expected,
            "booked_as": self.booked_as,
        }


@dataclass(frozen=True)
class SurrenderView:
    reference: str
    campaign: str
    campaign_name: str
    legal_basis: str
    declaration: str
    minimum_note: str
    timezone: str
    station: str
    station_name: str
    station_town: str
    force: str
    payer: str  # who decides and pays the claim: rules.payer HOME_OFFICE or FORCE
    surrendered_at: dt.datetime
    recorded_at: dt.datetime
    officer_number: str
    officer_name: str
    anonymous: bool
    declared: bool
    claimant: dict[str, Any] | None  # masked unless the reader may see personal data
    items: list[LineView]
    item_count: int
    claim: ClaimView | None
    voided_at: dt.datetime | None = None
    void_reason: str | None = None
    receipt: str | None = None
    claimant_on_receipt: str | None = None  # name, business and postcode: printed on the claimant's copy
    notes: list[str] = field(default_factory=list)
    booking: BookingCheck | None = None  # at or over the booking threshold: the booking matched, or none
    station_contact: str | None = None  # how claimants reach the station (address, hours, phone), when known
    bank_details_given: bool = False  # sort code and account number recorded: the payer can pay

    def payable_on(self, line: LineView) -> int:
        """What `line` pays: its compensation, or nothing when the claim pays nothing (under the
        minimum, not payable, rejected or void) or there is no claim."""
        if self.claim is None or self.claim.payable_pence == 0 or self.voided_at is not None:
            return 0
        return line.compensation_pence

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "campaign": self.campaign,
            "station": self.station,
            "surrendered_at": iso(self.surrendered_at, self.timezone),
            "recorded_at": iso(self.recorded_at, self.timezone),
            "anonymous": self.anonymous,
            "items": [line.to_json() for line in self.items],
            "claim": self.claim.to_json() if self.claim else None,
            "receipt": self.receipt,
            "item_count": self.item_count,
            "officer": self.officer_number,
            "claimant": self.claimant,
            "voided": self.voided_at is not None,
            "void_reason": self.void_reason,
            "booking": self.booking.to_json() if self.booking else None,
        }
