"""Reading the audit trail: verify the chain, or one surrender's history."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from surrender.clock import iso
from surrender.models import AuditEvent, Staff
from surrender.services.audit import ChainReport, verify_chain
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.surrenders import find_surrender


def verify(ctx: Context) -> ChainReport:
    return perform(ctx, "audit", lambda session, _staff: verify_chain(session), write=False)


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
