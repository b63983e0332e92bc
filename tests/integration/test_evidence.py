"""Evidence kept with the claim (issue 17, point 1), on SQLite and PostgreSQL: added at the
counter or later until the claim goes out, listed and extracted by finance and managers, in
the audit chain by digest, wiped by purge, carried by backups; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat

import pytest
from sqlalchemy import select, text

from surrender import db, tables
from surrender.errors import Forbidden, NotFound, Refused
from surrender.rules.claimant import make_claimant
from surrender.rules.evidence import MAX_FILES, evidence_from_bytes
from surrender.rules.items import item_from_spec
from surrender.services.audit_log import verify
from surrender.services.claims import approve_claim, reject_claim
from surrender.services.evidence import add_evidence, extract_evidence, list_evidence
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.purge import purge
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import as_staff
from tests.integration.test_export_and_payment import dump
from tests.unit.test_rules_evidence import jpeg, pdf, png

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"


def claimant():
    return make_claimant("Jane Smith", "1 High Street, Cambridge", "CB1 1JG", sort_code="08-99-99",
                         account_number="66374958")


PDF = pdf()


def receipt(text_: str = "receipt") -> object:
    return evidence_from_bytes(f"{text_}.pdf", PDF + text_.encode())


def log(ctx, *evidence, qty: int = 3, **kw) -> str:
    kw.setdefault("claimant", None if kw.get("anonymous") else claimant())
    kw.setdefault("declared", not (kw.get("anonymous") or kw.get("no_claim")))
    request = LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}:value=60:evidence=receipt")],
                         evidence=tuple(evidence), **kw)
    return log_surrender(ctx, request).reference


def finance(ctx):
    return as_staff(ctx, "4001")


def manager(ctx):
    return as_staff(ctx, "5001")


def events(url: str, action: str) -> list[dict]:
    rows = db.run(url, lambda c: c.execute(select(tables.audit_event.c.detail)
                                           .where(tables.audit_event.c.action == action)
                                           .order_by(tables.audit_event.c.id)).scalars().all(), write=False)
    return [json.loads(r) for r in rows]


def test_evidence_given_at_the_counter_is_kept_with_its_digest_who_and_when(ctx):
    file, photo = receipt(), evidence_from_bytes("IMG_0042.JPG", jpeg())
    reference = log(ctx, file, photo)
    kept = list_evidence(finance(ctx), reference)
    assert [(k.number, k.media_type, k.sha256, k.name, k.added_by, k.file) for k in kept] == [
        (1, "application/pdf", file.sha256, "receipt.pdf", "2001 Sam Patel", f"{reference}-e1.pdf"),
        (2, "image/jpeg", photo.sha256, "IMG_0042.JPG", "2001 Sam Patel", f"{reference}-e2.jpg")]
    assert all(k.added_at == ctx.now() for k in kept)
    added = events(ctx.url, "evidence.added")
    assert [(e["number"], e["sha256"], e["size"]) for e in added] == [(1, file.sha256, file.size),
                                                                      (2, photo.sha256, photo.size)]
    assert "receipt.pdf" not in json.dumps(added) and "IMG_0042" not in json.dumps(added)  # no names in the chain
    assert list_evidence(manager(ctx), reference)[0].sha256 == file.sha256
    with pytest.raises(Forbidden, match="needs the finance or manager role"):
        list_evidence(ctx, reference)
    assert verify(as_staff(ctx, "1")).problem is None


def test_evidence_is_added_later_until_the_claim_goes_out_and_only_where_the_reader_may_see(ctx, tmp_path):
    reference = log(ctx)
    assert [k.number for k in add_evidence(ctx, reference, [receipt("a")])] == [1]
    with pytest.raises(NotFound, match="no surrender with reference"):
        add_evidence(as_staff(ctx, "3001", station="PK"), reference, [receipt("b")])  # a PK officer
    approve_claim(finance(ctx), reference)
    assert [k.number for k in add_evidence(finance(ctx), reference, [receipt("b")])] == [2]
    with pytest.raises(Refused, match=r"already holds evidence file b\.pdf"):
        add_evidence(ctx, reference, [receipt("b")])
    export_claims(finance(ctx), tmp_path / "batch.csv")
    before = dump(ctx.url)
    with pytest.raises(Refused, match="claim is exported: evidence is added only while it is approved or pending"):
        add_evidence(ctx, reference, [receipt("c")])
    rejected = log(ctx)
    reject_claim(finance(ctx), rejected, "not the owner")
    with pytest.raises(Refused, match="claim is rejected"):
        add_evidence(ctx, rejected, [receipt("c")])
    voided = log(ctx)
    void_surrender(manager(ctx), voided, "logged twice")
    with pytest.raises(Refused, match="is void"):
        add_evidence(ctx, voided, [receipt("c")])
    no_claim = log(ctx, no_claim=True)
    with pytest.raises(Refused, match="has no compensation claim"):
        add_evidence(ctx, no_claim, [receipt("c")])
    assert dump(ctx.url)["evidence"] == before["evidence"]  # every refusal left the evidence as it was
    assert len(list_evidence(finance(ctx), reference)) == 2


def test_a_claim_holds_at_most_the_bound_and_an_anonymous_surrender_takes_no_evidence(ctx):
    reference = log(ctx, *[receipt(str(n)) for n in range(MAX_FILES)])
    before = dump(ctx.url)
    with pytest.raises(Refused, match=f"at most {MAX_FILES} evidence files; this one has {MAX_FILES} and 1 more"):
        add_evidence(ctx, reference, [receipt("one more")])
    with pytest.raises(Refused, match="evidence goes with a compensation claim"):
        log(ctx, receipt("anon"), anonymous=True)
    assert dump(ctx.url) == before  # not even a reference number used


def test_finance_extracts_owner_only_files_never_over_a_file_and_the_extraction_is_audited(ctx, tmp_path):
    file, image = receipt(), evidence_from_bytes("p.png", png())
    reference = log(ctx, file, image)
    out = tmp_path / "out"
    written = extract_evidence(finance(ctx), reference, out)
    assert [p.name for _, p in written] == [f"{reference}-e1.pdf", f"{reference}-e2.png"]
    for info, path in written:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == info.sha256
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert events(ctx.url, "evidence.extracted") == [{"reference": reference, "files": [1, 2]}]
    (out / f"{reference}-e1.pdf").write_bytes(b"someone else's")
    with pytest.raises(Refused, match="already has"):
        extract_evidence(finance(ctx), reference, out)
    assert (out / f"{reference}-e1.pdf").read_bytes() == b"someone else's"
    assert len(events(ctx.url, "evidence.extracted")) == 1
    with pytest.raises(Refused, match="is a file"):
        extract_evidence(finance(ctx), reference, out / f"{reference}-e1.pdf")


def test_purge_wipes_the_files_and_their_names_keeps_the_digests_and_the_chain_holds(ctx, clock, tmp_path):
    file = receipt()
    reference = log(ctx, file)
    approve_claim(finance(ctx), reference)
    export_claims(finance(ctx), tmp_path / "batch.csv")
    (tmp_path / "remit.csv").write_text(f"reference,amount\n{reference},180.00\n")
    mark_paid(finance(ctx), tmp_path / "remit.csv")
    clock.now = clock.now + dt.timedelta(days=400)
    result = purge(as_staff(ctx, "1"), dt.date(2024, 9, 30))
    assert result.claimants == 1
    kept = list_evidence(finance(ctx), reference)
    assert [(k.sha256, k.name, k.purged_at is not None) for k in kept] == [(file.sha256, None, True)]
    content = db.run(ctx.url, lambda c: c.execute(select(tables.evidence.c.content)).scalar(), write=False)
    assert content is None
    assert events(ctx.url, "claimants.purged")[-1]["evidence_files"] == 1
    with pytest.raises(Refused, match="purged with the claimant's details"):
        extract_evidence(finance(ctx), reference, tmp_path / "out")
    assert verify(as_staff(ctx, "1")).problem is None


@pytest.mark.parametrize("edit", ["content", "sha256", "delete", "insert"])
def test_evidence_changed_behind_the_tools_back_is_caught_by_audit_verify(ctx, edit):
    reference = log(ctx, receipt())
    sql = {"content": "UPDATE evidence SET content = :forged",
           "sha256": "UPDATE evidence SET sha256 = :digest, content = :forged",
           "delete": "DELETE FROM evidence",
           "insert": "INSERT INTO evidence (surrender_id, force_code, number, media_type, size, sha256, content, added_at, "
                     "added_by) SELECT surrender_id, force_code, 2, media_type, size, sha256, content, added_at, "
                     "added_by FROM evidence"}[edit]
    forged = PDF + b"forged"
    db.run(ctx.url, lambda c: c.execute(text(sql), {"forged": forged, "digest": hashlib.sha256(forged).hexdigest()}))
    report = verify(as_staff(ctx, "1"))
    expected = {"content": f"evidence file 1 of {reference} differs from the audit trail",
                "sha256": f"evidence file 1 of {reference} differs from the audit trail",
                "delete": "is in the audit trail (last event", "insert": f"evidence file 2 of {reference} has no audit event"}
    assert expected[edit] in report.problem


def test_a_backup_carries_the_evidence(ctx, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("PostgreSQL is backed up with pg_dump (the evidence is in its tables)")
    from surrender.services.backup import backup

    file = receipt()
    reference = log(ctx, file)
    copy = backup(as_staff(ctx, "1"), tmp_path / "copy.db")
    with sqlite3.connect(copy) as conn:
        (content,) = conn.execute("SELECT content FROM evidence").fetchone()
    assert hashlib.sha256(content).hexdigest() == file.sha256
    assert list_evidence(finance(ctx).__class__(**{**vars(finance(ctx)), "url": f"sqlite:///{copy}"}),
                         reference)[0].sha256 == file.sha256
    db.dispose(f"sqlite:///{copy}")
