"""What a claim pack says about each claim: typed data built from committed rows inside the
pack's transaction, drawn by `claim_form_pdf` and written by `claim_pack`. Money in pence,
times aware UTC; formatted only by the adapters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class FormLine:
    number: int  # the item line number a decisions file names
    kind: str
    kind_label: str
    description: str
    blade_length_mm: str
    quantity: int
    unit_claimed_pence: int
    claimed_pence: int
    assessed_pence: int  # what the force's assessment gives the line (before the claim minimum)
    evidence: str  # the evidence of value stated for the line: none, receipt, invoice...
    eligible: bool
    reasons: tuple[str, ...]
    seal: str


@dataclass(frozen=True)
class FormEvidence:
    number: int
    file: str  # its name in the pack: evidence/REF-e1.pdf
    media_type: str
    size: int
    sha256: str
    added_at: dt.datetime
    added_by: str


@dataclass(frozen=True)
class Claimant:
    name: str
    business_name: str | None
    address: str
    postcode: str
    phone: str | None
    email: str | None
    account_name: str
    sort_code: str
    account_number: str


@dataclass(frozen=True)
class ClaimForm:
    batch: int
    reference: str
    campaign: str
    campaign_name: str
    legal_basis: str
    declaration: str
    declared: bool
    payer: str
    force: str
    station: str
    station_name: str
    timezone: str
    surrendered_at: dt.datetime
    officer: str  # "2001 Sam Patel": who received the items and took the claim
    approved_by: str | None
    approved_at: dt.datetime | None
    claimant: Claimant
    lines: tuple[FormLine, ...]
    item_count: int
    claimed_pence: int
    assessed_pence: int  # the claim's payable as the force assessed it
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    evidence: tuple[FormEvidence, ...]

    @property
    def form_file(self) -> str:
        return f"forms/{self.reference}.pdf"


@dataclass(frozen=True)
class Pack:
    batch: int
    created_at: dt.datetime
    created_by: str
    payer: str
    anchor: str
    claims: tuple[ClaimForm, ...]

    @property
    def total_pence(self) -> int:
        return sum(c.assessed_pence for c in self.claims)
