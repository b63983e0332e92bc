"""Custody queries: exhibits (the tags), locations, custody events and stock checks, each taking
the `Scope` its reader may see; and `create_exhibits`, which stores a new surrender's tags.

Exhibits carry their surrender's station and campaign, so the custody report sums one table
(from the index `ix_exhibit_tally`); what a tag is (kind, description) comes from its item line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, case, func, insert, literal, select, union_all
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from surrender import tables
from surrender.db import insert_if_absent
from surrender.errors import NotFound
from surrender.rules.custody import (
    COUNTER,
    COUNTER_DAYS,
    HELD,
    MISSING,
    STATES,
    Place,
    Standing,
    counter_code,
    overdue_since,
    tags_for,
)
from surrender.store.scope import Scope

exhibit_c, location_c, event_c = tables.exhibit.c, tables.location.c, tables.custody_event.c
line_c, surrender_c, staff_c, check_c = tables.item_line.c, tables.surrender.c, tables.staff.c, tables.stock_check.c


# --- intake ------------------------------------------------------------------------------------


def counter_of(conn: Connection, station_code: str, force: str, now: dt.datetime) -> int:
    """The id of the station's counter location, made the first time a station needs one
    (migration 0006 makes them for the stations there were)."""
    code = counter_code(station_code)
    found = conn.execute(select(location_c.id).where(location_c.code == code)).scalar()
    if found is None:
        station = conn.execute(select(tables.station.c.name).where(tables.station.c.code == station_code)).scalar()
        insert_if_absent(
            conn,
            tables.location,
            code=code,
            name=f"{station or station_code} front counter",
            station_code=station_code,
            force_code=force,
            kind=COUNTER,
            max_days=COUNTER_DAYS,
            created_at=now,
            created_by=None,
        )
        found = conn.execute(select(location_c.id).where(location_c.code == code)).scalar_one()
    return int(found)


def create_exhibits(conn: Connection, surrender_id: int, now: dt.datetime) -> int:
    """Store one exhibit per tag the receipt prints (`rules.custody.tags_for`: a weapon each,
    or a bag per stock line with its count), all at the station's counter since the surrender.
    Reads the surrender's distinct lines (tens at most for a stock list of any length: counts
    are summed in SQL when the lines are stored) and inserts every tag in one statement.
    Returns the number of exhibits."""
    surrender = conn.execute(
        select(
            surrender_c.reference,
            surrender_c.station_code,
            surrender_c.campaign_code,
            surrender_c.item_count,
            surrender_c.surrendered_at,
            surrender_c.force_code,
        ).where(surrender_c.id == surrender_id)
    ).one()
    lines = conn.execute(
        select(line_c.number, line_c.first_line, line_c.quantity, line_c.kind, line_c.seal)
        .where(line_c.surrender_id == surrender_id)
        .order_by(line_c.number)
    ).all()
    counter = counter_of(conn, surrender.station_code, surrender.force_code, now)
    rows = [
        {
            "tag": tag.code,
            "surrender_id": surrender_id,
            "line_number": lines[tag.line].number,
            "station_code": surrender.station_code,
            "force_code": surrender.force_code,
            "campaign_code": surrender.campaign_code,
            "kind": lines[tag.line].kind,
            "quantity": tag.quantity,
            "seal": lines[tag.line].seal or "",
            "state": HELD,
            "location_id": counter,
            "since": surrender.surrendered_at,
        }
        for tag in tags_for(surrender.reference, surrender.item_count, lines)
    ]
    if rows:
        conn.execute(insert(tables.exhibit), rows)
    return len(rows)


# --- locations ---------------------------------------------------------------------------------


def find_location(conn: Connection, code: str, scope: Scope) -> Row[Any]:
    """The location with this code, if it is at a station the scope covers."""
    row = conn.execute(
        select(tables.location).where(
            location_c.code == code.strip().upper(), scope.station_filter(location_c.station_code)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no location {code.strip().upper()!r} at your stations: see `surrender custody location list`")
    return row


def location_by_id(conn: Connection, location_id: int) -> Row[Any]:
    return conn.execute(select(tables.location).where(location_c.id == location_id)).one()


def place_of(row: Row[Any]) -> Place:
    return Place(row.id, row.code, row.station_code, row.kind)


def locations(scope: Scope) -> Select[Any]:
    """Every location the scope covers with the tags and weapons held there, by station and code."""
    held = (
        select(exhibit_c.location_id, func.count().label("tags"), func.sum(exhibit_c.quantity).label("weapons"))
        .where(exhibit_c.state.in_((HELD, MISSING)))
        .group_by(exhibit_c.location_id)
        .subquery()
    )
    return (
        select(
            location_c.id,
            location_c.code,
            location_c.name,
            location_c.station_code,
            location_c.kind,
            location_c.max_days,
            func.coalesce(held.c.tags, 0).label("tags"),
            func.coalesce(held.c.weapons, 0).label("weapons"),
        )
        .select_from(tables.location.outerjoin(held, held.c.location_id == location_c.id))
        .where(scope.station_filter(location_c.station_code))
        .order_by(location_c.station_code, case((location_c.kind == COUNTER, 0), else_=1), location_c.code)
    )


# --- exhibits ----------------------------------------------------------------------------------

here = tables.location.alias("here")

EXHIBIT_COLUMNS = (
    exhibit_c.id,
    exhibit_c.tag,
    exhibit_c.surrender_id,
    exhibit_c.station_code,
    exhibit_c.campaign_code,
    exhibit_c.kind,
    exhibit_c.quantity,
    exhibit_c.seal,
    exhibit_c.state,
    exhibit_c.location_id,
    exhibit_c.since,
    exhibit_c.batch_id,
    exhibit_c.note,
    line_c.description,
    surrender_c.reference,
    surrender_c.voided_at,
    here.c.code.label("location_code"),
    here.c.kind.label("location_kind"),
    here.c.name.label("location_name"),
    here.c.max_days.label("location_max_days"),
    here.c.station_code.label("location_station"),
)


def exhibit_rows(scope: Scope) -> Select[Any]:
    """Exhibits with their description, surrender and place, limited to the scope's stations."""
    joined = (
        tables.exhibit.join(tables.surrender, surrender_c.id == exhibit_c.surrender_id)
        .join(
            tables.item_line,
            and_(line_c.surrender_id == exhibit_c.surrender_id, line_c.number == exhibit_c.line_number),
        )
        .outerjoin(here, here.c.id == exhibit_c.location_id)
    )
    return select(*EXHIBIT_COLUMNS).select_from(joined).where(scope.station_filter(exhibit_c.station_code))


def find_exhibit(conn: Connection, tag: str, scope: Scope, lock: bool = False) -> Row[Any] | None:
    """The exhibit with this tag if the scope covers its station (else None, as unknown)."""
    query = exhibit_rows(scope).where(exhibit_c.tag == tag)
    if lock:
        query = query.with_for_update(of=tables.exhibit)
    return conn.execute(query).one_or_none()


def find_exhibits(conn: Connection, tags: list[str], scope: Scope, lock: bool = False) -> dict[str, Row[Any]]:
    """The exhibits with these tags that the scope covers, by tag (a few queries for any number)."""
    found: dict[str, Row[Any]] = {}
    base = exhibit_rows(scope)
    for start in range(0, len(tags), 500):
        query = base.where(exhibit_c.tag.in_(tags[start : start + 500]))
        if lock:
            query = query.with_for_update(of=tables.exhibit)
        found.update((row.tag, row) for row in conn.execute(query))
    return found


def standing_of(row: Row[Any]) -> Standing:
    """An exhibit row (from `exhibit_rows`) as the move rules see it."""
    place = None
    if row.location_id is not None:
        place = Place(row.location_id, row.location_code, row.location_station, row.location_kind)
    return Standing(row.tag, row.station_code, row.state, place, row.batch_id)


def exhibits_at(scope: Scope, location_id: int, states: tuple[str, ...] = (HELD, MISSING)) -> Select[Any]:
    return (
        exhibit_rows(scope)
        .where(exhibit_c.location_id == location_id, exhibit_c.state.in_(states))
        .order_by(exhibit_c.tag)
    )


def exhibit_list(
    scope: Scope,
    location_id: int | None = None,
    state: str | None = None,
    reference_id: int | None = None,
    batch_id: int | None = None,
) -> Select[Any]:
    query = exhibit_rows(scope)
    if location_id is not None:
        query = query.where(exhibit_c.location_id == location_id)
    if state is not None:
        query = query.where(exhibit_c.state == state)
    if reference_id is not None:
        query = query.where(exhibit_c.surrender_id == reference_id)
    if batch_id is not None:
        query = query.where(exhibit_c.batch_id == batch_id)
    return query.order_by(exhibit_c.surrender_id, exhibit_c.id)


def history(conn: Connection, exhibit_id: int) -> list[Row[Any]]:
    """The exhibit's custody events, oldest first, with staff numbers and location codes."""
    came, went = tables.location.alias("came"), tables.location.alias("went")
    return list(
        conn.execute(
            select(
                event_c.id,
                event_c.at,
                event_c.action,
                event_c.batch_id,
                event_c.check_id,
                event_c.note,
                staff_c.number.label("staff"),
                came.c.code.label("from_code"),
                went.c.code.label("to_code"),
            )
            .select_from(
                tables.custody_event.join(tables.staff, staff_c.id == event_c.staff_id)
                .outerjoin(came, came.c.id == event_c.from_location_id)
                .outerjoin(went, went.c.id == event_c.to_location_id)
            )
            .where(event_c.exhibit_id == exhibit_id)
            .order_by(event_c.id)
        )
    )


def intake_of(conn: Connection, surrender_id: int) -> Row[Any, Any, Any, Any, Any]:
    """Who received the surrender at the counter and when (the first line of every tag's history)."""
    return conn.execute(
        select(
            surrender_c.surrendered_at,
            surrender_c.recorded_at,
            surrender_c.voided_at,
            surrender_c.void_reason,
            staff_c.number.label("staff"),
        )
        .join(tables.staff, staff_c.id == surrender_c.staff_id)
        .where(surrender_c.id == surrender_id)
    ).one()


def record_events(
    conn: Connection, exhibit_ids: list[int], at: dt.datetime, staff: Row[Any], action: str, **values: Any
) -> None:
    """One custody event per exhibit, in one statement, by `staff` (in their force: the
    exhibits were found within it)."""
    if exhibit_ids:
        conn.execute(
            insert(tables.custody_event),
            [
                {
                    "exhibit_id": i,
                    "at": at,
                    "staff_id": staff.id,
                    "force_code": staff.force_code,
                    "action": action,
                    "from_location_id": None,
                    "to_location_id": None,
                    "batch_id": None,
                    "check_id": None,
                    "note": None,
                    **values,
                }
                for i in exhibit_ids
            ],
        )


def surrender_keys(conn: Connection, exhibit_ids: list[int]) -> list[str]:
    """The audit records ("surrender:ID") these exhibits belong to."""
    if not exhibit_ids:
        return []
    ids = conn.execute(
        select(exhibit_c.surrender_id).where(exhibit_c.id.in_(exhibit_ids)).distinct().order_by(exhibit_c.surrender_id)
    ).scalars()
    return [f"surrender:{i}" for i in ids]


# --- the reconciliation ------------------------------------------------------------------------


def tally(scope: Scope, station: str | None = None) -> Select[Any]:
    """Per station, campaign and state: tags and weapons. One GROUP BY read straight off the
    covering index ix_exhibit_tally (station, campaign, state, quantity), in its order."""
    query = (
        select(
            exhibit_c.station_code,
            exhibit_c.campaign_code,
            exhibit_c.state,
            func.count().label("tags"),
            func.sum(exhibit_c.quantity).label("weapons"),
        )
        .where(scope.station_filter(exhibit_c.station_code))
        .group_by(exhibit_c.station_code, exhibit_c.campaign_code, exhibit_c.state)
        .order_by(exhibit_c.station_code, exhibit_c.campaign_code, exhibit_c.state)
    )
    if station is not None:
        query = query.where(exhibit_c.station_code == station)
    return query


def exceptions(
    scope: Scope,
    now: dt.datetime,
    limits: dict[int, int],
    past_campaigns: list[str],
    station: str | None = None,
    unknown_states: bool = False,
) -> Select[Any]:
    """Exhibits that need someone's attention, one row per problem (`problem`):
    `unaccounted` (missing at a stock check; with `unknown_states`, also in a state nobody
    knows), `overdue` (held longer than its place allows: `limits` maps location id to days)
    and `past destruction date` (held after its scheme's date: `past_campaigns`). Each part
    is a range of the index ix_exhibit_state_place, so a million destroyed exhibits cost nothing."""

    def part(problem: str, *where: ColumnElement[bool]) -> Select[Any]:
        query = exhibit_rows(scope).add_columns(literal(problem).label("problem")).where(*where)
        return query.where(exhibit_c.station_code == station) if station is not None else query

    parts = [part("unaccounted", exhibit_c.state == MISSING)]
    if unknown_states:
        parts.append(part("unaccounted", exhibit_c.state.not_in(STATES)))
    parts += [
        part(
            "overdue",
            exhibit_c.state == HELD,
            exhibit_c.location_id == ident,
            exhibit_c.since < overdue_since(now, days),
        )
        for ident, days in sorted(limits.items())
    ]
    if past_campaigns:
        parts.append(
            part("past destruction date", exhibit_c.state == HELD, exhibit_c.campaign_code.in_(past_campaigns))
        )
    every = union_all(*parts).subquery()
    return select(every).order_by(every.c.station_code, every.c.tag, every.c.problem)


# --- stock checks ------------------------------------------------------------------------------


def checks(scope: Scope, location_id: int | None = None) -> Select[Any]:
    query = (
        select(
            check_c.id,
            check_c.at,
            check_c.expected,
            check_c.found,
            check_c.missing,
            check_c.elsewhere,
            check_c.unknown,
            location_c.code.label("location"),
            staff_c.number.label("staff"),
        )
        .select_from(
            tables.stock_check.join(tables.location, location_c.id == check_c.location_id).join(
                tables.staff, staff_c.id == check_c.staff_id
            )
        )
        .where(scope.station_filter(location_c.station_code))
        .order_by(check_c.id)
    )
    if location_id is not None:
        query = query.where(check_c.location_id == location_id)
    return query
