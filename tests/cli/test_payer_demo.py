"""Issue 17's "done when" on the demo database (payer home-office): claims with evidence files
go out in a claim pack, a decisions file allows some lines and refuses others, a remittance
pays the allowed amounts; the pack's manifest digests check and its forms render."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile

from typer.testing import CliRunner

from surrender import db
from surrender.cli import app
from surrender.demo import FINANCE, PINS
from tests.demo_database import demo_copy
from tests.unit.test_rules_evidence import jpeg, pdf


def test_the_demo_campaign_sends_evidence_in_a_pack_and_pays_what_the_home_office_allowed(tmp_path_factory,
                                                                                          tmp_path):
    folder = demo_copy(tmp_path_factory)
    url = f"sqlite:///{folder / 'demo.db'}"
    runner = CliRunner()

    def run(staff: str, *args: str):
        env = {"SURRENDER_DATABASE_URL": url, "SURRENDER_STAFF": staff, "SURRENDER_PIN": PINS[staff],
               "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None, "COLUMNS": "200"}
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result

    pending = [r for r in json.loads(run(FINANCE, "claims", "list", "--status", "pending", "--format", "json").stdout)
               if r["bank_details"] and not r["flagged"] and not r["void"]]
    chosen = [r["reference"] for r in pending[:3]]
    assert len(chosen) == 3
    (tmp_path / "receipt.pdf").write_bytes(pdf())
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    for reference in chosen[:2]:
        run(FINANCE, "claims", "add-evidence", reference, str(tmp_path / "receipt.pdf"), str(tmp_path / "photo.jpg"))
    for reference in chosen:
        run(FINANCE, "claims", "approve", reference)
    pack = tmp_path / "pack.zip"
    made = run(FINANCE, "claims", "pack", "--out", str(pack))
    assert "(claim pack)" in made.stdout and "4 evidence files" in made.stdout
    archive = zipfile.ZipFile(pack)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["payer"] == "home-office" and set(chosen) <= {c["reference"] for c in manifest["claims"]}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    assert len([n for n in archive.namelist() if n.startswith("evidence/")]) == 4
    form = tmp_path / "form.pdf"
    form.write_bytes(archive.read(f"forms/{chosen[0]}.pdf"))
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(form), str(tmp_path / "form")], check=True)
        assert (tmp_path / "form-1.png").stat().st_size > 10_000

    # The Home Office's answer: every line allowed as claimed, but the last line of one claim
    # refused (or the whole of a one-line claim).
    template = list(csv.DictReader(io.StringIO(archive.read("decisions-template.csv").decode())))
    refused = [r for r in template if r["reference"] == chosen[0]][-1]
    for row in template:
        row["allowed"], row["reason"] = (("0", "no evidence of ownership") if row is refused else (row["claimed"], ""))
    decisions = tmp_path / "decisions.csv"
    with open(decisions, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(template[0]))
        writer.writeheader()
        writer.writerows(template)
    run(FINANCE, "claims", "decisions", "--file", str(decisions))
    listed = {r["reference"]: r for r in json.loads(run(FINANCE, "claims", "list", "--format", "json").stdout)}
    packed = [c["reference"] for c in manifest["claims"]]
    assert all(listed[ref]["status"] in ("decided", "refused") for ref in packed)
    claimed = {c["reference"]: c["claimed"] for c in manifest["claims"]}
    assert listed[chosen[1]]["payable"] == claimed[chosen[1]]
    assert listed[chosen[0]]["payable"] != claimed[chosen[0]] or listed[chosen[0]]["status"] == "refused"
    remittance = tmp_path / "remittance.csv"
    remittance.write_text("reference,amount\n" + "".join(f"{ref},{listed[ref]['payable']}\n" for ref in packed
                                                           if listed[ref]["status"] == "decided"))
    run(FINANCE, "claims", "paid", "--file", str(remittance))
    after = {r["reference"]: r for r in json.loads(run(FINANCE, "claims", "list", "--format", "json").stdout)}
    assert after[chosen[1]]["status"] == "paid" and after[chosen[1]]["payable"] == claimed[chosen[1]]
    assert "every record matches its events" in run("1", "audit", "verify").stdout
    db.dispose(url)
