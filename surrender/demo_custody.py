"""The demo's weapons after the counter, through the real service layer: the day after the
window closes each station's store officer books every bag into the property store (a
voided surrender's tags are marked never received by the manager first), one knife is kept
for training with an authority, the stores are stock-checked, and everything else goes to
the furnace in witnessed batches (never the same pair twice in a row), each confirmed by the
contractor's certificate a week later. `report custody` then shows nothing unaccounted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from surrender.clock import LONDON
from surrender.services.context import Context

LONDON_CLOSE = dt.date(2024, 9, 23)  # the zombie-2024 window's last day
PROPERTY = {"TW": "6101", "PK": "6201"}  # the store officers (in demo.STAFF)
STORES = {"TW": ("TW-STORE", "Thorpe Wood property store"), "PK": ("PK-STORE", "Parkside property store")}
WITNESSES = {
    "TW": [("5023", "2041"), ("2041", "2057"), ("5023", "2057")],
    "PK": [("5031", "3187"), ("3187", "3192"), ("5031", "3192")],
}
METHOD, CONTRACTOR = "incineration", "Eastern Metals Recycling Ltd"
BATCH_TAGS = 150  # tags per destruction batch (a cage's worth)
TROLLEY = 100  # tags booked into the store per move
RETAINED = "Authority ACC/24/117: kept for the force's knife-crime training collection"


@dataclass
class CustodyOutcome:
    booked_in: int = 0  # tags moved from the counters to the stores
    never_received: int = 0
    retained: int = 0
    batches: int = 0
    destroyed: int = 0  # weapons
    unaccounted: int = 0
    certificates: list[Path] = field(default_factory=list)


def _when(days_after_close: int, hour: int, minute: int = 0) -> dt.datetime:
    day = LONDON_CLOSE + dt.timedelta(days=days_after_close)
    return dt.datetime.combine(day, dt.time(hour, minute), LONDON)


def run_custody(
    ctx: Context, folder: Path, pins: Mapping[str, str], managers: Mapping[str, str], outcome: Any = None
) -> CustodyOutcome:
    """Book in, keep one, check, destroy in witnessed batches, confirm; notes go to `outcome`.
    `pins` and `managers` are the demo's own (passed in, so this module needs nothing of demo.py)."""
    from surrender.services import custody, destruction

    def _as(ctx: Context, number: str, when: dt.datetime, station: str | None = None) -> Context:
        return replace(ctx, staff=number, pin=pins[number], station=station, now=lambda: when)

    from surrender.services.custody_report import custody_report

    result = CustodyOutcome()
    for station in ("TW", "PK"):
        officer = PROPERTY[station]
        code, name = STORES[station]
        custody.add_location(_as(ctx, officer, _when(1, 8, 30)), code, name, station)
        counter = f"{station}-COUNTER"
        waiting = custody.list_exhibits(_as(ctx, officer, _when(1, 8, 45)), location=counter)
        void = [e.tag for e in waiting if e.voided]
        if void:  # logged twice by mistake: those tags were never on a bag of their own
            custody.never_received(
                _as(ctx, managers[station], _when(1, 9, 0)),
                void,
                "Surrender logged twice by mistake and voided: the bag is booked in under the first logging",
            )
            result.never_received += len(void)
        tags = [e.tag for e in waiting if not e.voided]
        for start in range(0, len(tags), TROLLEY):
            moved = custody.move_tags(
                _as(ctx, officer, _when(1, 10, start // TROLLEY)), tags[start : start + TROLLEY], code
            )
            result.booked_in += len(moved)
        if station == "TW" and tags:
            custody.retain(_as(ctx, managers[station], _when(2, 11, 0)), [tags[0]], RETAINED)
            result.retained += 1
        on_shelf = [e.tag for e in custody.list_exhibits(_as(ctx, officer, _when(3, 9, 0)), location=code)]
        custody.record_check(_as(ctx, officer, _when(3, 9, 30)), code, on_shelf)
        held = [e.tag for e in custody.list_exhibits(_as(ctx, officer, _when(3, 10, 0)), location=code, state="held")]
        for number, start in enumerate(range(0, len(held), BATCH_TAGS)):
            week = 7 * number
            opened = _as(ctx, officer, _when(4 + week, 9, 0), station)
            batch = destruction.open_batch(opened, METHOD, CONTRACTOR)
            destruction.add_to_batch(
                _as(ctx, officer, _when(4 + week, 9, 30)), batch.id, held[start : start + BATCH_TAGS]
            )
            pair = WITNESSES[station][number % len(WITNESSES[station])]
            sealed = destruction.seal_batch(
                _as(ctx, officer, _when(4 + week, 14, 0)), batch.id, list(pair), lambda witness: pins[witness.number]
            )
            result.batches += 1
            result.destroyed += sealed.weapons
            if number == 0:  # a certificate for each station's first batch: PDFs take a moment each
                from surrender.destruction_pdf import write_certificate

                path = folder / f"destruction-{station}-batch-{batch.id}.pdf"
                detail = destruction.batch_detail(_as(ctx, officer, _when(4 + week, 15, 0)), batch.id, sealed_only=True)
                result.certificates.append(write_certificate(detail, path))
            destruction.confirm_batch(
                _as(ctx, officer, _when(11 + week, 10, 0)),
                batch.id,
                f"EMR-{_when(4 + week, 14).strftime('%Y%m%d')}-{station}{number + 1}",
            )
    report = custody_report(_as(ctx, managers["TW"], _when(60, 12, 0)))
    result.unaccounted = report.total.unaccounted
    if outcome is not None:
        outcome.notes.append(
            f"Custody: {result.booked_in:,} tags booked into the stores; {result.never_received} never received "
            f"(the voided surrender); {result.retained} kept with authority; {result.destroyed:,} weapons destroyed "
            f"in {result.batches} witnessed batches; report custody: {result.unaccounted} unaccounted."
        )
        for path in result.certificates:
            outcome.notes.append(f"Certificate of destruction: {path.name}")
    return result
