"""Custody after the counter: locations, moves by scan or by tag, where a tag has been, stock
checks, and the manager's "never received" and "retained with authority".

Each use case is one transaction through `perform`; every change writes custody events and an
audit event in it (the audit event's digests cover the exhibits of each surrender touched). A
scan moves one tag per transaction, so each tag said back is a tag recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import NotFound, Refused
from surrender.rules import custody as rules
from surrender.rules.campaign import parse_campaign
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import custody as store
from surrender.store.forces import find_station
from surrender.store.scope import Scope
from surrender.store.staff import scope_of, stations_of

WRITE_BOUND_ROLES = frozenset({"desk", "property", "manager"})  # change custody at their own stations only


def acting_scope(conn: Connection, staff: Row[Any]) -> Scope:
    """Where a member may change custody: desk, property and managers at their stations (own and
    granted); an admin anywhere."""
    if staff.role in WRITE_BOUND_ROLES:
        return Scope.of_stations(stations_of(conn, staff), staff.force_code)
    return Scope.of_force(staff.force_code)


def _stations_text(scope: Scope) -> str:
    return ", ".join(sorted(scope.stations)) if scope.stations is not None else "any station"


# --- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationView:
    code: str
    name: str
    station: str
    kind: rules.PlaceKind | str
    max_days: int | None
    tags: int = 0
    weapons: int = 0


@dataclass(frozen=True)
class ExhibitView:
    tag: str
    reference: str
    station: str
    campaign: str
    kind: str
    kind_label: str
    quantity: int
    seal: str
    description: str
    state: rules.ExhibitState | str  # a str only for a state nobody knows (see rules.custody.state_of)
    location: str | None
    location_name: str | None
    since: dt.datetime
    batch: int | None
    note: str | None
    voided: bool

    @property
    def said(self) -> str:
        """What a scan says back: enough to check the tag is on the right bag."""
        what = f"{self.quantity:,} × {self.kind_label}" if self.quantity != 1 else self.kind_label
        parts = [
            what,
            self.description or None,
            f"seal {self.seal}" if self.seal else None,
            "VOID surrender" if self.voided else None,
        ]
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class Moved:
    exhibit: ExhibitView
    came_from: str | None
    to: str
    found: bool = False  # it was missing at a stock check


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    action: str
    staff: str | None
    came_from: str | None = None
    to: str | None = None
    batch: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Whereabouts:
    exhibit: ExhibitView
    history: list[HistoryEntry]


@dataclass(frozen=True)
class CheckResult:
    id: int
    location: str
    at: dt.datetime
    expected: int
    found: list[str]
    missing: list[str]
    elsewhere: list[tuple[str, str]]  # (tag, where the records have it)
    unknown: list[str]
    newly_missing: int = 0
    found_again: int = 0


@dataclass(frozen=True)
class Sighting:
    """A tag read during a stock check, before the check is recorded."""

    tag: str
    exhibit: ExhibitView | None  # None: unknown here
    here: bool
    where: str | None  # where the records have it, if not here


@dataclass
class KindLabels:
    """Kind labels from each campaign's stored text (parsed once per process)."""

    by_campaign: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Connection) -> KindLabels:
        labels = cls()
        for code, source in conn.execute(select(tables.campaign.c.code, tables.campaign.c.source)):
            try:
                labels.by_campaign[code] = {k.code: k.label for k in parse_campaign(source).kinds.values()}
            except Refused:
                labels.by_campaign[code] = {}
        return labels

    def label(self, campaign: str, kind: str) -> str:
        return self.by_campaign.get(campaign, {}).get(kind, kind)


def exhibit_view(row: Row[Any], labels: KindLabels) -> ExhibitView:
    return ExhibitView(
        tag=row.tag,
        reference=row.reference,
        station=row.station_code,
        campaign=row.campaign_code,
        kind=row.kind,
        kind_label=labels.label(row.campaign_code, row.kind),
        quantity=row.quantity,
        seal=row.seal or "",
        description=row.description or "",
        state=rules.state_of(row.state),
        location=row.location_code,
        location_name=row.location_name,
        since=row.since,
        batch=row.batch_id,
        note=row.note,
        voided=row.voided_at is not None,
    )


def _location_view(row: Row[Any]) -> LocationView:
    return LocationView(
        row.code,
        row.name,
        row.station_code,
        _kind(row.kind),
        row.max_days,
        getattr(row, "tags", 0),
        getattr(row, "weapons", 0),
    )


def _kind(value: str) -> rules.PlaceKind | str:
    return rules.PlaceKind(value) if value in rules.LOCATION_KINDS else value


# --- locations ---------------------------------------------------------------------------------


def list_locations(ctx: Context) -> list[LocationView]:
    def work(conn: Connection, staff: Row[Any]) -> list[LocationView]:
        return [_location_view(r) for r in conn.execute(store.locations(scope_of(conn, staff)))]

    return perform(ctx, "custody.locations", work, write=False)


def add_location(
    ctx: Context, code: str, name: str, station: str | None, kind: str = rules.STORE, max_days: int | None = None
) -> LocationView:
    code, name = rules.location_code(code), rules.location_name(name)
    if kind == rules.COUNTER:
        raise Refused("each station has its one counter already (made with the station)")
    limit = rules.location_limit(kind, max_days)

    def work(conn: Connection, staff: Row[Any]) -> LocationView:
        where = (station or ctx.station or staff.station_code or "").upper()
        if not where:
            raise Refused("name the location's station with --station")
        scope = acting_scope(conn, staff)
        if find_station(conn, where, Scope.of_force(staff.force_code)) is None:
            raise NotFound(f"no station {where!r}")
        if not scope.covers(where):
            raise Refused(f"staff member {staff.number} keeps custody at {_stations_text(scope)}, not at {where}")
        if conn.execute(select(tables.location.c.id).where(tables.location.c.code == code)).first():
            raise Refused(f"location {code} exists already")
        now = ctx.now()
        ident = conn.execute(
            insert(tables.location)
            .values(
                code=code,
                name=name,
                station_code=where,
                force_code=staff.force_code,
                kind=kind,
                max_days=limit,
                created_at=now,
                created_by=staff.id,
            )
            .returning(tables.location.c.id)
        ).scalar_one()
        audit.record(
            conn,
            now,
            staff.id,
            "custody.location_added",
            "location",
            ident,
            {"code": code, "name": name, "station": where, "kind": kind, "max_days": limit},
        )
        return LocationView(code, name, where, _kind(kind), limit)

    return perform(ctx, "custody.location_add", work)


# --- moving ------------------------------------------------------------------------------------


def open_scan(ctx: Context, to: str, action: str = "custody.scan") -> LocationView:
    """Sign in and find the destination before the first tag is read."""

    def work(conn: Connection, staff: Row[Any]) -> LocationView:
        return _location_view(store.find_location(conn, to, acting_scope(conn, staff)))

    return perform(ctx, action, work, write=False)


def _move(conn: Connection, ctx: Context, staff: Row[Any], tags: Sequence[str], to: str, via: str) -> list[Moved]:
    scope = acting_scope(conn, staff)
    destination = store.find_location(conn, to, scope)
    place = store.place_of(destination)
    stations = stations_of(conn, staff)
    labels = KindLabels.read(conn)
    now = ctx.now()
    wanted = list(dict.fromkeys(tags))
    known = store.find_exhibits(conn, wanted, scope, lock=True)
    rows: list[Row[Any]] = []
    for tag in wanted:
        row = known.get(tag)
        if row is None:
            raise Refused(f"{tag}: no such tag at {_stations_text(scope)}")
        refusal = rules.move_refusal(store.standing_of(row), place, staff.role, stations)
        if refusal:
            raise Refused(f"{tag}: {refusal}")
        rows.append(row)
    ids = [r.id for r in rows]
    conn.execute(
        update(tables.exhibit)
        .where(tables.exhibit.c.id.in_(ids))
        .values(location_id=place.id, state=rules.HELD, since=now)
    )
    for came_from, group in _by_place(rows).items():
        store.record_events(
            conn,
            [r.id for r in group if r.state != rules.MISSING],
            now,
            staff,
            "moved",
            from_location_id=came_from,
            to_location_id=place.id,
        )
        store.record_events(
            conn,
            [r.id for r in group if r.state == rules.MISSING],
            now,
            staff,
            "moved",
            from_location_id=came_from,
            to_location_id=place.id,
            note="found (was missing)",
        )
    moved = [Moved(exhibit_view(r, labels), r.location_code, place.code, r.state == rules.MISSING) for r in rows]
    detail = {
        "to": place.code,
        "via": via,
        "tags": [m.exhibit.tag for m in moved],
        "from": sorted({m.came_from or "-" for m in moved}),
    }
    audit.record(
        conn, now, staff.id, "custody.moved", "exhibit", ids[0], detail, touches=store.surrender_keys(conn, ids[1:])
    )
    return moved


def _by_place(rows: list[Row[Any]]) -> dict[int | None, list[Row[Any]]]:
    places: dict[int | None, list[Row[Any]]] = {}
    for row in rows:
        places.setdefault(row.location_id, []).append(row)
    return places


def scan_tag(ctx: Context, to: str, text: str) -> Moved:
    """One scanned line: the tag moves to `to` (its own transaction), or is refused."""
    tag = rules.parse_tag(text)
    return perform(ctx, "custody.scan", lambda conn, staff: _move(conn, ctx, staff, [tag], to, "scan")[0])


def move_tags(ctx: Context, tags: Iterable[str], to: str) -> list[Moved]:
    """Move every tag to `to` in one transaction: all of them, or none if one is refused."""
    parsed = [rules.parse_tag(t) for t in tags]
    if not parsed:
        raise Refused("name the tags to move: surrender custody move TAG... --to LOCATION")
    return perform(ctx, "custody.move", lambda conn, staff: _move(conn, ctx, staff, parsed, to, "move"))


# --- reading -----------------------------------------------------------------------------------


def where(ctx: Context, text: str) -> Whereabouts:
    """A tag's whole story: received at the counter, every move, check, batch and its end."""
    tag = rules.parse_tag(text)

    def work(conn: Connection, staff: Row[Any]) -> Whereabouts:
        scope = scope_of(conn, staff)
        row = store.find_exhibit(conn, tag, scope)
        if row is None:
            raise NotFound(f"no tag {tag} at {_stations_text(scope)}")
        intake = store.intake_of(conn, row.surrender_id)
        counter = conn.execute(
            select(tables.location.c.code).where(tables.location.c.code == rules.counter_code(row.station_code))
        ).scalar()
        entries = [HistoryEntry(intake.surrendered_at, "received", intake.staff, None, counter)]
        if intake.voided_at is not None:
            entries.append(HistoryEntry(intake.voided_at, "surrender voided", None, note=intake.void_reason))
        entries += [
            HistoryEntry(e.at, e.action, e.staff, e.from_code, e.to_code, e.batch_id, e.note)
            for e in store.history(conn, row.id)
        ]
        entries.sort(key=lambda e: e.at)
        return Whereabouts(exhibit_view(row, KindLabels.read(conn)), entries)

    return perform(ctx, "custody.where", work, write=False)


def list_exhibits(
    ctx: Context, location: str | None = None, state: str | None = None, reference: str | None = None
) -> list[ExhibitView]:
    if state is not None and state not in rules.STATES:
        raise Refused(f"state {state!r} is not one of {', '.join(rules.STATES)}")

    def work(conn: Connection, staff: Row[Any]) -> list[ExhibitView]:
        from surrender.store.surrenders import find_surrender

        scope = scope_of(conn, staff)
        location_id = store.find_location(conn, location, scope).id if location else None
        surrender_id = find_surrender(conn, reference, scope).id if reference else None
        labels = KindLabels.read(conn)
        return [
            exhibit_view(r, labels) for r in conn.execute(store.exhibit_list(scope, location_id, state, surrender_id))
        ]

    return perform(ctx, "custody.where", work, write=False)


# --- stock checks ------------------------------------------------------------------------------


def open_check(ctx: Context, location: str) -> LocationView:
    return open_scan(ctx, location, "custody.check")


def sight(ctx: Context, location: str, text: str) -> Sighting:
    """What one line scanned at a shelf is, said back at once (reads only; the check is
    recorded by `record_check` when the shelf is done)."""
    tag = rules.parse_tag(text)

    def work(conn: Connection, staff: Row[Any]) -> Sighting:
        scope = acting_scope(conn, staff)
        place = store.find_location(conn, location, scope)
        row = store.find_exhibit(conn, tag, scope)
        if row is None:
            return Sighting(tag, None, False, None)
        here = row.location_id == place.id and row.state in rules.ON_HAND
        elsewhere = (
            None
            if here
            else (row.location_code if row.state in rules.ON_HAND else rules.STATE_LABEL.get(row.state, row.state))
        )
        return Sighting(tag, exhibit_view(row, KindLabels.read(conn)), here, elsewhere)

    return perform(ctx, "custody.check", work, write=False)


def record_check(ctx: Context, location: str, scanned: Sequence[str], empty: bool = False) -> CheckResult:
    """The shelf against the records: what is missing (marked so until scanned again), what is
    there but recorded elsewhere, and unknown tags; the check and its result are stored. With
    nothing scanned where tags are recorded, nothing is stored unless `empty` says the shelf
    really is empty (an Enter pressed too soon must not mark a whole shelf missing)."""
    tags = []
    unreadable = []
    for text in scanned:
        try:
            tags.append(rules.parse_tag(text))
        except Refused:
            unreadable.append(" ".join(str(text).split())[:60])

    def work(conn: Connection, staff: Row[Any]) -> CheckResult:
        scope = acting_scope(conn, staff)
        place = store.find_location(conn, location, scope)
        now = ctx.now()
        expected = {r.tag: r for r in conn.execute(store.exhibits_at(scope, place.id))}
        if not scanned and expected and not empty:
            raise Refused(
                f"nothing was scanned at {place.code}, where {len(expected)} tag(s) are recorded: no check "
                "recorded; if the shelf really is empty, check again with --empty"
            )
        known = store.find_exhibits(conn, list(dict.fromkeys(tags)), scope)
        outcome = rules.compare_shelf(expected, tags, known)
        newly_missing = [expected[t].id for t in outcome.missing if expected[t].state == rules.HELD]
        found_again = [expected[t].id for t in outcome.found if expected[t].state == rules.MISSING]
        elsewhere = [
            (
                t,
                known[t].location_code
                if known[t].state in rules.ON_HAND and known[t].location_code
                else rules.STATE_LABEL.get(known[t].state, known[t].state),
            )
            for t in outcome.elsewhere
        ]
        unknown = [*outcome.unknown, *unreadable]
        result = {
            "found": list(outcome.found),
            "missing": list(outcome.missing),
            "elsewhere": [list(pair) for pair in elsewhere],
            "unknown": unknown,
        }
        check_id = conn.execute(
            insert(tables.stock_check)
            .values(
                location_id=place.id,
                force_code=staff.force_code,
                at=now,
                staff_id=staff.id,
                expected=len(expected),
                found=len(outcome.found),
                missing=len(outcome.missing),
                elsewhere=len(elsewhere),
                unknown=len(unknown),
                result=json.dumps(result, ensure_ascii=False),
            )
            .returning(tables.stock_check.c.id)
        ).scalar_one()
        exhibit = tables.exhibit.c
        if newly_missing:
            conn.execute(
                update(tables.exhibit).where(exhibit.id.in_(newly_missing)).values(state=rules.MISSING, since=now)
            )
            store.record_events(
                conn, newly_missing, now, staff, "missing", from_location_id=place.id, check_id=check_id
            )
        if found_again:
            conn.execute(update(tables.exhibit).where(exhibit.id.in_(found_again)).values(state=rules.HELD, since=now))
            store.record_events(conn, found_again, now, staff, "found", to_location_id=place.id, check_id=check_id)
        audit.record(
            conn,
            now,
            staff.id,
            "custody.checked",
            "location",
            place.id,
            {
                "check": check_id,
                "location": place.code,
                "expected": len(expected),
                "found": len(outcome.found),
                "missing": list(outcome.missing),
                "elsewhere": [t for t, _ in elsewhere],
                "unknown": len(unknown),
            },
            touches=store.surrender_keys(conn, newly_missing + found_again),
        )
        return CheckResult(
            check_id,
            place.code,
            now,
            len(expected),
            list(outcome.found),
            list(outcome.missing),
            elsewhere,
            unknown,
            len(newly_missing),
            len(found_again),
        )

    return perform(ctx, "custody.check", work)


# --- a manager's decisions ---------------------------------------------------------------------


def _close(ctx: Context, texts: Iterable[str], note: str, state: str, action: str, what: str) -> list[ExhibitView]:
    tags = list(dict.fromkeys(rules.parse_tag(t) for t in texts))
    if not tags:
        raise Refused("name at least one tag")
    note = rules.require_note(note, what)

    def work(conn: Connection, staff: Row[Any]) -> list[ExhibitView]:
        scope = acting_scope(conn, staff)
        labels = KindLabels.read(conn)
        now = ctx.now()
        rows = []
        known = store.find_exhibits(conn, tags, scope, lock=True)
        for tag in tags:
            row = known.get(tag)
            if row is None:
                raise Refused(f"{tag}: no such tag at {_stations_text(scope)}")
            if row.state not in rules.ON_HAND:
                raise Refused(f"{tag} is {rules.STATE_LABEL.get(row.state, row.state)} already")
            if row.batch_id is not None:
                raise Refused(
                    f"{tag} is in destruction batch {row.batch_id}: take it out first "
                    f"(surrender destruction remove {row.batch_id} {tag})"
                )
            rows.append(row)
        ids = [r.id for r in rows]
        keep_place = state == rules.RETAINED
        exhibit = tables.exhibit.c
        conn.execute(
            update(tables.exhibit)
            .where(exhibit.id.in_(ids))
            .values(state=state, since=now, note=note, **({} if keep_place else {"location_id": None}))
        )
        for place, group in _by_place(rows).items():
            store.record_events(
                conn,
                [r.id for r in group],
                now,
                staff,
                state,
                from_location_id=place,
                to_location_id=place if keep_place else None,
                note=note,
            )
        audit.record(
            conn,
            now,
            staff.id,
            action,
            "exhibit",
            ids[0],
            {"tags": tags, "reason": audit.private("reason", note)},
            touches=store.surrender_keys(conn, ids[1:]),
        )
        return [
            exhibit_view(r, labels)
            for r in conn.execute(store.exhibit_rows(scope).where(exhibit.id.in_(ids)).order_by(exhibit.id))
        ]

    return perform(ctx, action, work)


def never_received(ctx: Context, tags: Iterable[str], reason: str) -> list[ExhibitView]:
    """A manager marks tags that never reached custody (a surrender logged twice by mistake)."""
    return _close(ctx, tags, reason, rules.NEVER_RECEIVED, "custody.never_received", "reason")


def retain(ctx: Context, tags: Iterable[str], authority: str) -> list[ExhibitView]:
    """A manager keeps tags from destruction with an authority (training, a museum)."""
    return _close(ctx, tags, authority, rules.RETAINED, "custody.retained", "authority")
