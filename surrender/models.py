"""Database tables. Money is integer pence; times are UTC instants (shown in Europe/London).

Claimant personal and payment data lives only in `claimant`, so it can be purged after the
retention period without touching surrenders, claims or the audit chain.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from surrender.coltypes import UTCDateTime


def utc_column(nullable: bool = False, index: bool = False) -> Column[dt.datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def text_column(nullable: bool = False) -> Column[str]:
    return Column(Text, nullable=nullable)


FORCE_CODE_LENGTH = 10


def force_field(index: bool = False) -> Any:
    """The owning force of a row: every force-owned table carries it, so each force's rows can be
    told apart (and, on PostgreSQL, policed row by row) without a join."""
    return Field(foreign_key="force.code", max_length=FORCE_CODE_LENGTH, index=index)


class Force(SQLModel, table=True):
    """A police force using the tool: its own stations, staff and records (SQLite: one a file)."""

    code: str = Field(primary_key=True, max_length=FORCE_CODE_LENGTH)
    name: str


class ForceRole(SQLModel, table=True):
    """PostgreSQL only in use: a database role and the force whose rows it may read and write
    (`db force-role`); row-level security reads it, so a role sees its force's rows even through
    psql. `force_code` None: the national role, which reads only the aggregate view."""

    __tablename__ = "force_role"
    role_name: str = Field(primary_key=True, max_length=63)
    force_code: str | None = Field(default=None, foreign_key="force.code", max_length=FORCE_CODE_LENGTH)


class Station(SQLModel, table=True):
    """A designated station; its code starts every reference, so codes are unique in a database."""

    code: str = Field(primary_key=True, max_length=2)
    name: str
    town: str
    force_code: str = Field(foreign_key="force.code", max_length=FORCE_CODE_LENGTH, index=True)
    address: str | None = None
    hours: str | None = None
    contact: str | None = None  # who a claimant contacts about what they handed in
    closed_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Staff(SQLModel, table=True):
    """Staff numbers (collar numbers) repeat between forces, so they are unique within one;
    national staff belong to no force (force_code None)."""

    __table_args__ = (UniqueConstraint("force_code", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, max_length=20)
    force_code: str | None = Field(default=None, foreign_key="force.code", max_length=FORCE_CODE_LENGTH)
    name: str
    role: str = Field(max_length=10)
    station_code: str | None = Field(default=None, foreign_key="station.code")
    pin_hash: str | None = None
    active: bool = True
    created_at: dt.datetime = Field(sa_column=utc_column())
    failed_pins: int = 0  # wrong PINs in a row; bumped in a transaction of its own
    locked_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_failed_at: dt.datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )  # the next try waits from here


class PinTerminal(SQLModel, table=True):
    """Wrong PINs in a row typed at one terminal (`surrender.terminal`), whoever they were for:
    the count that slows a guesser moving from member to member (rules/lockout.py)."""

    __tablename__ = "pin_terminal"
    terminal: str = Field(primary_key=True, max_length=200)
    failed_pins: int = 0
    last_failed_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class StaffStation(SQLModel, table=True):
    """A station an admin lets a member act at besides their own (`staff update --stations`)."""

    __tablename__ = "staff_station"
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    station_code: str = Field(foreign_key="station.code", primary_key=True)
    force_code: str = force_field()


class CampaignRecord(SQLModel, table=True):
    """The campaign text as it was when first used, so old records keep their rules' wording."""

    __tablename__ = "campaign"
    code: str = Field(primary_key=True, max_length=40)
    name: str
    source: str = Field(sa_column=text_column())
    sha256: str = Field(max_length=64)
    registered_at: dt.datetime = Field(sa_column=utc_column())


class ReferenceCounter(SQLModel, table=True):
    """Last number issued per station and campaign; locked and bumped inside the log transaction."""

    __tablename__ = "reference_counter"
    station_code: str = Field(primary_key=True, foreign_key="station.code")
    campaign_code: str = Field(primary_key=True, foreign_key="campaign.code")
    last_number: int = 0
    force_code: str = force_field()


class Claimant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    address: str
    postcode: str
    phone: str | None = None
    email: str | None = None
    business_name: str | None = None
    account_name: str | None = None
    sort_code: str | None = None
    account_number: str | None = None
    created_at: dt.datetime = Field(sa_column=utc_column())
    purged_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Salts this claimant's digests in the audit trail; wiped on purge, so nothing links back.
    salt: str | None = Field(default_factory=lambda: secrets.token_hex(16), max_length=32)
    force_code: str = force_field()


class Surrender(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("station_code", "campaign_code", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True, max_length=20)
    station_code: str = Field(foreign_key="station.code", index=True)
    campaign_code: str = Field(foreign_key="campaign.code", index=True)
    number: int
    surrendered_at: dt.datetime = Field(sa_column=utc_column(index=True))
    surrendered_on: dt.date = Field(index=True)  # local (campaign timezone) date, for reports by day
    recorded_at: dt.datetime = Field(sa_column=utc_column())
    staff_id: int = Field(foreign_key="staff.id")
    anonymous: bool = False
    claimant_id: int | None = Field(default=None, foreign_key="claimant.id")
    declared: bool = False
    item_count: int = 0
    voided_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    voided_by: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str | None = None
    force_code: str = force_field(index=True)


class ItemLine(SQLModel, table=True):
    """One distinct line of a surrender: identical rows of a stock list share one line, with
    their count; so a 35,871-row list of 40 products is 40 lines (and 35,871 `item` rows)."""

    __tablename__ = "item_line"
    surrender_id: int = Field(foreign_key="surrender.id", primary_key=True)
    number: int = Field(primary_key=True)  # 1, 2, ... in order of first appearance
    first_line: int  # the row (1-based) where it first appears
    rows: int = 0  # how many identical rows it stands for
    kind: str = Field(max_length=40, index=True)
    description: str = ""
    blade_length_mm: str = Field(max_length=20)  # exact Decimal as text
    features: str = Field(sa_column=text_column())  # JSON of the recorded features
    quantity_each: int = 1  # the quantity column of each row
    claimed_value_pence: int | None = None
    evidence: str = "none"
    acquired_on: dt.date | None = None
    seal: str = ""
    eligible: bool
    reasons: str = Field(sa_column=text_column())  # JSON list
    unit_claimed_pence: int  # asked per item (0 when no claim)
    unit_compensation_pence: int
    quantity: int = 0  # rows x quantity_each
    claimed_pence: int = 0
    compensation_pence: int = 0
    force_code: str = force_field()


class Item(SQLModel, table=True):
    """Each row as given, pointing at its distinct line."""

    surrender_id: int = Field(foreign_key="surrender.id", primary_key=True)
    line: int = Field(primary_key=True)
    line_number: int
    force_code: str = force_field()


class ExportBatch(SQLModel, table=True):
    """`number` counts each force's batches (1, 2, ...): the number people see and type."""

    __tablename__ = "export_batch"
    __table_args__ = (UniqueConstraint("force_code", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    number: int
    created_at: dt.datetime = Field(sa_column=utc_column())
    staff_id: int = Field(foreign_key="staff.id")
    format: str = Field(max_length=4)
    claim_count: int
    total_pence: int
    sha256: str = Field(max_length=64)
    filename: str
    # Where the file was staged and put, on which machine, and when that step finished: a batch
    # committed but not yet settled has its staged file finished by the next export run.
    host: str | None = None
    path: str | None = None
    staged_path: str | None = None
    settled_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    anchor: str | None = None  # the audit anchor printed in the file, so --batch re-creates it exactly
    force_code: str = force_field()


# Two unsettled batches can never be headed for the same file: the partial unique index
# ux_export_batch_unsettled_path (host, path) WHERE settled_at IS NULL is made by migration 0005
# and not declared here, because declaring a `postgresql_where` imports SQLAlchemy's whole
# PostgreSQL dialect (all its drivers) into every command, ~40 ms even on SQLite.


class ExportStaging(SQLModel, table=True):
    """An export file being staged: written before its staged file is filled, so a run killed
    before its batch committed leaves a row that names the file to remove."""

    __tablename__ = "export_staging"
    token: str = Field(primary_key=True, max_length=32)
    host: str
    staged_path: str
    created_at: dt.datetime = Field(sa_column=utc_column())


class Claim(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    surrender_id: int = Field(foreign_key="surrender.id", unique=True)
    status: str = Field(max_length=12, index=True)
    claimed_pence: int
    payable_pence: int
    reasons: str = Field(sa_column=text_column())  # JSON list
    flags: str = Field(sa_column=text_column())  # JSON list
    flagged: bool = False
    manager_approved_by: int | None = Field(default=None, foreign_key="staff.id")
    manager_approved_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    decision_note: str | None = None
    batch_id: int | None = Field(default=None, foreign_key="export_batch.id", index=True)
    paid_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    paid_by: int | None = Field(default=None, foreign_key="staff.id")
    force_code: str = force_field()


class AuditEvent(SQLModel, table=True):
    """Append-only; each row's hash covers its content and the previous row's hash *of the same
    chain*: one chain per force (`force_code`), and the national chain (None) for what no force
    owns (national staff, events of members with no force)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_force_code_id", "force_code", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=utc_column())
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=40)
    entity: str = Field(max_length=20)
    entity_id: str = Field(max_length=40, index=True)
    detail: str = Field(sa_column=text_column())  # canonical JSON, no raw personal data
    state: str | None = Field(default=None, sa_column=text_column(nullable=True))  # record digests after the change
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    force_code: str | None = Field(default=None, foreign_key="force.code", max_length=FORCE_CODE_LENGTH)


class AuditHead(SQLModel, table=True):
    """One row per chain holding its tip (`force_code` None: the national chain); locking a
    force's row serialises that force's appends only, so forces never wait for each other."""

    __tablename__ = "audit_head"
    id: int | None = Field(default=None, primary_key=True)
    last_hash: str = Field(max_length=64)
    force_code: str | None = Field(default=None, foreign_key="force.code", max_length=FORCE_CODE_LENGTH, unique=True)


# --- issue 17: evidence kept with the claim, the payer's decisions, disputes, modulus tables ---


class Evidence(SQLModel, table=True):
    """A scan or photo of a receipt, invoice or statement kept with a claim: the bytes as they
    came (PDF, JPEG or PNG, sniffed), their SHA-256, who added them and when. Purge wipes the
    content and the name it came with; the digest stays, so the pack's manifest still checks."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("surrender_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    surrender_id: int = Field(foreign_key="surrender.id", index=True)
    number: int  # 1, 2, ... per surrender
    media_type: str = Field(max_length=20)
    size: int
    sha256: str = Field(max_length=64)
    name: str | None = None  # the file's own name as given (tidied), for finance to tell files apart
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    added_at: dt.datetime = Field(sa_column=utc_column())
    added_by: int = Field(foreign_key="staff.id")
    purged_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    force_code: str = force_field()


class PayerDecision(SQLModel, table=True):
    """The payer's decision on a claim (`line` None) or on one item line of it, from a
    decisions file; `round` 2, 3... after a dispute upheld sent the claim back."""

    __tablename__ = "payer_decision"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    round: int = 1
    line: int | None = None  # item_line.number; None: the whole claim
    claimed_pence: int
    allowed_pence: int
    reason: str | None = Field(default=None, sa_column=text_column(nullable=True))
    assessed_pence: int  # what the claim's payable was before this decision
    recorded_at: dt.datetime = Field(sa_column=utc_column())
    recorded_by: int = Field(foreign_key="staff.id")
    file_sha256: str = Field(max_length=64)
    force_code: str = force_field()


class ClaimDispute(SQLModel, table=True):
    """A claimant's dispute of the payer's decision, and its outcome (upheld: the claim goes
    back to the payer for a new decision; dismissed: the decision stands)."""

    __tablename__ = "claim_dispute"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    opened_at: dt.datetime = Field(sa_column=utc_column())
    opened_by: int = Field(foreign_key="staff.id")
    note: str = Field(sa_column=text_column())
    outcome: str | None = Field(default=None, max_length=10)
    outcome_note: str | None = Field(default=None, sa_column=text_column(nullable=True))
    closed_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closed_by: int | None = Field(default=None, foreign_key="staff.id")
    force_code: str = force_field()


class ModulusTable(SQLModel, table=True):
    """Newer published modulus tables (Vocalink's valacdos.txt and scsubtab.txt) loaded by
    `db modulus-tables DIR`; the newest row is the one in use, else the package's own."""

    __tablename__ = "modulus_table"
    id: int | None = Field(default=None, primary_key=True)
    loaded_at: dt.datetime = Field(sa_column=utc_column())
    loaded_by: int = Field(foreign_key="staff.id")
    name: str
    weights: str = Field(sa_column=text_column())
    substitutions: str = Field(sa_column=text_column())
    sha256: str = Field(max_length=64)
    rules: int


class Booking(SQLModel, table=True):
    """A bulk surrender booked ahead through 101 (issue 17 point 5): who is coming, to which
    station, on which day, with how many items; `surrender_id` is the surrender it was matched
    to at the counter."""

    __tablename__ = "booking"
    id: int | None = Field(default=None, primary_key=True)
    station_code: str = Field(foreign_key="station.code", index=True)
    booked_on: dt.date = Field(index=True)  # the local day they are expected
    name: str
    business_name: str | None = None
    expected: int  # items they said they would bring
    created_at: dt.datetime = Field(sa_column=utc_column())
    created_by: int = Field(foreign_key="staff.id")
    surrender_id: int | None = Field(default=None, foreign_key="surrender.id", index=True)
    force_code: str = force_field()


# --- custody: every weapon from the counter to its destruction (issue 16) ------------------------
# Indexes: `ix_exhibit_tally` (station, campaign, state, quantity) answers the custody report's
# per-station sums from the index alone; `ix_exhibit_state_place` (state, location, since) finds
# what has sat too long in a temporary place. Both are declared here and made by 0006_custody.


class Location(SQLModel, table=True):
    """Where an exhibit can be: a station's counter (one each, made for every station), its
    property stores, and temporary places (a lab, a court) where an exhibit is overdue after
    `max_days`."""

    __tablename__ = "location"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=20)
    name: str
    station_code: str = Field(foreign_key="station.code", index=True)
    kind: str = Field(max_length=10)  # counter | store | temporary
    max_days: int | None = None  # held here longer than this is overdue (None: no limit)
    created_at: dt.datetime = Field(sa_column=utc_column())
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    force_code: str = force_field()


class DestructionBatch(SQLModel, table=True):
    """Exhibits destroyed together, witnessed by two staff members each with their own PIN.
    Sealed, it never changes but for the contractor's certificate number."""

    __tablename__ = "destruction_batch"
    id: int | None = Field(default=None, primary_key=True)
    station_code: str = Field(foreign_key="station.code", index=True)
    method: str
    contractor: str
    created_at: dt.datetime = Field(sa_column=utc_column())
    created_by: int = Field(foreign_key="staff.id")
    sealed_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sealed_by: int | None = Field(default=None, foreign_key="staff.id")
    witness_1: int | None = Field(default=None, foreign_key="staff.id")
    witness_2: int | None = Field(default=None, foreign_key="staff.id")
    certificate: str | None = None  # the contractor's own certificate number
    confirmed_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    confirmed_by: int | None = Field(default=None, foreign_key="staff.id")
    force_code: str = force_field()


class Exhibit(SQLModel, table=True):
    """One tag the receipt prints: a weapon (quantity 1), or a bag of a stock line (its quantity).
    Station and campaign are the surrender's, copied so the custody report reads one table."""

    __tablename__ = "exhibit"
    id: int | None = Field(default=None, primary_key=True)
    tag: str = Field(unique=True, index=True, max_length=40)  # REF/n or REF/Lk
    surrender_id: int = Field(foreign_key="surrender.id", index=True)
    line_number: int  # the item_line it comes from
    station_code: str = Field(foreign_key="station.code")
    campaign_code: str = Field(foreign_key="campaign.code")
    kind: str = Field(max_length=40)
    quantity: int = 1  # weapons under this tag
    seal: str = ""
    state: str = Field(max_length=16)  # held | missing | destroyed | retained | never_received
    location_id: int | None = Field(default=None, foreign_key="location.id")  # None once destroyed
    since: dt.datetime = Field(sa_column=utc_column())  # at this place, in this state, since
    batch_id: int | None = Field(default=None, foreign_key="destruction_batch.id", index=True)
    note: str | None = None  # the authority to retain, or why it was never received
    force_code: str = force_field()


class CustodyEvent(SQLModel, table=True):
    """Each thing that happened to an exhibit after intake: who, when, from where to where."""

    __tablename__ = "custody_event"
    id: int | None = Field(default=None, primary_key=True)
    exhibit_id: int = Field(foreign_key="exhibit.id", index=True)
    at: dt.datetime = Field(sa_column=utc_column())
    staff_id: int = Field(foreign_key="staff.id")
    action: str = Field(max_length=20)  # moved | missing | added | removed | destroyed | retained | never_received
    from_location_id: int | None = Field(default=None, foreign_key="location.id")
    to_location_id: int | None = Field(default=None, foreign_key="location.id")
    batch_id: int | None = Field(default=None, foreign_key="destruction_batch.id")
    check_id: int | None = Field(default=None, foreign_key="stock_check.id")
    note: str | None = None
    force_code: str = force_field()


class StockCheck(SQLModel, table=True):
    """A shelf scanned against the records, with what was missing, misplaced or unknown."""

    __tablename__ = "stock_check"
    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    at: dt.datetime = Field(sa_column=utc_column())
    staff_id: int = Field(foreign_key="staff.id")
    expected: int
    found: int
    missing: int
    elsewhere: int
    unknown: int
    result: str = Field(sa_column=text_column())  # JSON: the tags in each group
    force_code: str = force_field()


_exhibit = Exhibit.__table__.c  # type: ignore[attr-defined]  # SQLModel sets __table__ at class creation
Index("ix_exhibit_tally", _exhibit.station_code, _exhibit.campaign_code, _exhibit.state, _exhibit.quantity)
Index("ix_exhibit_state_place", _exhibit.state, _exhibit.location_id, _exhibit.since)


# --- issue 18: "where is my money?" lookups are bounded --------------------------------------


class StatusMiss(SQLModel, table=True):
    """A `claims status` lookup that matched nothing: who, from which terminal, which reference
    was tried (never the postcode). Counting them in the last hour bounds guessing per member
    and per terminal; rows older than a day are dropped by the next miss."""

    __tablename__ = "status_miss"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=utc_column(index=True))
    staff_id: int = Field(foreign_key="staff.id", index=True)
    terminal: str = Field(max_length=200, index=True)
    reference: str = Field(max_length=20)  # as normalised, or "(malformed)"
    force_code: str = force_field()  # the looking-up member's force
