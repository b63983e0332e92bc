"""Destruction batch queries: one batch within the reader's stations, every batch with its
contents' size, the station's previous sealed batch (for the witness rule), totals by kind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import NotFound
from surrender.store.scope import Scope

batch_c, exhibit_c, staff_c = tables.destruction_batch.c, tables.exhibit.c, tables.staff.c
opener, sealer, first, second, confirmer = (
    tables.staff.alias(n) for n in ("opener", "sealer", "first", "second", "confirmer")
)


def batches(scope: Scope) -> Select[Any]:
    """Every batch the scope covers with who opened, sealed and witnessed it, and its size."""
    size = (
        select(exhibit_c.batch_id, func.count().label("tags"), func.sum(exhibit_c.quantity).label("weapons"))
        .where(exhibit_c.batch_id.is_not(None))
        .group_by(exhibit_c.batch_id)
        .subquery()
    )
    return (
        select(
            batch_c.id,
            batch_c.station_code,
            batch_c.method,
            batch_c.contractor,
            batch_c.created_at,
            batch_c.sealed_at,
            batch_c.certificate,
            batch_c.confirmed_at,
            opener.c.number.label("opened_by"),
            opener.c.name.label("opened_by_name"),
            sealer.c.number.label("sealed_by"),
            sealer.c.name.label("sealed_by_name"),
            first.c.number.label("witness_1"),
            first.c.name.label("witness_1_name"),
            second.c.number.label("witness_2"),
            second.c.name.label("witness_2_name"),
            confirmer.c.number.label("confirmed_by"),
            func.coalesce(size.c.tags, 0).label("tags"),
            func.coalesce(size.c.weapons, 0).label("weapons"),
        )
        .select_from(
            tables.destruction_batch.join(opener, opener.c.id == batch_c.created_by)
            .outerjoin(sealer, sealer.c.id == batch_c.sealed_by)
            .outerjoin(first, first.c.id == batch_c.witness_1)
            .outerjoin(second, second.c.id == batch_c.witness_2)
            .outerjoin(confirmer, confirmer.c.id == batch_c.confirmed_by)
            .outerjoin(size, size.c.batch_id == batch_c.id)
        )
        .where(scope.station_filter(batch_c.station_code))
        .order_by(batch_c.id)
    )


def find_batch(conn: Connection, batch_id: int, scope: Scope, lock: bool = False) -> Row[Any]:
    """The batch row, if the scope covers its station; `lock` holds it to the end of the transaction."""
    query = select(tables.destruction_batch).where(batch_c.id == batch_id, scope.station_filter(batch_c.station_code))
    row = conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"no destruction batch {batch_id} at your stations: see `surrender destruction list`")
    return row


def summary(conn: Connection, batch_id: int, scope: Scope) -> Row[Any]:
    """One batch as `batches` lists it."""
    return conn.execute(batches(scope).where(batch_c.id == batch_id)).one()


def previous_witnesses(conn: Connection, station: str, batch_id: int) -> tuple[str, str] | None:
    """The staff numbers who witnessed the station's last sealed batch before this one."""
    last = conn.execute(
        select(first.c.number, second.c.number)
        .select_from(
            tables.destruction_batch.join(first, first.c.id == batch_c.witness_1).join(
                second, second.c.id == batch_c.witness_2
            )
        )
        .where(batch_c.station_code == station, batch_c.sealed_at.is_not(None), batch_c.id != batch_id)
        .order_by(batch_c.sealed_at.desc(), batch_c.id.desc())
        .limit(1)
    ).one_or_none()
    return None if last is None else (last[0], last[1])


def by_kind(conn: Connection, batch_id: int) -> list[Row[Any]]:
    """Tags and weapons of each kind in the batch, by kind."""
    return list(
        conn.execute(
            select(
                exhibit_c.campaign_code,
                exhibit_c.kind,
                func.count().label("tags"),
                func.sum(exhibit_c.quantity).label("weapons"),
            )
            .where(exhibit_c.batch_id == batch_id)
            .group_by(exhibit_c.campaign_code, exhibit_c.kind)
            .order_by(exhibit_c.campaign_code, exhibit_c.kind)
        )
    )
