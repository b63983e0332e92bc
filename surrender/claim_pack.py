"""A claim pack: the zip finance sends a scheme's payer (the Home Office) with one batch of
claims. Inside:

    manifest.csv, manifest.json   every claim, line and evidence file, each file's SHA-256
    forms/REF.pdf                 one claim form per claim (claim_form_pdf)
    evidence/REF-e1.pdf ...       the evidence files exactly as kept
    decisions-template.csv        a row per line for the payer's answer (`claims decisions`)
    anchor.txt                    the audit anchor as the pack was made

Entries carry the batch time, so the same pack data gives the same zip. CSV cells a
spreadsheet would run as formulas are neutralised (as in exports)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from typing import IO

from surrender.clock import iso
from surrender.errors import Refused
from surrender.exports import neutralise
from surrender.pack_views import ClaimForm, Pack
from surrender.rules.money import format_pence

MANIFEST_COLUMNS = (
    "record",
    "batch",
    "reference",
    "station",
    "campaign",
    "surrendered_at",
    "officer",
    "claimant_name",
    "business_name",
    "address",
    "postcode",
    "account_name",
    "sort_code",
    "account_number",
    "line",
    "kind",
    "description",
    "quantity",
    "unit_claimed",
    "claimed",
    "assessed",
    "evidence",
    "file",
    "media_type",
    "size",
    "sha256",
)
TEMPLATE_COLUMNS = ("reference", "line", "kind", "description", "quantity", "claimed", "allowed", "reason")


def _csv(rows: Iterable[Iterable[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def manifest_rows(pack: Pack, form_digests: dict[str, str]) -> list[dict[str, object]]:
    """One `claim` row (claimant, totals, its form's digest), one `line` row per item line and
    one `evidence` row per file, for every claim."""
    rows: list[dict[str, object]] = []
    for claim in pack.claims:
        person = claim.claimant
        common = {
            "batch": pack.batch,
            "reference": claim.reference,
            "station": claim.station,
            "campaign": claim.campaign,
        }
        rows.append(
            {
                **common,
                "record": "claim",
                "surrendered_at": iso(claim.surrendered_at, claim.timezone),
                "officer": claim.officer,
                "claimant_name": person.name,
                "business_name": person.business_name or "",
                "address": person.address,
                "postcode": person.postcode,
                "account_name": person.account_name,
                "sort_code": person.sort_code,
                "account_number": person.account_number,
                "quantity": claim.item_count,
                "claimed": format_pence(claim.claimed_pence),
                "assessed": format_pence(claim.assessed_pence),
                "file": claim.form_file,
                "media_type": "application/pdf",
                "sha256": form_digests[claim.form_file],
            }
        )
        for line in claim.lines:
            rows.append(
                {
                    **common,
                    "record": "line",
                    "line": line.number,
                    "kind": line.kind,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_claimed": format_pence(line.unit_claimed_pence),
                    "claimed": format_pence(line.claimed_pence),
                    "assessed": format_pence(line.assessed_pence),
                    "evidence": line.evidence,
                }
            )
        for item in claim.evidence:
            rows.append(
                {
                    **common,
                    "record": "evidence",
                    "line": None,
                    "file": item.file,
                    "media_type": item.media_type,
                    "size": item.size,
                    "sha256": item.sha256,
                }
            )
    return rows


def manifest_csv(pack: Pack, form_digests: dict[str, str]) -> bytes:
    rows = manifest_rows(pack, form_digests)
    return _csv(
        [
            MANIFEST_COLUMNS,
            *([row.get(c, "") if row.get(c) is not None else "" for c in MANIFEST_COLUMNS] for row in rows),
        ]
    )


def _claim_json(claim: ClaimForm, form_digest: str) -> dict[str, object]:
    person = claim.claimant
    return {
        "reference": claim.reference,
        "station": claim.station,
        "campaign": claim.campaign,
        "surrendered_at": iso(claim.surrendered_at, claim.timezone),
        "officer": claim.officer,
        "approved_by": claim.approved_by,
        "approved_at": iso(claim.approved_at, claim.timezone),
        "declared": claim.declared,
        "claimant": {
            "name": person.name,
            "business_name": person.business_name,
            "address": person.address,
            "postcode": person.postcode,
            "phone": person.phone,
            "email": person.email,
            "account_name": person.account_name,
            "sort_code": person.sort_code,
            "account_number": person.account_number,
        },
        "items": claim.item_count,
        "claimed": format_pence(claim.claimed_pence),
        "assessed": format_pence(claim.assessed_pence),
        "reasons": list(claim.reasons),
        "flags": list(claim.flags),
        "lines": [
            {
                "line": line.number,
                "kind": line.kind,
                "description": line.description,
                "blade_length_mm": line.blade_length_mm,
                "quantity": line.quantity,
                "unit_claimed": format_pence(line.unit_claimed_pence),
                "claimed": format_pence(line.claimed_pence),
                "assessed": format_pence(line.assessed_pence),
                "evidence": line.evidence,
                "eligible": line.eligible,
                "reasons": list(line.reasons),
                "seal": line.seal or None,
            }
            for line in claim.lines
        ],
        "evidence": [
            {
                "number": item.number,
                "file": item.file,
                "media_type": item.media_type,
                "size": item.size,
                "sha256": item.sha256,
                "added_at": iso(item.added_at, claim.timezone),
                "added_by": item.added_by,
            }
            for item in claim.evidence
        ],
        "form": {"file": claim.form_file, "sha256": form_digest},
    }


def manifest_json(pack: Pack, form_digests: dict[str, str], files: dict[str, str]) -> bytes:
    document = {
        "batch": pack.batch,
        "kind": "claim pack",
        "payer": pack.payer,
        "created_at": iso(pack.created_at),
        "created_by": pack.created_by,
        "anchor": pack.anchor,
        "claims_count": len(pack.claims),
        "assessed_total": format_pence(pack.total_pence),
        "claims": [_claim_json(c, form_digests[c.form_file]) for c in pack.claims],
        "files": files,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def decisions_template(pack: Pack) -> bytes:
    rows: list[list[object]] = [list(TEMPLATE_COLUMNS)]
    for claim in pack.claims:
        for line in claim.lines:
            rows.append(
                [
                    claim.reference,
                    line.number,
                    line.kind,
                    line.description,
                    line.quantity,
                    format_pence(line.claimed_pence),
                    "",
                    "",
                ]
            )
    return _csv(rows)


def write_pack(
    out: IO[bytes],
    pack: Pack,
    render_form: Callable[[ClaimForm], bytes],
    evidence_of: Callable[[ClaimForm], Iterable[tuple[str, bytes]]],
) -> dict[str, str]:
    """Write the zip to `out`; `evidence_of(claim)` yields (file, bytes) for the claim's files
    one at a time. Returns {file: sha256} of everything in it but the manifests."""
    stamp = pack.created_at.astimezone(dt.UTC).timetuple()[:6]  # UTC: a re-issued pack is the same bytes
    files: dict[str, str] = {}

    def put(name: str, data: bytes, compress: bool = True) -> None:
        info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o600 << 16
        archive.writestr(info, data)

    form_digests: dict[str, str] = {}
    with zipfile.ZipFile(out, "w") as archive:
        for claim in pack.claims:
            form = render_form(claim)
            form_digests[claim.form_file] = files[claim.form_file] = hashlib.sha256(form).hexdigest()
            put(claim.form_file, form)
            expected = {item.file: item.sha256 for item in claim.evidence}
            for name, content in evidence_of(claim):
                digest = hashlib.sha256(content).hexdigest()
                if expected.get(name) != digest:
                    raise Refused(
                        f"{claim.reference}: evidence file {name} no longer matches the SHA-256 recorded "
                        "when it was added (changed behind the tool's back): run `surrender audit verify`"
                    )
                files[name] = digest
                put(name, content, compress=not name.endswith((".jpg", ".png")))
        template = decisions_template(pack)
        files["decisions-template.csv"] = hashlib.sha256(template).hexdigest()
        put("decisions-template.csv", template)
        anchor = (pack.anchor + "\n").encode()
        files["anchor.txt"] = hashlib.sha256(anchor).hexdigest()
        put("anchor.txt", anchor)
        put("manifest.csv", manifest_csv(pack, form_digests))
        put("manifest.json", manifest_json(pack, form_digests, files))
    return files
