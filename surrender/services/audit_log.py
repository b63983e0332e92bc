"""Reading the audit trail: verify the chain and the records it vouches for, or one
surrender's history."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from surrender import db
from surrender.clock import iso
from surrender.errors import Refused
from surrender.models import AuditEvent, Staff
from surrender.services.audit import Anchor, ChainReport, anchor_line, parse_anchor, verify_chain
from surrender.services.state_digest import first_difference
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.surrenders import find_surrender


def verify(ctx: Context, anchor: str | None = None) -> ChainReport:
    """The chain (up to `anchor`, if given, which must still be in it), then every tracked
    record against the newest digests its events recorded."""
    kept: Anchor | None = parse_anchor(anchor) if anchor is not None else None

    perform(ctx, "audit", lambda _session, _staff: None, write=False)

    def work(session: Session) -> ChainReport:
        snapshot(session)
        latest: dict = {}
        report = verify_chain(session, kept, latest)
        if report.problem:
            return report
        difference = first_difference(session, latest)
        if difference is not None:
            record, problem = difference
            return ChainReport(report.events, None, problem, record)
        return report

    return db.run(ctx.url, work, write=False)


def snapshot(session: Session) -> None:
    """Read the chain and the tables from one snapshot while terminals keep writing: SQLite's
    read transaction is one already; PostgreSQL needs REPEATABLE READ (first thing in it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def anchor(ctx: Context) -> str:
    """The anchor line of the current chain, after checking its links (never anchor a broken chain)."""
    perform(ctx, "audit", lambda _session, _staff: None, write=False)

    def work(session: Session) -> str:
        snapshot(session)
        report = verify_chain(session)
        if report.problem:
            where = f"event {report.broken_at}" if report.broken_at else "the chain's end"
            raise Refused(f"audit chain broken at {where}: {report.problem}; not anchoring it")
        return anchor_line(session)

    return db.run(ctx.url, work, write=False)


def baseline(ctx: Context) -> int:
    """Once, on a database upgraded from before record digests: one event vouching for every
    record as it stands, so `verify` can check them from now on. Refused once any event carries
    digests, so it can never bless a record changed or added behind the tool's back later."""
    from surrender.services import audit
    from surrender.services.state_digest import current_records

    def work(session: Session, admin: Staff) -> int:
        if session.execute(select(AuditEvent.id).where(AuditEvent.state.is_not(None)).limit(1)).first():
            raise Refused("the audit trail already vouches for records: a baseline is taken only once, "
                          "right after upgrading a database from before record digests")
        keys = [key for key, _label, _parts in current_records(session)]
        audit.record(session, ctx.now(), admin.id, "audit.baseline", "audit", "baseline",
                     {"records": len(keys)}, touches=keys)
        return len(keys)

    return perform(ctx, "audit.baseline", work)


def history(ctx: Context, reference: str | None = None, limit: int = 200) -> list[dict]:
    def work(session: Session, _staff: Staff) -> list[dict]:
        query = (select(AuditEvent, Staff.number).outerjoin(Staff, Staff.id == AuditEvent.staff_id)
                 .order_by(AuditEvent.id.desc()).limit(limit))
        if reference:
            surrender = find_surrender(session, reference)
            in_batch = (AuditEvent.entity == "batch") & AuditEvent.detail.contains(f'"{surrender.reference}"')
            query = query.where(((AuditEvent.entity == "surrender") & (AuditEvent.entity_id == str(surrender.id)))
                                | in_batch)
        rows = [{"id": e.id, "at": iso(e.at), "staff": number, "action": e.action,
                 "entity": f"{e.entity} {e.entity_id}", "detail": json.loads(e.detail)}
                for e, number in session.execute(query)]
        return rows[::-1]

    return perform(ctx, "audit", work, write=False)
