"""Evidence of value kept with a claim: added at the counter (`log --evidence`) or later
(`claims add-evidence`, until the claim is sent out or closed), listed and extracted for
finance and managers. The bytes live in the database (so backups carry them and purge wipes
them); the audit chain holds each file's SHA-256, never its content or its name."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from surrender import tables
from surrender.errors import Refused
from surrender.rules.evidence import EvidenceFile, check_room, stored_name
from surrender.rules.lifecycle import EVIDENCE_OPEN
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import evidence as store
from surrender.store.scope import Scope
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row


@dataclass(frozen=True)
class EvidenceInfo:
    """One kept file as finance and managers see it (never its bytes)."""

    reference: str
    number: int
    media_type: str
    size: int
    sha256: str
    name: str | None  # None once purged
    added_at: dt.datetime
    added_by: str  # "2001 Sam Patel"
    purged_at: dt.datetime | None
    file: str  # the name it is extracted or packed under: REF-e1.pdf


def _info(row: Row[Any]) -> EvidenceInfo:
    return EvidenceInfo(
        row.reference,
        row.number,
        row.media_type,
        row.size,
        row.sha256,
        row.name,
        row.added_at,
        f"{row.added_by_number} {row.added_by_name}",
        row.purged_at,
        stored_name(row.reference, row.number, row.media_type),
    )


def attach(
    conn: Connection, surrender_id: int, reference: str, files: Sequence[EvidenceFile], staff_id: int, now: dt.datetime
) -> list[int]:
    """Keep `files` with the surrender's claim, in the caller's transaction: bounds checked
    against what it holds, each file audited by its digest. Returns the new files' numbers."""
    held_files, held_bytes = store.held(conn, surrender_id)
    check_room(held_files, held_bytes, [f.size for f in files])
    known = {r.sha256 for r in store.files_of(conn, Scope.everything(), [surrender_id])}
    numbers = []
    number = store.next_number(conn, surrender_id)
    for file in files:
        if file.sha256 in known:
            raise Refused(f"{reference} already holds evidence file {file.name} (same content)")
        known.add(file.sha256)
        ident = store.add(conn, surrender_id, number, file, staff_id, now)
        audit.record(
            conn,
            now,
            staff_id,
            "evidence.added",
            "evidence",
            ident,
            {
                "reference": reference,
                "number": number,
                "sha256": file.sha256,
                "media_type": str(file.media_type),
                "size": file.size,
            },
        )
        numbers.append(number)
        number += 1
    return numbers


def attach_on_log(
    conn: Connection,
    surrender_id: int,
    reference: str,
    claiming: bool,
    files: Sequence[EvidenceFile],
    staff_id: int,
    now: dt.datetime,
) -> None:
    """The hook `log` calls: evidence goes with a claim, so an anonymous or --no-claim
    surrender with evidence is refused (and nothing of it saved)."""
    if not files:
        return
    if not claiming:
        raise Refused(
            "evidence goes with a compensation claim: this surrender makes none "
            "(drop --evidence, or take the claim with --declare)"
        )
    attach(conn, surrender_id, reference, files, staff_id, now)


def _claim_for_evidence(conn: Connection, surrender: Row[Any]) -> Row[Any]:
    claim = conn.execute(
        select(tables.claim).where(tables.claim.c.surrender_id == surrender.id).with_for_update()
    ).one_or_none()
    if claim is None:
        raise Refused(
            f"{surrender.reference} has no compensation claim (anonymous or --no-claim): evidence goes with a claim"
        )
    voided = conn.execute(
        select(tables.surrender.c.voided_at, tables.surrender.c.void_reason).where(
            tables.surrender.c.id == surrender.id
        )
    ).one()
    if voided.voided_at is not None:
        raise Refused(f"{surrender.reference} is void ({voided.void_reason}): its claim takes no evidence")
    return claim


def add_evidence(ctx: Context, reference: str, files: Sequence[EvidenceFile]) -> list[EvidenceInfo]:
    """Keep more evidence with a claim while it is pending or approved (before it goes out in a
    batch or is closed). Desk officers reach only their stations' surrenders."""
    if not files:
        raise Refused("give at least one evidence file (PDF, JPEG or PNG)")

    def work(conn: Connection, staff: Row[Any]) -> list[EvidenceInfo]:
        scope = scope_of(conn, staff)
        surrender = find_surrender(conn, reference, scope)
        claim = _claim_for_evidence(conn, surrender)
        if claim.status not in EVIDENCE_OPEN:
            raise Refused(
                f"{surrender.reference}'s claim is {claim.status}: evidence is added only while it is "
                f"{' or '.join(sorted(EVIDENCE_OPEN))} (before it is sent out or closed)"
            )
        numbers = attach(conn, surrender.id, surrender.reference, files, staff.id, ctx.now())
        return [_info(r) for r in store.files_of(conn, scope, [surrender.id]) if r.number in numbers]

    return perform(ctx, "claims.add_evidence", work)


def list_evidence(ctx: Context, reference: str) -> list[EvidenceInfo]:
    def work(conn: Connection, staff: Row[Any]) -> list[EvidenceInfo]:
        scope = scope_of(conn, staff)
        surrender = find_surrender(conn, reference, scope)
        return [_info(r) for r in store.files_of(conn, scope, [surrender.id])]

    return perform(ctx, "claims.evidence", work, write=False)


def extract_evidence(ctx: Context, reference: str, folder: Path) -> list[tuple[EvidenceInfo, Path]]:
    """Write a claim's kept files into `folder` (created if missing) as REF-e1.pdf ..., each a
    new owner-only file (an existing file is never replaced). The extraction is audited in the
    transaction that reads the files; they are written after it commits (at most
    MAX_CLAIM_BYTES in hand)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise Refused(f"--out {folder} is a file; give a folder to write the evidence files into")

    def work(conn: Connection, staff: Row[Any]) -> list[tuple[EvidenceInfo, bytes]]:
        scope = scope_of(conn, staff)
        surrender = find_surrender(conn, reference, scope)
        infos = {r.number: _info(r) for r in store.files_of(conn, scope, [surrender.id])}
        live = [i for i in infos.values() if i.purged_at is None]
        if not live:
            raise Refused(
                f"{surrender.reference} has no evidence files to extract"
                + (" (they were purged with the claimant's details)" if infos else "")
            )
        taken = [i.file for i in live if (folder / i.file).exists() or (folder / i.file).is_symlink()]
        if taken:
            raise Refused(
                f"{folder} already has {', '.join(taken)}: evidence is never written over a file; choose another folder"
            )
        audit.record(
            conn,
            ctx.now(),
            staff.id,
            "evidence.extracted",
            "surrender",
            surrender.id,
            {"reference": surrender.reference, "files": [i.number for i in live]},
        )
        return [(infos[row.number], row.content) for row in store.contents(conn, scope, [surrender.id])]

    found = perform(ctx, "claims.evidence", work)
    written: list[tuple[EvidenceInfo, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for info, content in found:
            target = folder / info.file
            _write_new(target, content)
            written.append((info, target))
    except FileExistsError:
        _undo(written)
        raise Refused(f"{folder} gained a file of the same name meanwhile; nothing extracted") from None
    except OSError as exc:
        _undo(written)
        raise Refused(f"cannot write in {folder}: {exc.strerror}") from None
    return written


def _write_new(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())


def _undo(written: list[tuple[EvidenceInfo, Path]]) -> None:
    for _, path in written:
        path.unlink(missing_ok=True)
