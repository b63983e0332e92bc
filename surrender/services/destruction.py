"""Destruction batches: opened by a store officer with the method and contractor, filled with
held exhibits of the station (by tag or by scan), sealed when two staff witnesses each confirm
with their own PIN, then only the contractor's certificate number is ever added.

Sealing destroys every exhibit in the batch in the same transaction (state, place, a custody
event each, set-based), with one audit event whose digests cover the batch and the exhibits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, literal, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import NotFound, Refused
from surrender.rules import custody as rules
from surrender.services import audit, witnesses
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.custody import ExhibitView, KindLabels, acting_scope, exhibit_view
from surrender.store import custody as custody_store
from surrender.store import destruction as store
from surrender.store.forces import find_station
from surrender.store.staff import scope_of

exhibit_t, batch_t = tables.exhibit, tables.destruction_batch


@dataclass(frozen=True)
class BatchView:
    id: int
    station: str
    method: str
    contractor: str
    opened_at: dt.datetime
    opened_by: str
    sealed_at: dt.datetime | None
    sealed_by: str | None
    witnesses: tuple[str, ...]  # "5023 Insp Morgan Lee"
    certificate: str | None
    confirmed_at: dt.datetime | None
    tags: int
    weapons: int

    @property
    def status(self) -> str:
        if self.sealed_at is None:
            return "open"
        return "confirmed" if self.certificate else "sealed"


@dataclass(frozen=True)
class KindTotal:
    campaign: str
    kind: str
    kind_label: str
    tags: int
    weapons: int


@dataclass(frozen=True)
class BatchDetail:
    batch: BatchView
    exhibits: list[ExhibitView]
    by_kind: list[KindTotal]
    anchor: str  # the audit anchor as the detail was read
    station_name: str
    force: str


def _view(row: Row[Any]) -> BatchView:
    named = tuple(
        f"{n} {name}" for n, name in ((row.witness_1, row.witness_1_name), (row.witness_2, row.witness_2_name)) if n
    )
    return BatchView(
        row.id,
        row.station_code,
        row.method,
        row.contractor,
        row.created_at,
        f"{row.opened_by} {row.opened_by_name}",
        row.sealed_at,
        f"{row.sealed_by} {row.sealed_by_name}" if row.sealed_by else None,
        named,
        row.certificate,
        row.confirmed_at,
        int(row.tags),
        int(row.weapons),
    )


def _batch_id(value: int | str) -> int:
    text = str(value).strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise Refused(f"{value!r} is not a destruction batch number (see `surrender destruction list`)")
    return int(text)


def _open_batch_row(conn: Connection, staff: Row[Any], batch_id: int) -> Row[Any]:
    batch = store.find_batch(conn, batch_id, acting_scope(conn, staff), lock=True)
    if batch.sealed_at is not None:
        raise Refused(f"destruction batch {batch_id} is sealed: it cannot change")
    return batch


# --- opening and filling -----------------------------------------------------------------------


def open_batch(ctx: Context, method: str, contractor: str) -> BatchView:
    method, contractor = rules.destruction_text(method, "--method"), rules.destruction_text(contractor, "--contractor")

    def work(conn: Connection, staff: Row[Any]) -> BatchView:
        station = (ctx.station or staff.station_code or "").upper()
        if not station:
            raise Refused("name the batch's station with --station")
        scope = acting_scope(conn, staff)
        if not scope.covers(station):
            raise Refused(
                f"staff member {staff.number} keeps custody at "
                f"{', '.join(sorted(scope.stations or []))}, not at {station}"
            )
        if find_station(conn, station, scope) is None:
            raise NotFound(f"no station {station!r}")
        now = ctx.now()
        ident = conn.execute(
            insert(batch_t)
            .values(
                station_code=station,
                force_code=staff.force_code,
                method=method,
                contractor=contractor,
                created_at=now,
                created_by=staff.id,
            )
            .returning(batch_t.c.id)
        ).scalar_one()
        audit.record(
            conn,
            now,
            staff.id,
            "destruction.opened",
            "destruction",
            ident,
            {"station": station, "method": method, "contractor": contractor},
        )
        return _view(store.summary(conn, ident, scope))

    return perform(ctx, "destruction.new", work)


def _add(conn: Connection, ctx: Context, staff: Row[Any], batch_id: int, tags: Sequence[str]) -> list[ExhibitView]:
    batch = _open_batch_row(conn, staff, batch_id)
    scope = acting_scope(conn, staff)
    rows = []
    wanted = list(dict.fromkeys(tags))
    known = custody_store.find_exhibits(conn, wanted, scope, lock=True)
    for tag in wanted:
        row = known.get(tag)
        if row is None:
            raise Refused(f"{tag}: no such tag at {', '.join(sorted(scope.stations or [])) or 'any station'}")
        if row.batch_id == batch_id:
            raise Refused(f"{tag} is in batch {batch_id} already")
        if row.batch_id is not None:
            raise Refused(f"{tag} is in destruction batch {row.batch_id} already")
        if row.state != rules.HELD:
            raise Refused(f"{tag} is {rules.STATE_LABEL.get(row.state, row.state)}: only held exhibits are destroyed")
        if row.station_code != batch.station_code:
            raise Refused(f"{tag} belongs to station {row.station_code}; batch {batch_id} is {batch.station_code}'s")
        rows.append(row)
    ids = [r.id for r in rows]
    now = ctx.now()
    conn.execute(update(exhibit_t).where(exhibit_t.c.id.in_(ids)).values(batch_id=batch_id))
    custody_store.record_events(conn, ids, now, staff, "added", batch_id=batch_id)
    audit.record(
        conn,
        now,
        staff.id,
        "destruction.added",
        "destruction",
        batch_id,
        {"tags": [r.tag for r in rows]},
        touches=custody_store.surrender_keys(conn, ids),
    )
    labels = KindLabels.read(conn)
    return [
        exhibit_view(r, labels)
        for r in conn.execute(custody_store.exhibit_rows(scope).where(exhibit_t.c.id.in_(ids)).order_by(exhibit_t.c.id))
    ]


def add_to_batch(ctx: Context, batch: int | str, tags: Iterable[str]) -> list[ExhibitView]:
    """Add tags to an open batch in one transaction (all of them, or none if one is refused)."""
    batch_id = _batch_id(batch)
    parsed = [rules.parse_tag(t) for t in tags]
    if not parsed:
        raise Refused("name the tags to add, or scan them: surrender destruction add BATCH")
    return perform(ctx, "destruction.add", lambda conn, staff: _add(conn, ctx, staff, batch_id, parsed))


def scan_into(ctx: Context, batch: int | str, text: str) -> ExhibitView:
    """One scanned line: the tag joins the batch in its own transaction, or is refused."""
    batch_id = _batch_id(batch)
    tag = rules.parse_tag(text)
    return perform(ctx, "destruction.add", lambda conn, staff: _add(conn, ctx, staff, batch_id, [tag])[0])


def open_for_scan(ctx: Context, batch: int | str) -> BatchView:
    batch_id = _batch_id(batch)

    def work(conn: Connection, staff: Row[Any]) -> BatchView:
        _open_batch_row(conn, staff, batch_id)
        return _view(store.summary(conn, batch_id, acting_scope(conn, staff)))

    return perform(ctx, "destruction.add", work, write=False)


def remove_from_batch(ctx: Context, batch: int | str, tags: Iterable[str]) -> list[str]:
    batch_id = _batch_id(batch)
    parsed = list(dict.fromkeys(rules.parse_tag(t) for t in tags))
    if not parsed:
        raise Refused("name the tags to take out of the batch")

    def work(conn: Connection, staff: Row[Any]) -> list[str]:
        _open_batch_row(conn, staff, batch_id)
        scope = acting_scope(conn, staff)
        rows = []
        known = custody_store.find_exhibits(conn, parsed, scope, lock=True)
        for tag in parsed:
            row = known.get(tag)
            if row is None or row.batch_id != batch_id:
                raise Refused(f"{tag} is not in destruction batch {batch_id}")
            rows.append(row)
        ids = [r.id for r in rows]
        now = ctx.now()
        conn.execute(update(exhibit_t).where(exhibit_t.c.id.in_(ids)).values(batch_id=None))
        custody_store.record_events(conn, ids, now, staff, "removed", batch_id=batch_id)
        audit.record(
            conn,
            now,
            staff.id,
            "destruction.removed",
            "destruction",
            batch_id,
            {"tags": parsed},
            touches=custody_store.surrender_keys(conn, ids),
        )
        return parsed

    return perform(ctx, "destruction.add", work)


# --- sealing -----------------------------------------------------------------------------------


def _check_sealable(conn: Connection, staff: Row[Any], batch_id: int, numbers: Sequence[str]) -> Row[Any]:
    batch = _open_batch_row(conn, staff, batch_id)
    held = conn.execute(
        select(exhibit_t.c.tag, exhibit_t.c.state).where(exhibit_t.c.batch_id == batch_id).order_by(exhibit_t.c.id)
    ).all()
    if not held:
        raise Refused(f"destruction batch {batch_id} is empty: add tags first (surrender destruction add {batch_id})")
    away = [r for r in held if r.state != rules.HELD]
    if away:
        raise Refused(
            f"{away[0].tag} in batch {batch_id} is {rules.STATE_LABEL.get(away[0].state, away[0].state)}: "
            f"find it or take it out (surrender destruction remove {batch_id} {away[0].tag})"
        )
    refusal = rules.witness_refusal(numbers, store.previous_witnesses(conn, batch.station_code, batch_id))
    if refusal:
        raise Refused(refusal)
    return batch


def seal_batch(
    ctx: Context, batch: int | str, witness_numbers: Sequence[str], pin_of: Callable[[witnesses.Witness], str | None]
) -> BatchView:
    """Seal (and so destroy) a batch: two different witnesses, never the station's previous
    pair, each confirming with their own PIN (`pin_of` asks for it, or reads it from a script's
    settings); every exhibit in it becomes destroyed. Nothing is written if anything fails."""
    batch_id = _batch_id(batch)
    numbers = [n.strip() for n in witness_numbers]
    refusal = rules.witness_refusal(numbers, None)
    if refusal:
        raise Refused(refusal)
    perform(ctx, "destruction.seal", lambda conn, staff: _check_sealable(conn, staff, batch_id, numbers), write=False)
    people = [witnesses.look_up(ctx, n) for n in numbers]
    numbers = [w.number for w in people]
    if numbers[0] == numbers[1]:
        raise Refused(f"the two witnesses must be different people ({numbers[0]} twice)")
    confirmed = [witnesses.confirm(ctx, w.number, pin_of(w), "destruction.seal") for w in people]

    def work(conn: Connection, staff: Row[Any]) -> BatchView:
        _check_sealable(conn, staff, batch_id, numbers)
        now = ctx.now()
        e = exhibit_t.c
        ids = list(conn.execute(select(e.id).where(e.batch_id == batch_id).order_by(e.id)).scalars())
        conn.execute(
            insert(tables.custody_event).from_select(
                ["exhibit_id", "force_code", "at", "staff_id", "action", "from_location_id", "batch_id"],
                select(
                    e.id,
                    e.force_code,
                    literal(now, tables.custody_event.c.at.type),
                    literal(staff.id),
                    literal("destroyed"),
                    e.location_id,
                    e.batch_id,
                )
                .where(e.batch_id == batch_id)
                .order_by(e.id),
            )
        )
        conn.execute(
            update(exhibit_t).where(e.batch_id == batch_id).values(state=rules.DESTROYED, location_id=None, since=now)
        )
        conn.execute(
            update(batch_t)
            .where(batch_t.c.id == batch_id)
            .values(sealed_at=now, sealed_by=staff.id, witness_1=confirmed[0].id, witness_2=confirmed[1].id)
        )
        weapons = sum(conn.execute(select(e.quantity).where(e.batch_id == batch_id)).scalars())
        audit.record(
            conn,
            now,
            staff.id,
            "destruction.sealed",
            "destruction",
            batch_id,
            {"witnesses": numbers, "tags": len(ids), "weapons": weapons},
            touches=custody_store.surrender_keys(conn, ids),
        )
        return _view(store.summary(conn, batch_id, acting_scope(conn, staff)))

    return perform(ctx, "destruction.seal", work)


def confirm_batch(ctx: Context, batch: int | str, certificate: str) -> BatchView:
    """Record the contractor's own certificate number for a sealed batch, once."""
    batch_id = _batch_id(batch)
    certificate = rules.destruction_text(certificate, "--certificate")

    def work(conn: Connection, staff: Row[Any]) -> BatchView:
        scope = acting_scope(conn, staff)
        row = store.find_batch(conn, batch_id, scope, lock=True)
        if row.sealed_at is None:
            raise Refused(f"destruction batch {batch_id} is not sealed yet: seal it with its witnesses first")
        if row.certificate is not None:
            raise Refused(f"destruction batch {batch_id} already has the contractor's certificate {row.certificate}")
        now = ctx.now()
        conn.execute(
            update(batch_t)
            .where(batch_t.c.id == batch_id)
            .values(certificate=certificate, confirmed_at=now, confirmed_by=staff.id)
        )
        audit.record(
            conn, now, staff.id, "destruction.confirmed", "destruction", batch_id, {"certificate": certificate}
        )
        return _view(store.summary(conn, batch_id, scope))

    return perform(ctx, "destruction.confirm", work)


# --- reading -----------------------------------------------------------------------------------


def list_batches(ctx: Context) -> list[BatchView]:
    def work(conn: Connection, staff: Row[Any]) -> list[BatchView]:
        return [_view(r) for r in conn.execute(store.batches(scope_of(conn, staff)))]

    return perform(ctx, "destruction.list", work, write=False)


def batch_detail(ctx: Context, batch: int | str, sealed_only: bool = False) -> BatchDetail:
    """One batch with every tag in it, totals by kind and the audit anchor as read."""
    batch_id = _batch_id(batch)

    def work(conn: Connection, staff: Row[Any]) -> BatchDetail:
        scope = scope_of(conn, staff)
        row = store.find_batch(conn, batch_id, scope)
        if sealed_only and row.sealed_at is None:
            raise Refused(f"destruction batch {batch_id} is not sealed yet: a certificate is for a sealed batch")
        labels = KindLabels.read(conn)
        exhibits = [exhibit_view(r, labels) for r in conn.execute(custody_store.exhibit_list(scope, batch_id=batch_id))]
        kinds = [
            KindTotal(r.campaign_code, r.kind, labels.label(r.campaign_code, r.kind), int(r.tags), int(r.weapons))
            for r in store.by_kind(conn, batch_id)
        ]
        station = find_station(conn, row.station_code, scope)
        assert station is not None  # the batch is at a station of the reader's force
        return BatchDetail(
            _view(store.summary(conn, batch_id, scope)),
            exhibits,
            kinds,
            audit.anchor_line(conn, staff.force_code),
            station.name,
            station.force_name,
        )

    return perform(ctx, "destruction.list", work, write=False)
