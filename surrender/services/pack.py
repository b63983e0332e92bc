"""`claims pack`: for a scheme whose payer is the Home Office, finance's export is a claim pack
(claim_pack.py): approved claims with their forms and evidence, one batch numbered with the
`claims export` batches (a claim goes out in exactly one of them), atomic with its file
exactly as an export is: the staging, placing and finishing of services/export.py are used
as they are (the same export_staging rows and export_batch table, `format` "pack")."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update

from surrender import tables
from surrender.errors import Refused
from surrender.exports import sha256_of
from surrender.pack_views import Claimant, ClaimForm, FormEvidence, FormLine, Pack
from surrender.rules.campaign import Campaign, parse_campaign
from surrender.rules.claimant import payment_gaps
from surrender.rules.evidence import stored_name
from surrender.rules.lifecycle import Step, transition
from surrender.rules.money import format_pence
from surrender.rules.payer import HOME_OFFICE
from surrender.services import audit
from surrender.services.audit_log import check_before_payment
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.export import HOST, _mark_settled, _Staging, check_destination, finish_interrupted
from surrender.services.modulus import tables_in
from surrender.store import evidence as evidence_store
from surrender.store import payer as store
from surrender.store.batches import find_batch, next_batch_id, next_batch_number
from surrender.store.scope import Scope
from surrender.store.staff import scope_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row


@dataclass(frozen=True)
class PackResult:
    batch: int | None
    count: int
    total_pence: int
    sha256: str | None
    path: str | None
    references: list[str]
    evidence_files: int = 0
    held_back: list[dict[str, Any]] = field(default_factory=list)  # reference, station, amount, missing
    notes: list[str] = field(default_factory=list)
    batch_id: int | None = None  # the batch row's id (`batch` is the force's number people see)


def payer_campaigns(conn: Connection) -> dict[str, Campaign]:
    """Registered campaigns whose payer is the Home Office, by code."""
    found = {}
    for row in store.campaign_sources(conn):
        campaign = parse_campaign(row.source)
        if campaign.payer == HOME_OFFICE:
            found[row.code] = campaign
    return found


def _sorted_out(
    conn: Connection, scope: Scope, campaigns: dict[str, Campaign], lock: bool
) -> tuple[list[Row[Any]], list[dict[str, Any]]]:
    """Claims a pack would take, and those held back for payment details (as an export holds them)."""
    query = store.pack_ready(scope, campaigns)
    if lock:
        query = query.with_for_update(of=tables.claim)
    modulus = tables_in(conn)
    ready, held = [], []
    for row in conn.execute(query):
        if row.claimant_id is None:
            gaps = ["no claimant"]
        elif row.purged_at is not None:
            gaps = ["claimant's details purged"]
        else:
            gaps = payment_gaps(row.sort_code, row.account_number, row.account_name, modulus)
        if gaps:
            held.append(
                {
                    "reference": row.reference,
                    "station": row.station_code,
                    "amount": format_pence(row.effective_payable),
                    "missing": "; ".join(gaps),
                }
            )
        else:
            ready.append(row)
    return ready, held


def _nothing_ready(held: list[dict[str, Any]]) -> Refused:
    if not held:
        return Refused("no approved claims of a Home Office scheme are waiting for a claim pack")
    shown = ", ".join(f"{h['reference']} ({h['missing']})" for h in held[:5])
    more = f" and {len(held) - 5} more" if len(held) > 5 else ""
    return Refused(
        f"no approved claim can be packed: {len(held)} held back for payment details: {shown}{more}; "
        "complete them with `surrender claims set-payment REF`"
    )


def _forms(
    conn: Connection, scope: Scope, rows: list[Row[Any]], campaigns: dict[str, Campaign], batch: int
) -> list[ClaimForm]:
    staff = store.staff_names(conn, [r.staff_id for r in rows] + [r.decided_by for r in rows if r.decided_by])
    files: dict[int, list[Row[Any]]] = defaultdict(list)
    for item in evidence_store.files_of(conn, scope, [r.surrender_id for r in rows]):
        files[item.surrender_id].append(item)
    stations: dict[str, Row[Any]] = {}
    forms = []
    for r in rows:
        campaign = campaigns[r.campaign_code]
        station = stations.get(r.station_code) or stations.setdefault(
            r.station_code, store.station_of(conn, r.station_code)
        )
        officer = staff[r.staff_id]
        approver = staff.get(r.decided_by) if r.decided_by else None
        lines = tuple(
            FormLine(
                number=g.number,
                kind=g.kind,
                kind_label=campaign.kinds[g.kind].label if g.kind in campaign.kinds else g.kind,
                description=g.description,
                blade_length_mm=g.blade_length_mm,
                quantity=g.quantity,
                unit_claimed_pence=g.unit_claimed_pence,
                claimed_pence=g.claimed_pence,
                assessed_pence=g.compensation_pence,
                evidence=g.evidence,
                eligible=bool(g.eligible),
                reasons=tuple(json.loads(g.reasons)),
                seal=g.seal,
            )
            for g in store.lines_of(conn, r.surrender_id)
        )
        kept = tuple(
            FormEvidence(
                number=e.number,
                file=f"evidence/{stored_name(r.reference, e.number, e.media_type)}",
                media_type=e.media_type,
                size=e.size,
                sha256=e.sha256,
                added_at=e.added_at,
                added_by=f"{e.added_by_number} {e.added_by_name}",
            )
            for e in files[r.surrender_id]
            if e.purged_at is None
        )
        forms.append(
            ClaimForm(
                batch=batch,
                reference=r.reference,
                campaign=campaign.code,
                campaign_name=campaign.name,
                legal_basis=campaign.legal_basis,
                declaration=campaign.declaration,
                declared=bool(r.declared),
                payer=campaign.payer,
                force=station.force_name,
                station=station.code,
                station_name=station.name,
                timezone=campaign.timezone,
                surrendered_at=r.surrendered_at,
                officer=f"{officer[0]} {officer[1]}",
                approved_by=f"{approver[0]} {approver[1]}" if approver else None,
                approved_at=r.decided_at,
                claimant=Claimant(
                    r.name,
                    r.business_name,
                    r.address,
                    r.postcode,
                    r.phone,
                    r.email,
                    r.account_name,
                    r.sort_code,
                    r.account_number,
                ),
                lines=lines,
                item_count=r.item_count,
                claimed_pence=r.claimed_pence,
                assessed_pence=r.effective_payable,
                reasons=tuple(json.loads(r.claim_reasons)),
                flags=tuple(json.loads(r.flags)),
                evidence=kept,
            )
        )
    return forms


def _write_staged(conn: Connection, scope: Scope, staging: _Staging, pack: Pack, rows: list[Row[Any]]) -> str:
    """Write `pack` (its evidence read a file at a time) into the staged file; its SHA-256."""
    from surrender.claim_form_pdf import render_form
    from surrender.claim_pack import write_pack

    surrender_ids = {r.reference: r.surrender_id for r in rows}

    def evidence_of(form: ClaimForm) -> Iterator[tuple[str, bytes]]:
        for row in evidence_store.contents(conn, scope, [surrender_ids[form.reference]]):
            yield f"evidence/{stored_name(form.reference, row.number, row.media_type)}", row.content

    fd = staging.file.fd
    assert fd is not None  # the staged file is open until it is placed or discarded
    os.ftruncate(fd, 0)
    with os.fdopen(os.dup(fd), "r+b") as handle:
        handle.seek(0)
        write_pack(handle, pack, render_form, evidence_of)
        handle.flush()
        os.fsync(handle.fileno())
    digest = sha256_of(staging.file.path)
    assert digest is not None  # just written, still held by this run
    return digest


def plan_pack(ctx: Context) -> PackResult:
    """Dry run: the claims a pack would take now and those it would hold back; changes nothing."""

    def work(conn: Connection, staff: Row[Any]) -> PackResult:
        campaigns = payer_campaigns(conn)
        ready, held = _sorted_out(conn, scope_of(conn, staff), campaigns, lock=False)
        return PackResult(
            None, len(ready), sum(r.effective_payable for r in ready), None, None, [r.reference for r in ready], 0, held
        )

    return perform(ctx, "claims.pack", work, write=False)


def pack_claims(ctx: Context, out: Path) -> PackResult:
    """Every approved, unbatched, non-void claim of a Home Office scheme with payment details
    goes into one new batch written as a claim pack at `out` (a new .zip); claims without
    payment details (or whose bank details fail the modulus check) are held back, listed."""
    out = check_destination(ctx.url, Path(out))
    if out.suffix.lower() != ".zip":
        raise Refused(f"--out {out.name}: a claim pack is a zip file; name it like pack-2024-09-30.zip")
    notes = finish_interrupted(ctx, out.parent)
    staging = _Staging(ctx, out)

    def work(conn: Connection, staff: Row[Any]) -> PackResult:
        staging.claim_row(conn)
        scope = scope_of(conn, staff)
        campaigns = payer_campaigns(conn)
        if not campaigns:
            raise Refused(
                'no campaign in use says `payer = "home-office"`: its claims go out with `surrender claims export`'
            )
        ready, held = _sorted_out(conn, scope, campaigns, lock=True)
        if not ready:
            raise _nothing_ready(held)
        check_before_payment(conn, staff.id, ready)
        for row in ready:
            transition(Step.EXPORT, row.status, row.reference)
        now = ctx.now()
        batch_id = next_batch_id(conn)
        number = next_batch_number(conn, staff.force_code)
        anchor = audit.anchor_line(conn, staff.force_code)  # the force's chain as it stood before this batch
        who = f"{staff.number} {staff.name}"
        pack = Pack(number, now, who, HOME_OFFICE, anchor, tuple(_forms(conn, scope, ready, campaigns, number)))

        digest = _write_staged(conn, scope, staging, pack, ready)
        ctx.checkpoint("staged")
        ids = [r.claim_id for r in ready]
        conn.execute(
            insert(tables.export_batch).values(
                id=batch_id,
                number=number,
                force_code=staff.force_code,
                created_at=now,
                staff_id=staff.id,
                format=store.PACK_FORMAT,
                claim_count=len(ids),
                total_pence=pack.total_pence,
                sha256=digest,
                filename=out.name,
                host=HOST,
                path=str(out),
                staged_path=str(staging.file.path),
                anchor=anchor,
            )
        )
        if out.exists() or out.is_symlink():  # another terminal's export got there first
            raise Refused(f"--out {out} already exists; a pack never replaces a file: choose a new name")
        exported = {transition(Step.EXPORT, r.status, r.reference) for r in ready}
        conn.execute(
            update(tables.claim).where(tables.claim.c.id.in_(ids)).values(status=str(exported.pop()), batch_id=batch_id)
        )
        references = [r.reference for r in ready]
        evidence_count = sum(len(f.evidence) for f in pack.claims)
        audit.record(
            conn,
            now,
            staff.id,
            "claims.packed",
            "batch",
            batch_id,
            {
                "claims": len(ids),
                "total": pack.total_pence,
                "sha256": digest,
                "format": store.PACK_FORMAT,
                "payer": HOME_OFFICE,
                "evidence_files": evidence_count,
                "references": references,
            },
        )
        return PackResult(
            number, len(ids), pack.total_pence, digest, str(out), references, evidence_count, held, notes, batch_id
        )

    try:
        result = perform(ctx, "claims.pack", work)
    except BaseException:
        staging.abandon()
        raise
    ctx.checkpoint("committed")
    assert result.batch_id is not None  # a pack that took nothing was refused inside the transaction
    try:
        staging.file.place(out, ctx.checkpoint)
        ctx.checkpoint("placed")
    except FileExistsError:
        staging.file.discard()
        _mark_settled(ctx, result.batch_id)
        raise Refused(
            f"batch {result.batch} is recorded, but {out} appeared meanwhile (not from this pack); "
            "the staged pack was removed: ask for it to be re-created"
        ) from None
    finally:
        staging.file.close()
    _mark_settled(ctx, result.batch_id)
    return result


def repack_batch(ctx: Context, batch_id: int, out: Path) -> PackResult:
    """`claims pack --batch N`: write past claim pack N again to a new file, as `claims export
    --batch N` does for an export. Built from the batch's own record (its time, who made it,
    its audit anchor) and its claims, then checked against the SHA-256 recorded for it: the
    same bytes, or a refusal saying its data changed since (a payer's decision, a purge)."""
    out = check_destination(ctx.url, Path(out))
    if out.suffix.lower() != ".zip":
        raise Refused(f"--out {out.name}: a claim pack is a zip file; name it like pack-{batch_id}.zip")
    notes = finish_interrupted(ctx, out.parent)
    staging = _Staging(ctx, out)

    def work(conn: Connection, staff: Row[Any]) -> PackResult:
        scope = scope_of(conn, staff)
        batch = find_batch(conn, batch_id, scope)  # `batch_id` is the force's batch number people type
        if batch.format != store.PACK_FORMAT:
            raise Refused(
                f"batch {batch_id} is a {batch.format} export, not a claim pack: write it again with "
                f"`surrender claims export --batch {batch_id} --out FILE`"
            )
        rows = list(conn.execute(store.in_pack(scope, batch.id)))
        if len(rows) != batch.claim_count:
            raise Refused(
                f"batch {batch_id} holds {batch.claim_count} claims; {len(rows)} are within what you may read"
            )
        campaigns = payer_campaigns(conn)
        maker = store.staff_names(conn, [batch.staff_id])[batch.staff_id]
        forms = tuple(_forms(conn, scope, rows, campaigns, batch_id))
        pack = Pack(batch_id, batch.created_at, f"{maker[0]} {maker[1]}", HOME_OFFICE, batch.anchor or "", forms)
        staging.claim_row(conn)
        digest = _write_staged(conn, scope, staging, pack, rows)
        if digest != batch.sha256:
            raise Refused(
                f"batch {batch_id} no longer matches its recorded SHA-256: its claims changed since it was packed "
                "(a payer's decision, a purge); the pack as sent is the file made then"
            )
        audit.record(
            conn, ctx.now(), staff.id, "claims.batch_recreated", "batch", batch.id, {"sha256": digest, "format": "pack"}
        )
        try:  # last, so a file in place means the transaction had nothing left to do
            staging.file.place(out)
        except FileExistsError:
            raise Refused(f"--out {out} already exists; a pack never replaces a file: choose a new name") from None
        references = [r.reference for r in rows]
        evidence_count = sum(len(f.evidence) for f in forms)
        return PackResult(
            batch_id, len(rows), pack.total_pence, digest, str(out), references, evidence_count, [], notes
        )

    try:
        return perform(ctx, "claims.pack", work)
    except BaseException:
        staging.abandon()
        raise
    finally:
        staging.file.close()
