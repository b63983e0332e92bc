"""The payer is scheme data (issue 17, point 2), on SQLite and PostgreSQL: a Home Office
scheme's claims go out in a claim pack (one batch numbered with the exports, atomic with its
file), the payer's decisions file allows or refuses claims and lines all or nothing, a
remittance pays what was allowed, and disputes reopen a decision."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from surrender import db, tables
from surrender.errors import Forbidden, Refused
from surrender.rules.claimant import make_claimant
from surrender.rules.evidence import evidence_from_bytes
from surrender.rules.items import item_from_spec
from surrender.rules.references import make_reference
from surrender.services.audit_log import verify
from surrender.services.campaigns import register_file
from surrender.services.claims import approve_claim
from surrender.services.decisions import dispute, record_decisions
from surrender.services.export import export_claims
from surrender.services.pack import pack_claims, plan_pack, repack_batch
from surrender.services.payments import mark_paid
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from surrender.store import payer as payer_store
from surrender.store.scope import Scope
from tests.conftest import as_staff
from tests.integration.test_evidence import PDF
from tests.integration.test_export_and_payment import dump

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
ELSEWHERE = make_reference("PK", "Z24", 900)
VALID = {"sort_code": "08-99-99", "account_number": "66374958"}


def claimant(**bank):
    return make_claimant("Jane Smith", "1 High Street, Cambridge", "CB1 1JG", **({**VALID, **bank}))


def log(ctx, *specs, evidence=(), **kw) -> str:
    specs = specs or (f"{KNIFE}:value=60:evidence=receipt", f"{KNIFE}:qty=2")
    kw.setdefault("claimant", claimant())
    request = LogRequest(items=[item_from_spec(s) for s in specs], declared=True, evidence=tuple(evidence), **kw)
    return log_surrender(ctx, request).reference


def finance(ctx):
    return as_staff(ctx, "4001")


def approved(ctx, *specs, **kw) -> str:
    reference = log(ctx, *specs, **kw)
    approve_claim(finance(ctx), reference)
    return reference


def claims(url: str) -> dict[str, tuple]:
    s, c = tables.surrender.c, tables.claim.c
    rows = db.run(url, lambda conn: conn.execute(select(s.reference, c.status, c.batch_id, c.payable_pence)
                                                 .join(tables.claim, c.surrender_id == s.id)).all(),
                  write=False)
    return {r.reference: (r.status, r.batch_id, r.payable_pence) for r in rows}


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_pack_holds_every_claim_line_and_evidence_file_with_digests_that_check(ctx, tmp_path):
    receipt = evidence_from_bytes("receipt.pdf", PDF)
    first = approved(ctx, evidence=[receipt])
    second = approved(ctx, f"{KNIFE}:qty=3")
    held = approved(ctx, claimant=make_claimant("Bob Jones", "2 Low Road", "PE1 1AA"))  # no bank details
    plan = plan_pack(finance(ctx))
    assert plan.references == [first, second] and [h["reference"] for h in plan.held_back] == [held]
    out = tmp_path / "pack.zip"
    result = pack_claims(finance(ctx), out)
    assert (result.batch, result.count, result.total_pence, result.evidence_files) == (1, 2, 8000 + 3000, 1)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert hashlib.sha256(out.read_bytes()).hexdigest() == result.sha256
    assert [h["missing"] for h in result.held_back] == ["no sort code; no account number; no account name"]
    archive = zipfile.ZipFile(out)
    manifest = json.loads(archive.read("manifest.json"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    assert archive.read(f"evidence/{first}-e1.pdf") == PDF
    assert manifest["anchor"].startswith("surrender-anchor force=CAMBS events=") and manifest["batch"] == 1
    assert archive.read("anchor.txt").decode().strip() == manifest["anchor"]
    one = manifest["claims"][0]
    assert (one["reference"], one["claimed"], one["assessed"], one["officer"]) == (first, "80.00", "80.00",
                                                                                 "2001 Sam Patel")
    assert one["claimant"]["account_number"] == "66374958"  # the payer pays the claimant: unmasked
    assert [(line["line"], line["claimed"]) for line in one["lines"]] == [(1, "60.00"), (2, "20.00")]
    assert one["evidence"] == [{"number": 1, "file": f"evidence/{first}-e1.pdf", "media_type": "application/pdf",
                                "size": len(PDF), "sha256": receipt.sha256, "added_at": one["evidence"][0]["added_at"],
                                "added_by": "2001 Sam Patel"}]
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [(r["record"], r["reference"], r["line"]) for r in rows] == [
        ("claim", first, ""), ("line", first, "1"), ("line", first, "2"), ("evidence", first, ""),
        ("claim", second, ""), ("line", second, "1")]
    assert rows[3]["sha256"] == receipt.sha256 and rows[0]["sha256"] == manifest["files"][f"forms/{first}.pdf"]
    template = archive.read("decisions-template.csv").decode().splitlines()
    assert template[0] == "reference,line,kind,description,quantity,claimed,allowed,reason"
    assert archive.read(f"forms/{first}.pdf").startswith(b"%PDF-")
    status = claims(ctx.url)
    assert status[first][:2] == ("exported", 1) and status[held][:2] == ("approved", None)
    batch = db.run(ctx.url, lambda c: c.execute(select(tables.export_batch.c.format)).scalar(), write=False)
    assert batch == "pack"
    assert verify(as_staff(ctx, "1")).problem is None


def test_packs_and_exports_share_one_numbering_and_a_claim_goes_out_in_exactly_one(ctx, tmp_path):
    exported = approved(ctx)
    export_claims(finance(ctx), tmp_path / "batch.csv")
    packed = approved(ctx)
    assert pack_claims(finance(ctx), tmp_path / "pack.zip").batch == 2
    assert claims(ctx.url)[exported][1] == 1 and claims(ctx.url)[packed][1] == 2
    with pytest.raises(Refused, match="no approved claims of a Home Office scheme are waiting"):
        pack_claims(finance(ctx), tmp_path / "again.zip")
    with pytest.raises(Refused, match="no approved claims are waiting for export"):
        export_claims(finance(ctx), tmp_path / "again.csv")
    assert not (tmp_path / "again.zip").exists() and not list(tmp_path.glob(".again*"))
    with pytest.raises(Refused, match="already exists"):
        pack_claims(finance(ctx), tmp_path / "pack.zip")
    with pytest.raises(Refused, match="a claim pack is a zip file"):
        pack_claims(finance(ctx), tmp_path / "pack.csv")
    with pytest.raises(Forbidden, match="needs the finance role"):
        plan_pack(as_staff(ctx, "5001"))


def test_a_past_pack_is_written_again_byte_for_byte_and_only_while_its_claims_are_unchanged(ctx, tmp_path):
    first = approved(ctx, evidence=[evidence_from_bytes("receipt.pdf", PDF)])
    approved(ctx, f"{KNIFE}:qty=3")
    original = pack_claims(finance(ctx), tmp_path / "pack.zip")
    approved(ctx)
    export_claims(finance(ctx), tmp_path / "batch.csv")  # batch 2: an export
    again = repack_batch(finance(ctx), 1, tmp_path / "pack-again.zip")
    assert (again.batch, again.count, again.evidence_files) == (1, 2, 1)
    assert (tmp_path / "pack-again.zip").read_bytes() == (tmp_path / "pack.zip").read_bytes()
    assert again.sha256 == original.sha256
    with pytest.raises(Refused, match="batch 2 is a csv export, not a claim pack: write it again with "
                                      "`surrender claims export --batch 2 --out FILE`"):
        repack_batch(finance(ctx), 2, tmp_path / "two.zip")
    with pytest.raises(Refused, match="already exists"):
        repack_batch(finance(ctx), 1, tmp_path / "pack.zip")
    decisions = write(tmp_path / "decisions.csv", ["reference,line,allowed,reason", f"{first},,50.00,partly"])
    record_decisions(finance(ctx), decisions)
    with pytest.raises(Refused, match="batch 1 no longer matches its recorded SHA-256: its claims changed"):
        repack_batch(finance(ctx), 1, tmp_path / "after.zip")
    assert not (tmp_path / "after.zip").exists() and not list(tmp_path.glob(".after*"))
    assert verify(as_staff(ctx, "1")).problem is None


def test_a_force_paid_scheme_has_no_pack_and_its_claims_still_export(ctx, tmp_path):
    from surrender.campaigns import load_preset

    source = load_preset("zombie-2024").source.replace('payer = "home-office"\n', "").replace(
        'code = "zombie-2024"', 'code = "zombie-force"').replace('reference_prefix = "Z24"', 'reference_prefix = "ZF"')
    (tmp_path / "force.toml").write_text(source)
    register_file(as_staff(ctx, "1"), tmp_path / "force.toml")
    reference = approved(as_staff(ctx, "2001", campaign="zombie-force"))
    with pytest.raises(Refused, match='no campaign in use says `payer = "home-office"`: its claims go out with '
                                      "`surrender claims export`"):
        pack_claims(finance(ctx), tmp_path / "pack.zip")
    assert export_claims(finance(ctx), tmp_path / "batch.csv").rows[0].reference == reference


def test_a_pair_failing_the_modulus_check_is_held_back_from_pack_and_export(ctx, tmp_path):
    reference = approved(ctx)
    db.run(ctx.url, lambda c: c.execute(text("UPDATE claimant SET account_number = '66374959'")))
    plan = plan_pack(finance(ctx))
    assert plan.references == [] and plan.held_back[0]["missing"] == "sort code and account number fail the modulus check"
    with pytest.raises(Refused, match=f"{reference} \\(sort code and account number fail the modulus check\\)"):
        export_claims(finance(ctx), tmp_path / "batch.csv")


def packed(ctx, tmp_path, *specs, count: int = 1) -> list[str]:
    references = [approved(ctx, *specs) for _ in range(count)]
    pack_claims(finance(ctx), tmp_path / f"pack-{references[0]}.zip")
    return references


def test_decisions_allow_some_lines_refuse_others_and_the_remittance_pays_what_was_allowed(ctx, tmp_path):
    partly, whole, nothing = packed(ctx, tmp_path, count=3)
    decisions = write(tmp_path / "decisions.csv", [
        "reference,line,allowed,reason,ignored column",
        f"{partly},1,45.00,receipt shows £45,x",
        f"{partly},2,0,not eligible,",
        f"{whole},,80.00,,",
        f"{nothing},,0,not the legal owner,",
    ])
    result = record_decisions(finance(ctx), decisions)
    assert (result.claims, result.decided, result.refused, result.allowed_pence) == (3, 2, 1, 4500 + 8000)
    status = claims(ctx.url)
    assert status[partly][0::2] == ("decided", 4500) and status[whole][0::2] == ("decided", 8000)
    assert status[nothing][0::2] == ("refused", 0)
    lines = db.run(ctx.url, lambda c: c.execute(
        select(tables.payer_decision.c.line, tables.payer_decision.c.allowed_pence, tables.payer_decision.c.reason,
               tables.payer_decision.c.assessed_pence).order_by(tables.payer_decision.c.id)).all(),
                   write=False)
    assert [tuple(r) for r in lines[:2]] == [(1, 4500, "receipt shows £45", 8000), (2, 0, "not eligible", 8000)]
    remittance = write(tmp_path / "remit.csv", ["reference,amount", f"{partly},80.00"])
    with pytest.raises(Refused, match=r"amount £80\.00 differs from the £45\.00 the payer allowed"):
        mark_paid(finance(ctx), remittance)
    write(remittance, ["reference,amount", f"{nothing},0.00"])
    with pytest.raises(Refused, match="claim is refused, not exported"):
        mark_paid(finance(ctx), remittance)
    write(remittance, ["reference,amount", f"{partly},45.00", f"{whole},80.00"])
    assert mark_paid(finance(ctx), remittance).total_pence == 12500
    assert claims(ctx.url)[partly][0] == "paid"
    with pytest.raises(Refused, match="claim is paid: only a claim with the payer takes its decision"):
        record_decisions(finance(ctx), decisions)
    assert verify(as_staff(ctx, "1")).problem is None


def test_a_decisions_file_with_any_bad_row_changes_nothing_and_lists_every_problem(ctx, tmp_path):
    good, second = packed(ctx, tmp_path, count=2)
    voided = log(ctx)
    void_surrender(as_staff(ctx, "5001"), voided, "logged twice")
    not_packed = approved(ctx)
    exported = approved(ctx)
    from surrender.services.export import export_claims as export

    db.run(ctx.url, lambda c: c.execute(text(f"UPDATE claim SET status = 'pending' WHERE surrender_id IN "
                                             f"(SELECT id FROM surrender WHERE reference = '{not_packed}')")))
    export(finance(ctx), tmp_path / "batch.csv")
    before = dump(ctx.url)
    decisions = write(tmp_path / "bad.csv", [
        "reference,line,allowed,reason",
        f"{good},,80.01,",                   # above what was claimed
        f"{voided},,10.00,",                 # void
        f"{not_packed},,10.00,",             # not in a pack
        f"{exported},,10.00,",               # in a CSV export, not a pack
        f"{ELSEWHERE},,10.00,",              # another station's or force's: unknown here
        f"{second},3,1.00,",                 # no such line
        "nonsense,,1,",
    ])
    with pytest.raises(Refused) as refused:
        record_decisions(finance(ctx), decisions)
    message = str(refused.value)
    assert message.startswith(f"{decisions}: 7 bad line(s), nothing recorded;")
    message = "\n".join(refused.value.problems)  # the whole list: the CLI writes it out and quotes five
    for expected in (f"line 2: {good} allowed £80.01 is above the £80.00 claimed",
                     f"line 7: {second} has no item line 3 (it has 2 lines)", f"line 3: {voided} is void",
                     f"line 4: {not_packed} is not in a claim pack: it is pending", f"line 5: {exported} is not in a "
                     "claim pack: it is in export batch 2 (a csv file", f"line 6: no claim with reference {ELSEWHERE}",
                     "line 8: 'nonsense' is not a reference"):
        assert expected in message, expected
    assert dump(ctx.url) == before


def test_a_claim_outside_the_readers_scope_reads_as_unknown(ctx, tmp_path):
    reference, = packed(ctx, tmp_path)

    def look(scope):
        return db.run(ctx.url, lambda c: payer_store.claim_for_decision(c, scope, reference), write=False)

    assert look(Scope.of_stations(["PK"])) is None
    assert look(Scope.of_stations(["TW"])).reference == reference
    assert look(Scope.everything()).batch_format == "pack"


def test_a_dispute_upheld_sends_the_claim_back_for_a_new_decision_and_dismissed_leaves_it(ctx, tmp_path):
    reference, other = packed(ctx, tmp_path, count=2)
    record_decisions(finance(ctx), write(tmp_path / "d1.csv", ["reference,line,allowed,reason",
                                                               f"{reference},,0,no proof of ownership",
                                                               f"{other},,30.00,standard only"]))
    with pytest.raises(Refused, match="has no open dispute"):
        dispute(finance(ctx), reference, "answer", "upheld")
    assert "dispute recorded" in dispute(finance(ctx), reference, "claimant has the receipt")
    with pytest.raises(Refused, match="already has an open dispute"):
        dispute(as_staff(ctx, "5001"), reference, "again")
    with pytest.raises(Refused, match="already refused by the payer: a new decision follows only a dispute upheld"):
        record_decisions(finance(ctx), write(tmp_path / "d2.csv", ["reference,allowed", f"{reference},80.00"]))
    assert "dispute upheld" in dispute(finance(ctx), reference, "payer will decide again", "UPHELD")
    assert claims(ctx.url)[reference][0] == "exported"
    record_decisions(finance(ctx), write(tmp_path / "d3.csv", ["reference,allowed", f"{reference},80.00"]))
    assert claims(ctx.url)[reference][0::2] == ("decided", 8000)
    rounds = db.run(ctx.url, lambda c: c.execute(select(tables.payer_decision.c.round)
                                                 .order_by(tables.payer_decision.c.id)).scalars().all(),
                    write=False)
    assert rounds == [1, 1, 2]
    dispute(finance(ctx), other, "wants more")
    assert "dispute dismissed" in dispute(finance(ctx), other, "standard stands", "dismissed")
    assert claims(ctx.url)[other][0::2] == ("decided", 3000)
    with pytest.raises(Refused, match="claim is pending: only a claim the payer decided or refused can be disputed"):
        dispute(finance(ctx), log(ctx), "too early")
    with pytest.raises(Refused, match="needs a --note"):
        dispute(finance(ctx), reference, "   ")
    with pytest.raises(Forbidden, match="needs the finance or manager role"):
        dispute(ctx, reference, "desk")
    progress = db.run(ctx.url, lambda c: payer_store.payer_progress(
        c, Scope.everything(), c.execute(select(tables.surrender.c.id).where(
            tables.surrender.c.reference == reference)).scalar()), write=False)
    assert progress.in_pack and progress.allowed_pence == 8000 and progress.disputed_since is None
    assert verify(as_staff(ctx, "1")).problem is None


def test_a_decided_or_refused_claim_cannot_be_voided(ctx, tmp_path):
    reference, = packed(ctx, tmp_path)
    record_decisions(finance(ctx), write(tmp_path / "d.csv", ["reference,allowed,reason", f"{reference},0,no"]))
    with pytest.raises(Refused, match="is already refused"):
        void_surrender(as_staff(ctx, "5001"), reference, "oops")


@pytest.mark.parametrize(("stage", "committed"), [("staged", False), ("committed", True), ("linked", True),
                                                  ("placed", True)])
def test_a_pack_killed_at_any_stage_is_finished_or_removed_by_the_next_pack(ctx, tmp_path, stage, committed):
    import signal
    from dataclasses import replace

    from surrender.staging import is_staged_name
    from tests.integration.test_crash_harness import forked

    folder = tmp_path / "packs"
    folder.mkdir()
    first = approved(ctx)

    def killed_at(at: str) -> None:
        if at == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    dying = replace(finance(ctx), checkpoint=killed_at)
    assert forked(ctx.url, lambda: str(pack_claims(dying, folder / "one.zip").batch), None) is None
    second = approved(ctx)
    result = pack_claims(finance(ctx), folder / "two.zip")
    assert [n for n in os.listdir(folder) if is_staged_name(n)] == []
    recorded = db.run(ctx.url, lambda c: c.execute(select(tables.export_batch.c.id, tables.export_batch.c.path,
                                                          tables.export_batch.c.sha256, tables.export_batch.c.settled_at)
                                                   .order_by(tables.export_batch.c.id)).all(), write=False)
    assert all(r.settled_at is not None for r in recorded)
    for batch in recorded:
        assert hashlib.sha256(Path(batch.path).read_bytes()).hexdigest() == batch.sha256
    status = claims(ctx.url)
    if committed:
        assert (status[first][1], status[second][1], result.batch) == (1, 2, 2)
        assert (folder / "one.zip").exists()
    else:
        # one batch row holds both (its id may skip one the killed pack drew from the sequence)
        assert (status[first][1] == status[second][1] == result.batch_id, result.batch) == (True, 1)
        assert not (folder / "one.zip").exists()
