"""Past payment batches: when, who, how much, and what has been paid and is outstanding."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from surrender.clock import iso
from surrender.models import Claim, ExportBatch, Staff
from surrender.rules.money import format_pence
from surrender.services.auth import perform
from surrender.services.context import Context


def list_batches(ctx: Context) -> list[dict]:
    """Every export batch with what has been paid and what is outstanding, aggregated in SQL."""
    def work(session: Session, _staff: Staff) -> list[dict]:
        paid = Claim.status == "paid"
        query = (select(ExportBatch.id, ExportBatch.created_at, ExportBatch.claim_count, ExportBatch.total_pence,
                        ExportBatch.format, ExportBatch.sha256, ExportBatch.filename, Staff.number, Staff.name,
                        func.count(Claim.id).filter(paid).label("paid_count"),
                        func.coalesce(func.sum(case((paid, Claim.payable_pence), else_=0)), 0).label("paid_pence"))
                 .join(Staff, Staff.id == ExportBatch.staff_id)
                 .outerjoin(Claim, Claim.batch_id == ExportBatch.id)
                 .group_by(ExportBatch.id, ExportBatch.created_at, ExportBatch.claim_count, ExportBatch.total_pence,
                           ExportBatch.format, ExportBatch.sha256, ExportBatch.filename, Staff.number, Staff.name)
                 .order_by(ExportBatch.id))
        return [{
            "batch": r.id, "exported_at": iso(r.created_at), "staff": r.number, "staff_name": r.name,
            "claims": r.claim_count, "total": format_pence(r.total_pence),
            "paid_claims": int(r.paid_count), "paid": format_pence(int(r.paid_pence)),
            "outstanding_claims": r.claim_count - int(r.paid_count),
            "outstanding": format_pence(r.total_pence - int(r.paid_pence)),
            "format": r.format, "sha256": r.sha256, "filename": r.filename,
        } for r in session.execute(query)]

    return perform(ctx, "claims.batches", work, write=False)
