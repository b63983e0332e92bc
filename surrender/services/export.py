"""Payment export: approved claims with payment details become one batch, each claim in exactly
one batch, ever; a batch and its file exist together or not at all, even across a crash.

How a file and its batch stay together (each step survives a SIGKILL at any point):
1. The file is created empty, owner-only and locked beside `--out` under a recognisable
   staged name, and an `export_staging` row naming it is committed.
2. In the export's one transaction the file is filled and synced, then the batch is recorded
   (staged name, final path, SHA-256, anchor) and the staging row deleted: all one commit.
3. The staged file is linked into place (never over an existing file), its staged name
   removed, and the batch marked settled.
The next export run on the same machine (`finish_interrupted`) removes a staged file whose
row is still there (its batch never committed) and finishes one whose batch did commit.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from surrender import db
from surrender.clock import iso, utcnow
from surrender.errors import NotFound, Refused
from surrender.exports import (BUSY, FORMATS, MISSING, StagedFile, claim_abandoned, is_staged_name, place, render,
                               sha256_of, staged_path, sync_folder)
from surrender.models import Claim, Claimant, ExportBatch, ExportStaging, Staff, Surrender
from surrender.rules.claimant import payment_gaps
from surrender.rules.money import format_pence
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context

HOST = socket.gethostname()


def _checkpoint(stage: str) -> None:
    """Crash tests replace this to kill the process at a stage: created, staged, committed,
    linked, placed."""


@dataclass(frozen=True)
class ExportResult:
    batch: int | None
    count: int
    total_pence: int
    sha256: str | None
    path: str | None
    rows: list[dict]
    held_back: list[dict] = field(default_factory=list)  # reference, station, amount, missing
    format: str = "csv"
    notes: list[str] = field(default_factory=list)  # what finishing an interrupted export did


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


def _sorted_out(session: Session, lock: bool) -> tuple[list[int], list[dict]]:
    """Ready claims split into those that can be paid (ids) and those held back for missing
    payment details (with what is missing)."""
    query = (select(Claim.id, Surrender.reference, Surrender.station_code, Claim.payable_pence,
                    Claimant.sort_code, Claimant.account_number, Claimant.account_name, Claimant.purged_at,
                    Surrender.claimant_id)
             .join(Surrender, Surrender.id == Claim.surrender_id)
             .outerjoin(Claimant, Claimant.id == Surrender.claimant_id)
             .where(_ready()).order_by(Surrender.reference))
    if lock:
        query = query.with_for_update(of=Claim)
    ready, held = [], []
    from surrender.db import connection_of  # issue 17: bank details as banks check them
    from surrender.services.modulus import tables_in

    modulus = tables_in(connection_of(session))
    for r in session.execute(query):
        if r.claimant_id is None:
            gaps = ["no claimant"]
        elif r.purged_at is not None:
            gaps = ["claimant's details purged"]
        else:
            gaps = payment_gaps(r.sort_code, r.account_number, r.account_name, modulus)
        if gaps:
            held.append({"reference": r.reference, "station": r.station_code,
                         "amount": format_pence(r.payable_pence), "missing": "; ".join(gaps)})
        else:
            ready.append(r.id)
    return ready, held


def _nothing_ready(held: list[dict]) -> Refused:
    if not held:
        return Refused("no approved claims are waiting for export")
    shown = ", ".join(f"{h['reference']} ({h['missing']})" for h in held[:5])
    more = f" and {len(held) - 5} more" if len(held) > 5 else ""
    return Refused(f"no approved claim can be exported: {len(held)} held back for missing payment details: "
                   f"{shown}{more}; complete them with `surrender claims set-payment REF`")


# --- where the file goes ---------------------------------------------------------------------

def check_destination(url: str, out: Path) -> Path:
    """The absolute path to write, if nothing is there and it is not the database; else refuse."""
    out = Path(os.path.abspath(out))
    database = db.sqlite_path(url)
    if database is not None:
        base = Path(os.path.abspath(database))
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = Path(f"{base}{suffix}")
            same = out == candidate or out.resolve() == candidate.resolve()
            if not same and out.exists() and candidate.exists():
                same = os.path.samefile(out, candidate)
            if same:
                raise Refused(f"--out {out} is the database{' ' + suffix[1:] + ' file' if suffix else ''}; "
                              "choose a new file name for the export")
    if out.is_dir():
        raise Refused(f"--out {out} is a folder; give a new file name inside it")
    if out.exists() or out.is_symlink():
        raise Refused(f"--out {out} already exists; an export never replaces a file: choose a new name")
    if is_staged_name(out.name):
        raise Refused(f"--out {out} looks like a staged export file; choose another name")
    if out.parent.exists() and not out.parent.is_dir():
        raise Refused(f"--out {out}: {out.parent} is not a folder")
    return out


class _Staging:
    """Step 1 above: the empty locked file, then its `export_staging` row. On a failure before
    the batch commits, both go again."""

    def __init__(self, ctx: Context, out: Path):
        self.ctx, self.out = ctx, out
        self.token = uuid.uuid4().hex
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            self.file = StagedFile(staged_path(out, self.token))
        except OSError as exc:
            raise Refused(f"cannot write in {out.parent}: {exc.strerror}") from None
        _checkpoint("created")
        try:
            db.run(ctx.url, lambda s: s.add(ExportStaging(token=self.token, host=HOST,
                                                          staged_path=str(self.file.path), created_at=utcnow())))
        except BaseException:
            self.file.discard()
            raise

    def claim_row(self, session: Session) -> None:
        """Inside the export transaction: hold the staging row (PostgreSQL tidying skips it) and
        delete it, so it is gone exactly when the batch commits."""
        session.execute(select(ExportStaging).where(ExportStaging.token == self.token).with_for_update())
        session.execute(delete(ExportStaging).where(ExportStaging.token == self.token))

    def abandon(self) -> None:
        self.file.discard()
        try:
            db.run(self.ctx.url, lambda s: s.execute(delete(ExportStaging).where(ExportStaging.token == self.token)))
        except Exception:  # noqa: BLE001 - the next run removes the row; the file is already gone
            pass


# --- finishing what a killed run left -----------------------------------------------------------

def finish_interrupted(ctx: Context, folder: Path | None = None) -> list[str]:
    """Remove staged files whose batch never committed; put in place those whose batch did.
    Runs at the start of every export; returns what it did, for the user to read."""
    def work(session: Session) -> list[str]:
        notes: list[str] = []
        known: set[str] = set()
        staging = session.execute(select(ExportStaging).where(ExportStaging.host == HOST)
                                  .with_for_update(skip_locked=True)).scalars().all()
        for row in staging:
            known.add(row.staged_path)
            fd = claim_abandoned(Path(row.staged_path))
            if fd == BUSY:
                continue
            if fd != MISSING:
                try:
                    _remove(Path(row.staged_path))
                finally:
                    os.close(fd)
                notes.append(f"removed an export file that was staged but never recorded: {row.staged_path}")
            session.delete(row)
        unsettled = session.execute(select(ExportBatch).where(ExportBatch.host == HOST,
                                                              ExportBatch.settled_at.is_(None))
                                    .order_by(ExportBatch.id).with_for_update(skip_locked=True)).scalars().all()
        for batch in unsettled:
            known.add(batch.staged_path)
            note = _settle(batch)
            if note is not False:
                batch.settled_at = utcnow()
                if note:
                    notes.append(note)
        if folder is not None:
            notes += _sweep(folder, known | _pending_paths(session))
        return notes

    return db.run(ctx.url, work)


def _pending_paths(session: Session) -> set[str]:
    staged = session.execute(select(ExportStaging.staged_path)).scalars()
    batches = session.execute(select(ExportBatch.staged_path).where(ExportBatch.settled_at.is_(None))).scalars()
    return {p for p in (*staged, *batches) if p}


def _settle(batch: ExportBatch) -> str | bool | None:
    """Finish one committed batch's file. False: its maker is still at work, leave it; None or
    a note: settled."""
    staged, final = Path(batch.staged_path or ""), Path(batch.path or "")
    redo = f"re-create it with `surrender claims export --batch {batch.id} --out FILE`"
    fd = claim_abandoned(staged) if batch.staged_path else MISSING
    if fd == BUSY:
        return False
    if fd == MISSING:
        if sha256_of(final) == batch.sha256:
            return None
        return f"batch {batch.id}'s file is not at {final}: {redo}"
    try:
        if sha256_of(staged) != batch.sha256:
            _remove(staged)
            return f"batch {batch.id}'s staged file did not match its SHA-256 and was removed: {redo}"
        try:
            place(staged, final)
            return f"finished batch {batch.id}'s interrupted export: {final}"
        except FileExistsError:
            _remove(staged)
            if sha256_of(final) == batch.sha256:
                return None
            return f"batch {batch.id}: a different file is at {final}; {redo}"
    finally:
        os.close(fd)


def _sweep(folder: Path, known: set[str]) -> list[str]:
    """Staged files in `folder` that nothing records and nobody holds: made by a run killed
    before its staging row committed, so still empty. Remove them."""
    notes = []
    try:
        names = [n for n in os.listdir(folder) if is_staged_name(n)]
    except OSError:
        return notes
    for name in names:
        path = folder / name
        if str(path) in known:
            continue
        fd = claim_abandoned(path)
        if fd in (BUSY, MISSING):
            continue
        try:
            _remove(path)
            notes.append(f"removed an abandoned staged export file: {path}")
        finally:
            os.close(fd)
    return notes


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    sync_folder(path.parent)


# --- the use cases --------------------------------------------------------------------------

def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Refused("export format must be csv or json")


def plan_export(ctx: Context) -> ExportResult:
    """Dry run: what an export would write now, and what it would hold back; changes nothing."""
    def work(session: Session, _staff: Staff) -> ExportResult:
        ids, held = _sorted_out(session, lock=False)
        total = session.execute(select(func.coalesce(func.sum(Claim.payable_pence), 0))
                                .where(Claim.id.in_(ids))).scalar_one()
        return ExportResult(None, len(ids), total, None, None, _rows(session, Claim.id.in_(ids), None), held)

    return perform(ctx, "claims.export", work, write=False)


def export_claims(ctx: Context, out: Path | None, fmt: str = "csv", dry_run: bool = False) -> ExportResult:
    """Every approved, unexported, non-void claim with payment details becomes one new batch
    written to `out` (a new file); claims without payment details are held back, listed."""
    _check_format(fmt)
    if dry_run:
        return plan_export(ctx)
    if out is None:
        raise Refused("name the export file with --out FILE (or look first with --dry-run)")
    out = check_destination(ctx.url, Path(out))
    notes = finish_interrupted(ctx, out.parent)
    staging = _Staging(ctx, out)

    def work(session: Session, staff: Staff) -> ExportResult:
        staging.claim_row(session)
        ids, held = _sorted_out(session, lock=True)
        if not ids:
            raise _nothing_ready(held)
        total = session.execute(select(func.sum(Claim.payable_pence)).where(Claim.id.in_(ids))).scalar_one()
        batch_id = (session.execute(select(func.max(ExportBatch.id))).scalar() or 0) + 1
        rows = _rows(session, Claim.id.in_(ids), batch_id)
        anchor = audit.anchor_line(session)  # the chain as it stood before this batch
        content = render(rows, fmt, batch_id, anchor)
        digest = hashlib.sha256(content).hexdigest()
        staging.file.fill(content)
        _checkpoint("staged")
        session.add(ExportBatch(id=batch_id, created_at=ctx.now(), staff_id=staff.id, format=fmt,
                                claim_count=len(ids), total_pence=total, sha256=digest, filename=out.name,
                                host=HOST, path=str(out), staged_path=str(staging.file.path), anchor=anchor))
        session.flush()
        if out.exists() or out.is_symlink():  # another terminal's export got there first
            raise Refused(f"--out {out} already exists; an export never replaces a file: choose a new name")
        session.execute(update(Claim).where(Claim.id.in_(ids)).values(status="exported", batch_id=batch_id))
        audit.record(session, ctx.now(), staff.id, "claims.exported", "batch", batch_id,
                     {"claims": len(ids), "total": total, "sha256": digest, "format": fmt,
                      "references": [r["reference"] for r in rows]})
        return ExportResult(batch_id, len(ids), total, digest, str(out), rows, held, fmt, notes)

    try:
        result = perform(ctx, "claims.export", work)
    except BaseException:
        staging.abandon()
        raise
    _checkpoint("committed")
    try:
        staging.file.place(out, _checkpoint)
        _checkpoint("placed")
    except FileExistsError:
        staging.file.discard()
        _mark_settled(ctx, result.batch)
        raise Refused(f"batch {result.batch} is recorded, but {out} appeared meanwhile (not from this export); "
                      f"write its file with `surrender claims export --batch {result.batch} --out FILE`") from None
    finally:
        staging.file.close()
    _mark_settled(ctx, result.batch)
    return result


def _mark_settled(ctx: Context, batch_id: int) -> None:
    db.run(ctx.url, lambda s: s.execute(update(ExportBatch).where(ExportBatch.id == batch_id)
                                        .values(settled_at=utcnow())))


def recreate_batch(ctx: Context, batch_id: int, out: Path, fmt: str | None = None) -> ExportResult:
    """Write a past batch again to a new file. Its data is first checked against the SHA-256
    recorded for it; in its own format the new file is byte for byte the original, and `fmt`
    can give the same batch in the other format."""
    if fmt is not None:
        _check_format(fmt)
    out = check_destination(ctx.url, Path(out))
    notes = finish_interrupted(ctx, out.parent)
    staging = _Staging(ctx, out)

    def work(session: Session, staff: Staff) -> ExportResult:
        batch = session.get(ExportBatch, batch_id)
        if batch is None:
            raise NotFound(f"no export batch {batch_id}")
        rows = _rows(session, Claim.batch_id == batch_id, batch_id)
        original = render(rows, batch.format, batch_id, batch.anchor)
        if hashlib.sha256(original).hexdigest() != batch.sha256:
            raise Refused(f"batch {batch_id} no longer matches its recorded SHA-256: its data changed since export")
        wanted = fmt or batch.format
        content = original if wanted == batch.format else render(rows, wanted, batch_id, batch.anchor)
        digest = hashlib.sha256(content).hexdigest()
        audit.record(session, ctx.now(), staff.id, "claims.batch_recreated", "batch", batch_id,
                     {"sha256": digest, "format": wanted})
        staging.claim_row(session)
        staging.file.fill(content)
        try:  # last, so a file in place means the transaction had nothing left to do
            staging.file.place(out)
        except FileExistsError:
            raise Refused(f"--out {out} already exists; an export never replaces a file: choose a new name") from None
        return ExportResult(batch_id, batch.claim_count, batch.total_pence, digest, str(out), rows, [], wanted,
                            notes)

    try:
        return perform(ctx, "claims.export", work)
    except BaseException:
        staging.abandon()
        raise
    finally:
        staging.file.close()
