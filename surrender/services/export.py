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

`ctx.checkpoint(stage)` is called between the stages (created, selected, staged, committed,
linked, placed): crash and race tests pass one that stops the process there.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row

from surrender import db, tables
from surrender.clock import utcnow
from surrender.errors import Refused
from surrender.exports import FORMATS, ExportRow, render_rows, sha256_of
from surrender.rules.claimant import payment_gaps
from surrender.rules.lifecycle import Step, transition
from surrender.rules.modulus import ModulusTables
from surrender.services import audit
from surrender.services.audit_log import check_before_payment
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.modulus import tables_in
from surrender.staging import (
    BUSY,
    MISSING,
    StagedFile,
    claim_abandoned,
    is_staged_name,
    place,
    remove_abandoned,
    staged_path,
    sync_folder,
)
from surrender.store import batches as store_batches
from surrender.store import claims as store_claims
from surrender.store.scope import Scope
from surrender.store.staff import scope_of

HOST = socket.gethostname()
staging_t, batch_t, claim_t = tables.export_staging, tables.export_batch, tables.claim


@dataclass(frozen=True)
class HeldBack:
    """A claim an export left out for want of payment details, and what it lacks."""

    reference: str
    station: str
    amount_pence: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class ExportResult:
    batch: int | None
    count: int
    total_pence: int
    sha256: str | None
    path: str | None
    rows: list[ExportRow]
    held_back: list[HeldBack] = field(default_factory=list)
    format: str = "csv"
    notes: list[str] = field(default_factory=list)  # what finishing an interrupted export did
    batch_id: int | None = None  # the batch row's id (`batch` is the force's number people see)


def _export_row(r: Row, batch_label: int | None) -> ExportRow:
    """A claim row (with `PAYMENT_COLUMNS`) as a line of the file. The amount is the claim's
    payable as assessed: what is exported is approved and live, so it is what it pays."""
    if r.claimant_id is None or r.purged_at is not None:
        raise Refused(f"{r.reference}: the claimant's details were purged, so this batch cannot be re-created")
    return ExportRow(
        batch=batch_label,
        reference=r.reference,
        station=r.station_code,
        surrendered_at=r.surrendered_at,
        claimant_name=r.name,
        business_name=r.business_name,
        address=r.address,
        postcode=r.postcode,
        account_name=r.account_name,
        sort_code=r.sort_code,
        account_number=r.account_number,
        items=r.item_count,
        amount_pence=r.payable_pence,
    )


def _gaps(r: Row, modulus: ModulusTables | None) -> list[str]:
    if r.claimant_id is None:
        return ["no claimant"]
    if r.purged_at is not None:
        return ["claimant's details purged"]
    return payment_gaps(r.sort_code, r.account_number, r.account_name, modulus)


def _sorted_out(conn: Connection, scope: Scope, lock: bool) -> tuple[list[Row], list[HeldBack]]:
    """Claims ready for export split into those that can be paid and those held back for
    missing payment details (with what is missing). `lock` holds the claim rows."""
    query = store_claims.unexported(scope)
    if lock:
        query = query.with_for_update(of=claim_t)
    ready: list[Row] = []
    held: list[HeldBack] = []
    modulus = tables_in(conn)  # issue 17: bank details checked as banks check them
    for r in conn.execute(query):
        gaps = _gaps(r, modulus)
        if gaps:
            held.append(HeldBack(r.reference, r.station_code, r.payable_pence, tuple(gaps)))
        else:
            ready.append(r)
    return ready, held


def _nothing_ready(held: list[HeldBack]) -> Refused:
    if not held:
        return Refused("no approved claims are waiting for export")
    shown = ", ".join(f"{h.reference} ({'; '.join(h.missing)})" for h in held[:5])
    more = f" and {len(held) - 5} more" if len(held) > 5 else ""
    return Refused(
        f"no approved claim can be exported: {len(held)} held back for missing payment details: "
        f"{shown}{more}; complete them with `surrender claims set-payment REF`"
    )


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
                raise Refused(
                    f"--out {out} is the database{' ' + suffix[1:] + ' file' if suffix else ''}; "
                    "choose a new file name for the export"
                )
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
        ctx.checkpoint("created")
        try:
            db.run(
                ctx.url,
                lambda conn: conn.execute(
                    insert(staging_t).values(
                        token=self.token, host=HOST, staged_path=str(self.file.path), created_at=utcnow()
                    )
                ),
            )
        except BaseException:
            self.file.discard()
            raise

    def claim_row(self, conn: Connection) -> None:
        """Inside the export transaction: hold the staging row (PostgreSQL tidying skips it) and
        delete it, so it is gone exactly when the batch commits."""
        mine = staging_t.c.token == self.token
        conn.execute(select(staging_t).where(mine).with_for_update())
        conn.execute(delete(staging_t).where(mine))

    def abandon(self) -> None:
        self.file.discard()
        try:
            db.run(self.ctx.url, lambda conn: conn.execute(delete(staging_t).where(staging_t.c.token == self.token)))
        except Exception:  # noqa: BLE001, S110 - the next run removes the row; the file is already gone
            pass


# --- finishing what a killed run left -----------------------------------------------------------


def finish_interrupted(ctx: Context, folder: Path | None = None) -> list[str]:
    """Remove staged files whose batch never committed; put in place those whose batch did.
    Runs at the start of every export; returns what it did, for the user to read."""

    def work(conn: Connection) -> list[str]:
        notes: list[str] = []
        known: set[str] = set()
        for row in store_batches.staged_on(conn, HOST):
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
            conn.execute(delete(staging_t).where(staging_t.c.token == row.token))
        for batch in store_batches.unsettled_on(conn, HOST):
            known.add(batch.staged_path)
            note = _settle(batch)
            if note is not False:
                conn.execute(update(batch_t).where(batch_t.c.id == batch.id).values(settled_at=utcnow()))
                if isinstance(note, str) and note:
                    notes.append(note)
        if folder is not None:
            notes += _sweep(folder, known | store_batches.pending_paths(conn))
        return notes

    return db.run(ctx.url, work)


def _settle(batch: Row) -> str | bool | None:
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
    before its staging row committed, so still empty (or an abandoned backup). Remove them."""
    return [f"removed an abandoned staged export file: {path}" for path in remove_abandoned(folder, keep=known)]


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    sync_folder(path.parent)


# --- the use cases --------------------------------------------------------------------------


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Refused("export format must be csv or json")


def plan_export(ctx: Context) -> ExportResult:
    """Dry run: what an export would write now, and what it would hold back; changes nothing."""

    def work(conn: Connection, staff: Row) -> ExportResult:
        ready, held = _sorted_out(conn, scope_of(conn, staff), lock=False)
        rows = [_export_row(r, None) for r in ready]
        return ExportResult(None, len(rows), sum(r.amount_pence for r in rows), None, None, rows, held)

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

    def work(conn: Connection, staff: Row) -> ExportResult:
        staging.claim_row(conn)
        ready, held = _sorted_out(conn, scope_of(conn, staff), lock=True)
        if not ready:
            raise _nothing_ready(held)
        check_before_payment(conn, staff.id, ready)
        batch_id = store_batches.next_batch_id(conn)
        number = store_batches.next_batch_number(conn, staff.force_code)
        rows = [_export_row(r, number) for r in ready]
        (exported,) = {transition(Step.EXPORT, r.status, r.reference) for r in ready}  # each approved -> exported
        ctx.checkpoint("selected")  # the claims are read and held
        total = sum(r.amount_pence for r in rows)
        anchor = audit.anchor_line(conn, staff.force_code)  # the force's chain as it stood before this batch
        content = render_rows(rows, fmt, number, anchor)
        digest = hashlib.sha256(content).hexdigest()
        staging.file.fill(content)
        ctx.checkpoint("staged")
        conn.execute(
            insert(batch_t).values(
                id=batch_id,
                number=number,
                force_code=staff.force_code,
                created_at=ctx.now(),
                staff_id=staff.id,
                format=fmt,
                claim_count=len(rows),
                total_pence=total,
                sha256=digest,
                filename=out.name,
                host=HOST,
                path=str(out),
                staged_path=str(staging.file.path),
                anchor=anchor,
            )
        )
        if out.exists() or out.is_symlink():  # another terminal's export got there first
            raise Refused(f"--out {out} already exists; an export never replaces a file: choose a new name")
        conn.execute(
            update(claim_t)
            .where(claim_t.c.id.in_([r.claim_id for r in ready]))
            .values(status=exported, batch_id=batch_id)
        )
        audit.record(
            conn,
            ctx.now(),
            staff.id,
            "claims.exported",
            "batch",
            batch_id,
            {
                "claims": len(rows),
                "total": total,
                "sha256": digest,
                "format": fmt,
                "references": [r.reference for r in rows],
            },
        )
        return ExportResult(number, len(rows), total, digest, str(out), rows, held, fmt, notes, batch_id)

    try:
        result = perform(ctx, "claims.export", work)
    except BaseException:
        staging.abandon()
        raise
    ctx.checkpoint("committed")
    assert result.batch_id is not None  # an export that took nothing was refused inside the transaction
    try:
        staging.file.place(out, ctx.checkpoint)
        ctx.checkpoint("placed")
    except FileExistsError:
        staging.file.discard()
        _mark_settled(ctx, result.batch_id)
        raise Refused(
            f"batch {result.batch} is recorded, but {out} appeared meanwhile (not from this export); "
            f"write its file with `surrender claims export --batch {result.batch} --out FILE`"
        ) from None
    finally:
        staging.file.close()
    _mark_settled(ctx, result.batch_id)
    return result


def _mark_settled(ctx: Context, batch_id: int) -> None:
    db.run(
        ctx.url, lambda conn: conn.execute(update(batch_t).where(batch_t.c.id == batch_id).values(settled_at=utcnow()))
    )


def recreate_batch(ctx: Context, batch_id: int, out: Path, fmt: str | None = None) -> ExportResult:
    """Write a past batch again to a new file. Its data is first checked against the SHA-256
    recorded for it; in its own format the new file is byte for byte the original, and `fmt`
    can give the same batch in the other format."""
    if fmt is not None:
        _check_format(fmt)
    out = check_destination(ctx.url, Path(out))
    notes = finish_interrupted(ctx, out.parent)
    staging = _Staging(ctx, out)

    def work(conn: Connection, staff: Row) -> ExportResult:
        scope = scope_of(conn, staff)
        batch = store_batches.find_batch(conn, batch_id, scope)
        claims = conn.execute(store_claims.in_batch(scope, batch.id))
        rows = [_export_row(r, batch_id) for r in claims]
        original = render_rows(rows, batch.format, batch_id, batch.anchor)
        if hashlib.sha256(original).hexdigest() != batch.sha256:
            raise Refused(f"batch {batch_id} no longer matches its recorded SHA-256: its data changed since export")
        wanted = fmt or batch.format
        content = original if wanted == batch.format else render_rows(rows, wanted, batch_id, batch.anchor)
        digest = hashlib.sha256(content).hexdigest()
        audit.record(
            conn, ctx.now(), staff.id, "claims.batch_recreated", "batch", batch.id, {"sha256": digest, "format": wanted}
        )
        staging.claim_row(conn)
        staging.file.fill(content)
        try:  # last, so a file in place means the transaction had nothing left to do
            staging.file.place(out)
        except FileExistsError:
            raise Refused(f"--out {out} already exists; an export never replaces a file: choose a new name") from None
        return ExportResult(batch_id, batch.claim_count, batch.total_pence, digest, str(out), rows, [], wanted, notes)

    try:
        return perform(ctx, "claims.export", work)
    except BaseException:
        staging.abandon()
        raise
    finally:
        staging.file.close()
