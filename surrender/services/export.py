"""Payment export: approved claims become one batch, each claim in exactly one batch, ever."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surrender.clock import iso
from surrender.errors import NotFound, Refused
from surrender.exports import StagedFile, render
from surrender.models import Claim, Claimant, ExportBatch, Staff, Surrender
from surrender.rules.money import format_pence
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context


@dataclass(frozen=True)
class ExportResult:
    batch: int | None
    count: int
    total_pence: int
    sha256: str | None
    path: str | None
    rows: list[dict]


def _rows(session: Session, claim_filter, batch_label: int | None) -> list[dict]:
    query = (select(Surrender.reference, Surrender.station_code, Surrender.surrendered_at, Surrender.item_count,
                    Claim.payable_pence, Claimant)
             .join(Claim, Claim.surrender_id == Surrender.id)
             .join(Claimant, Claimant.id == Surrender.claimant_id)
             .where(claim_filter).order_by(Surrender.reference))
    rows = []
    for r in session.execute(query):
        person: Claimant = r.Claimant
        if person.purged_at is not None:
            raise Refused(f"{r.reference}: the claimant's details were purged, so this batch cannot be re-created")
        rows.append({
            "batch": batch_label, "reference": r.reference, "station": r.station_code,
            "surrendered_at": iso(r.surrendered_at), "claimant_name": person.name,
            "business_name": person.business_name or "", "address": person.address, "postcode": person.postcode,
            "account_name": person.account_name or "", "sort_code": person.sort_code or "",
            "account_number": person.account_number or "", "items": r.item_count,
            "amount": format_pence(r.payable_pence),
        })
    return rows


def _ready():
    return (Claim.status == "approved") & Claim.batch_id.is_(None) & Surrender.voided_at.is_(None)


def _write_after_commit(ctx: Context, out: Path, work) -> ExportResult:
    """Run `work` (returning a result and the file bytes) in one transaction; the file is
    staged before the commit and moved into place only after it.

    If the commit fails the staged file is discarded; if the final move fails, the batch is
    recorded and `--batch ID` re-creates the identical file.
    """
    staged: list[StagedFile] = []

    def staging(session: Session, staff: Staff) -> ExportResult:
        for file in staged:  # a retried transaction starts its file again
            file.discard()
        staged.clear()
        result, content = work(session, staff)
        if content is not None:
            staged.append(StagedFile(out, content))
        return result

    try:
        result = perform(ctx, "claims.export", staging)
    except BaseException:
        for file in staged:
            file.discard()
        raise
    for file in staged:
        file.commit()
    return result


def export_claims(ctx: Context, out: Path, fmt: str = "csv", dry_run: bool = False) -> ExportResult:
    """All approved, unexported, non-void claims become one new batch (or, dry run, are listed)."""
    if fmt not in ("csv", "json"):
        raise Refused("export format must be csv or json")

    def work(session: Session, staff: Staff) -> tuple[ExportResult, bytes | None]:
        ids = list(session.execute(select(Claim.id).join(Surrender, Surrender.id == Claim.surrender_id)
                                   .where(_ready()).order_by(Claim.id).with_for_update(of=Claim)).scalars())
        if not ids:
            raise Refused("no approved claims are waiting for export")
        total = session.execute(select(func.sum(Claim.payable_pence)).where(Claim.id.in_(ids))).scalar_one()
        if dry_run:
            return ExportResult(None, len(ids), total, None, None, _rows(session, Claim.id.in_(ids), None)), None
        batch_id = (session.execute(select(func.max(ExportBatch.id))).scalar() or 0) + 1
        rows = _rows(session, Claim.id.in_(ids), batch_id)
        content = render(rows, fmt)
        digest = hashlib.sha256(content).hexdigest()
        session.add(ExportBatch(id=batch_id, created_at=ctx.now(), staff_id=staff.id, format=fmt,
                                claim_count=len(ids), total_pence=total, sha256=digest, filename=out.name))
        session.flush()
        session.execute(update(Claim).where(Claim.id.in_(ids)).values(status="exported", batch_id=batch_id))
        audit.record(session, ctx.now(), staff.id, "claims.exported", "batch", batch_id,
                     {"claims": len(ids), "total": total, "sha256": digest, "format": fmt,
                      "references": [r["reference"] for r in rows]})
        return ExportResult(batch_id, len(ids), total, digest, str(out), rows), content

    return _write_after_commit(ctx, out, work)


def recreate_batch(ctx: Context, batch_id: int, out: Path) -> ExportResult:
    """Write a past batch again, byte for byte, checked against its recorded SHA-256."""
    def work(session: Session, staff: Staff) -> tuple[ExportResult, bytes]:
        batch = session.get(ExportBatch, batch_id)
        if batch is None:
            raise NotFound(f"no export batch {batch_id}")
        rows = _rows(session, Claim.batch_id == batch_id, batch_id)
        content = render(rows, batch.format)
        digest = hashlib.sha256(content).hexdigest()
        if digest != batch.sha256:
            raise Refused(f"batch {batch_id} no longer matches its recorded SHA-256: its data changed since export")
        audit.record(session, ctx.now(), staff.id, "claims.batch_recreated", "batch", batch_id, {"sha256": digest})
        return ExportResult(batch_id, batch.claim_count, batch.total_pence, digest, str(out), rows), content

    return _write_after_commit(ctx, out, work)
