"""Light table clauses (names and column types, no ORM classes) for the paths most commands
take: signing in, showing a surrender, logging one, and the audit trail they write.

Building the SQLModel classes in models.py (pydantic fields and SQLAlchemy mappers for 14
tables) costs ~40-60 ms of each process, more than all the work `surrender show` does. These
clauses cost well under a millisecond and work in an ORM Session and a plain Connection alike;
rows come back with the same Python values (UTC-aware datetimes, dates, booleans), so the
audit trail's record digests (state_digest.py) read the same through either.
models.py stays the one schema: tests/unit/test_tables.py checks every clause against it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, Integer, String, Text, column, table
from sqlalchemy.sql.expression import TableClause

from surrender.coltypes import UTCDateTime

INT, STR, TEXT, BOOL, DATE, UTC_TIME = Integer(), String(), Text(), Boolean(), Date(), UTCDateTime()


def _clause(table_name: str, /, **columns) -> TableClause:
    return table(table_name, *(column(col, type_) for col, type_ in columns.items()))


staff = _clause("staff", id=INT, number=STR, name=STR, role=STR, station_code=STR, pin_hash=STR, active=BOOL,
                created_at=UTC_TIME, failed_pins=INT, locked_at=UTC_TIME)
staff_station = _clause("staff_station", staff_id=INT, station_code=STR)
station = _clause("station", code=STR, name=STR, town=STR, force=STR)
campaign = _clause("campaign", code=STR, name=STR, source=TEXT, sha256=STR, registered_at=UTC_TIME)
surrender = _clause("surrender", id=INT, reference=STR, station_code=STR, campaign_code=STR, number=INT,
                    surrendered_at=UTC_TIME, surrendered_on=DATE, recorded_at=UTC_TIME, staff_id=INT,
                    anonymous=BOOL, claimant_id=INT, declared=BOOL, item_count=INT, voided_at=UTC_TIME,
                    voided_by=INT, void_reason=STR)
item_line = _clause("item_line", surrender_id=INT, number=INT, first_line=INT, rows=INT, kind=STR,
                    description=STR, blade_length_mm=STR, features=TEXT, quantity_each=INT,
                    claimed_value_pence=INT, evidence=STR, acquired_on=DATE, seal=STR, eligible=BOOL,
                    reasons=TEXT, unit_claimed_pence=INT, unit_compensation_pence=INT, quantity=INT,
                    claimed_pence=INT, compensation_pence=INT)
claim = _clause("claim", id=INT, surrender_id=INT, status=STR, claimed_pence=INT, payable_pence=INT, reasons=TEXT,
                flags=TEXT, flagged=BOOL, manager_approved_by=INT, manager_approved_at=UTC_TIME, decided_by=INT,
                decided_at=UTC_TIME, decision_note=STR, batch_id=INT, paid_at=UTC_TIME, paid_by=INT)
claimant = _clause("claimant", id=INT, name=STR, address=STR, postcode=STR, phone=STR, email=STR,
                   business_name=STR, account_name=STR, sort_code=STR, account_number=STR, created_at=UTC_TIME,
                   purged_at=UTC_TIME, salt=STR)
export_batch = _clause("export_batch", id=INT, created_at=UTC_TIME, staff_id=INT, format=STR, claim_count=INT,
                       total_pence=INT, sha256=STR, filename=STR, host=STR, path=STR, staged_path=STR,
                       settled_at=UTC_TIME, anchor=STR)

reference_counter = _clause("reference_counter", station_code=STR, campaign_code=STR, last_number=INT)
item = _clause("item", surrender_id=INT, line=INT, line_number=INT)
audit_event = _clause("audit_event", id=INT, at=UTC_TIME, staff_id=INT, action=STR, entity=STR, entity_id=STR,
                      detail=TEXT, state=TEXT, prev_hash=STR, hash=STR)
audit_head = _clause("audit_head", id=INT, last_hash=STR)

ALL = (reference_counter, item, audit_event, audit_head, staff, staff_station, station, campaign, surrender, item_line, claim, claimant, export_batch)
