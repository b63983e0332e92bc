"""Custody rules: the tags a surrender's weapons carry, where an exhibit may go, when it is
overdue, who may witness a destruction, and how a station's numbers reconcile.

Pure: no database, no files, no clock (the caller passes `now`). The tag rule here is the one
the receipt prints and the one the exhibits are stored by, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from surrender.errors import Refused
from surrender.rules.bounds import NAME_CHARS, REASON_CHARS, clip, within
from surrender.rules.references import EXAMPLE, normalise_reference

# --- tags --------------------------------------------------------------------------------------

UNIT_TAG_LIMIT = 60  # above this many items, one tag per stock line (a bag) instead of per weapon


class TagLine(Protocol):
    """What the tag rule needs of a line of the item table (a stored item_line or a LineView)."""

    @property
    def first_line(self) -> int: ...

    @property
    def quantity(self) -> int: ...


@dataclass(frozen=True)
class Tag:
    code: str  # what the barcode says: REF/n for a weapon, REF/Lk for a stock line's bag
    line: int  # index (0-based) of the line in the item table it comes from
    quantity: int  # weapons under this tag
    ordinal: int  # n in "Item n of N" / "Group n of N"
    total: int  # N
    per_unit: bool  # one tag per weapon (True) or per stock line (False)


def per_unit(item_count: int) -> bool:
    """One tag per weapon up to UNIT_TAG_LIMIT items; beyond, one per stock line."""
    return item_count <= UNIT_TAG_LIMIT


def tags_for(reference: str, item_count: int, lines: Sequence[TagLine]) -> list[Tag]:
    """Every tag a surrender's weapons carry, in the order of its item table: one per weapon,
    numbered 1..N (`REF/n`), or for a large stock list one per line with its quantity
    (`REF/L<first row>`). The receipt prints these; the exhibits are these."""
    if per_unit(item_count):
        tags, n = [], 0
        for index, line in enumerate(lines):
            for _ in range(line.quantity):
                n += 1
                tags.append(Tag(f"{reference}/{n}", index, 1, n, item_count, True))
        return tags
    return [
        Tag(f"{reference}/L{line.first_line}", index, line.quantity, index + 1, len(lines), False)
        for index, line in enumerate(lines)
    ]


_TAG = re.compile(r"^(.+)/(L?)(\d{1,9})$")
TAG_EXAMPLE = f"{EXAMPLE}/1"


def parse_tag(text: str) -> str:
    """A scanned or typed tag in its stored form (upper case, the reference's dashes restored);
    refuses what is not a tag, or a reference whose check character fails."""
    raw = re.sub(r"\s+", "", text or "").upper()
    match = _TAG.match(raw)
    if not match:
        raise Refused(f"{clip(text)} is not a tag: they look like {TAG_EXAMPLE} (or .../L12 for a stock bag)")
    reference = normalise_reference(match.group(1))
    number = int(match.group(3))
    if number < 1:
        raise Refused(f"{clip(text)} is not a tag: item and line numbers start at 1")
    return f"{reference}/{match.group(2)}{number}"


# --- exhibits and places -----------------------------------------------------------------------


class ExhibitState(StrEnum):
    HELD = "held"  # at a location of its station
    MISSING = "missing"  # not found at its location's last stock check: unaccounted until scanned again
    DESTROYED = "destroyed"  # in a sealed destruction batch
    RETAINED = "retained"  # kept from destruction with an authority (training, a museum)
    NEVER_RECEIVED = "never_received"  # a manager's finding: the tag was never on a bag (a voided duplicate)


HELD, MISSING, DESTROYED, RETAINED, NEVER_RECEIVED = ExhibitState
STATES: tuple[ExhibitState, ...] = tuple(ExhibitState)
ON_HAND = frozenset({HELD, MISSING})  # still the station's to account for (and to destroy)
STATE_LABEL = {
    HELD: "held",
    MISSING: "missing (not found at its last stock check)",
    DESTROYED: "destroyed",
    RETAINED: "retained with authority",
    NEVER_RECEIVED: "never received",
}


class PlaceKind(StrEnum):
    COUNTER = "counter"  # each station's one front counter, where every exhibit starts
    STORE = "store"  # a property store: no time limit
    TEMPORARY = "temporary"  # a lab, a court: overdue after its max_days


COUNTER, STORE, TEMPORARY = PlaceKind
LOCATION_KINDS: tuple[PlaceKind, ...] = tuple(PlaceKind)
COUNTER_DAYS = 2  # an exhibit still at the counter after this many days is overdue
TEMPORARY_DAYS = 14  # the default limit of a temporary place (a lab, a court)
MAX_DAYS = 3650
_LOCATION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


def counter_code(station: str) -> str:
    return f"{station.upper()}-COUNTER"


def location_code(text: str) -> str:
    """A location code as stored: upper case, 2-20 letters, digits and dashes."""
    code = (text or "").strip().upper()
    if not _LOCATION_CODE.match(code):
        raise Refused(f"location code {clip(text)} must be 2-20 letters, digits and dashes, like TW-STORE")
    return code


def location_name(text: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise Refused("a location needs a --name, like 'Thorpe Wood property store'")
    return within(name, "location name", NAME_CHARS)


def state_of(value: str) -> ExhibitState | str:
    """A stored state as the enum; a value nobody knows (written behind the tool's back) as is."""
    return ExhibitState(value) if value in STATES else value


def location_limit(kind: str, max_days: int | None) -> int | None:
    """The days an exhibit may stay in a place of this kind before it is overdue."""
    if kind not in LOCATION_KINDS:
        raise Refused(f"location kind {clip(kind)} is not one of {', '.join(LOCATION_KINDS)}")
    if max_days is not None and not 1 <= max_days <= MAX_DAYS:
        raise Refused(f"--max-days must be 1 to {MAX_DAYS:,}")
    if kind == STORE:
        if max_days is not None:
            raise Refused("a store has no time limit: --max-days is for temporary places")
        return None
    return max_days or (COUNTER_DAYS if kind == COUNTER else TEMPORARY_DAYS)


@dataclass(frozen=True)
class Place:
    """A location as the move rules see it."""

    id: int
    code: str
    station: str
    kind: str


@dataclass(frozen=True)
class Standing:
    """An exhibit as the move rules see it."""

    tag: str
    station: str
    state: str
    location: Place | None
    batch_id: int | None = None


def move_refusal(exhibit: Standing, to: Place, role: str, stations: Iterable[str]) -> str | None:
    """Why this exhibit may not move to `to` (None: it may). A desk officer moves only from
    their station's counter to that station's store; nobody moves a destroyed or never-received
    exhibit, one already there, or one to another station's place."""
    if exhibit.state == DESTROYED:
        return f"destroyed in batch {exhibit.batch_id}: it cannot move"
    if exhibit.state == NEVER_RECEIVED:
        return "marked never received: it cannot move"
    if exhibit.location is not None and exhibit.location.id == to.id and exhibit.state != MISSING:
        return f"already at {to.code}"
    if exhibit.station != to.station:
        return f"belongs to station {exhibit.station}: it goes to a {exhibit.station} place, not {to.code}"
    if role == "desk":
        if to.station not in set(stations):
            return f"desk officers move exhibits at their own stations only, not at {to.station}"
        if exhibit.location is None or exhibit.location.kind != COUNTER or to.kind != STORE:
            where = exhibit.location.code if exhibit.location else "nowhere"
            return f"desk officers move exhibits only from the counter to the store (this one is at {where})"
    return None


def overdue_since(now: dt.datetime, max_days: int) -> dt.datetime:
    """An exhibit at a place with this limit is overdue if it has been there since before this."""
    return now - dt.timedelta(days=max_days)


def is_overdue(since: dt.datetime, max_days: int | None, now: dt.datetime) -> bool:
    return max_days is not None and since < overdue_since(now, max_days)


def past_destruction_date(destroy_by: dt.date | None, today: dt.date) -> bool:
    """Held after the scheme's destruction date (from its campaign file)."""
    return destroy_by is not None and today > destroy_by


def require_note(text: str | None, what: str) -> str:
    """The reason an exhibit was never received, or the authority to retain it: one tidy line."""
    note = " ".join((text or "").split())
    if not note:
        raise Refused(f"give the {what}")
    return within(note, what, REASON_CHARS)


# --- destruction -------------------------------------------------------------------------------


def destruction_text(text: str | None, what: str) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise Refused(f"a destruction batch needs its {what}")
    return within(value, what, NAME_CHARS)


def witness_refusal(witnesses: Sequence[str], previous: Sequence[str] | None) -> str | None:
    """Two different witnesses, and never the same pair as the station's previous batch."""
    if len(witnesses) != 2:
        return (
            f"a destruction is witnessed by exactly two staff members (--witness N --witness N), not {len(witnesses)}"
        )
    if witnesses[0] == witnesses[1]:
        return f"the two witnesses must be different people ({witnesses[0]} twice)"
    if previous is not None and set(previous) == set(witnesses):
        return (
            f"{witnesses[0]} and {witnesses[1]} witnessed this station's previous batch together: "
            "the same pair never witnesses two batches in a row"
        )
    return None


def parse_witness_pins(text: str | None) -> dict[str, str]:
    """SURRENDER_WITNESS_PINS="NUMBER:PIN,NUMBER:PIN" for scripts."""
    pins: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        number, sep, pin = part.strip().partition(":")
        if not sep or not number.strip() or not pin.strip():
            raise Refused("SURRENDER_WITNESS_PINS looks like NUMBER:PIN,NUMBER:PIN")
        pins[number.strip()] = pin.strip()
    return pins


# --- stock checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutcome:
    found: tuple[str, ...]  # recorded here and scanned
    missing: tuple[str, ...]  # recorded here, not scanned
    elsewhere: tuple[str, ...]  # scanned here, recorded somewhere else (or destroyed, ...)
    unknown: tuple[str, ...]  # scanned, no such tag (or not one of the reader's stations)


def compare_shelf(expected: Iterable[str], scanned: Sequence[str], known: Iterable[str]) -> CheckOutcome:
    """A shelf against the records: `expected` the tags recorded here, `scanned` what was read
    (repeats ignored), `known` the scanned tags that exist at all."""
    here, seen, exists = set(expected), list(dict.fromkeys(scanned)), set(known)
    return CheckOutcome(
        found=tuple(t for t in seen if t in here),
        missing=tuple(sorted(here - set(seen))),
        elsewhere=tuple(t for t in seen if t not in here and t in exists),
        unknown=tuple(t for t in seen if t not in exists),
    )


# --- reconciliation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """One station and scheme: weapons received and where each went."""

    received: int
    held: int
    destroyed: int
    retained: int
    never_received: int

    @property
    def unaccounted(self) -> int:
        """received = held + destroyed + retained + never received; what is left is unaccounted
        (missing at a stock check, or in no state the records know)."""
        return self.received - self.held - self.destroyed - self.retained - self.never_received


def reconcile(received: int, by_state: Mapping[str, int]) -> Tally:
    """The tally from the weapons received and the weapons in each state."""
    return Tally(
        received=received,
        held=by_state.get(HELD, 0),
        destroyed=by_state.get(DESTROYED, 0),
        retained=by_state.get(RETAINED, 0),
        never_received=by_state.get(NEVER_RECEIVED, 0),
    )
