"""Issue 17 through the command line: evidence at the counter and after, the claim pack, the
payer's decisions and disputes, bank details checked as banks check them; and the hostile
inputs each refused in one line with the database unchanged."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import zipfile

import pytest

from surrender.rules.evidence import MAX_FILE_BYTES
from surrender.rules.references import make_reference
from tests.cli.test_finance_cli import KNIFE, cli  # noqa: F401 (fixture)
from tests.cli.test_hostile_inputs import digest
from tests.conftest import error_line
from tests.unit.test_rules_evidence import jpeg, pdf, zip_bomb

VALID = ("08-99-99", "66374958")
FAILING = ("08-99-99", "66374959")  # Vocalink's published failing case: one digit off


def log(cli, *extra: str, bank=VALID, item: str = f"{KNIFE}:value=60:evidence=receipt", staff: str = "2001",
        station: str = "TW"):
    args = [staff, "--station", station, "log", "--at", "2024-09-02 10:00", "--name", "Jane Smith", "--address",
            "1 High St", "--postcode", "CB1 1JG", "--declare", "--item", item, "--item", f"{KNIFE}:qty=2",
            "--format", "json"]
    if bank:
        args += ["--sort-code", bank[0], "--account-number", bank[1]]
    return cli(*args, *extra)


def logged(cli, *extra: str, **kw) -> str:
    result = log(cli, *extra, **kw)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["reference"]


@pytest.fixture
def files(tmp_path):
    """Evidence files, good and hostile, on disk."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "receipt.pdf").write_bytes(pdf())
    (folder / "photo.jpg").write_bytes(jpeg())
    shutil.copy("/bin/true", folder / "invoice.pdf")  # a real executable, renamed
    (folder / "statement.pdf").write_bytes(zip_bomb())  # 100 MB of zeros in a ~100 KB zip, renamed
    with open(folder / "huge.pdf", "wb") as huge:  # 2 GB, sparse: nothing written to disk
        huge.truncate(2 * 2**30)
    return folder


HOSTILE = [
    ("invoice.pdf", "evidence file invoice.pdf is not a PDF, JPEG or PNG: it looks like a Linux program (ELF "
                    "executable) (the file's content decides, not its name)"),
    ("statement.pdf", "evidence file statement.pdf is not a PDF, JPEG or PNG: it looks like a ZIP archive"),
    ("huge.pdf", f"evidence file huge.pdf is 2,147,483,648 bytes; the most is {MAX_FILE_BYTES:,} (15 MB)"),
]


@pytest.mark.parametrize(("name", "message"), HOSTILE)
def test_hostile_evidence_is_refused_in_one_line_at_the_counter_and_later_and_nothing_changes(cli, files, name,
                                                                                            message):
    reference = logged(cli)
    before = digest(cli.url)
    started = time.monotonic()
    refused = error_line(log(cli, "--evidence", str(files / "receipt.pdf"), "--evidence", str(files / name)))
    assert message in refused
    assert message in error_line(cli("2001", "claims", "add-evidence", reference, str(files / name)))
    assert message in error_line(cli("4001", "claims", "add-evidence", reference, str(files / "photo.jpg"),
                                     str(files / name)))
    assert time.monotonic() - started < 20  # the 2 GB file is never read
    assert digest(cli.url) == before


def test_evidence_at_the_counter_then_later_listed_and_extracted_by_finance(cli, files, tmp_path):
    reference = logged(cli, "--evidence", str(files / "receipt.pdf"))
    added = cli("2001", "claims", "add-evidence", reference, str(files / "photo.jpg"))
    assert added.exit_code == 0, added.output
    assert f"{reference}: kept evidence 2 photo.jpg (JPEG" in added.stdout
    listed = cli("4001", "claims", "evidence", reference, "--format", "json")
    rows = json.loads(listed.stdout)
    assert [(r["number"], r["name"], r["media_type"], r["added_by"]) for r in rows] == [
        (1, "receipt.pdf", "application/pdf", "2001 Sam Patel"), (2, "photo.jpg", "image/jpeg", "2001 Sam Patel")]
    assert rows[0]["sha256"] == hashlib.sha256((files / "receipt.pdf").read_bytes()).hexdigest()
    table = cli("5001", "claims", "evidence", reference)
    assert table.exit_code == 0 and "receipt.pdf" in table.stdout and "2001 Sam Patel" in table.stdout
    assert "needs the finance or manager role" in error_line(cli("2001", "claims", "evidence", reference))
    out = cli("4001", "claims", "evidence", reference, "--out", str(tmp_path / "out"))
    assert out.exit_code == 0, out.output
    assert (tmp_path / "out" / f"{reference}-e1.pdf").read_bytes() == (files / "receipt.pdf").read_bytes()
    assert "already has" in error_line(cli("4001", "claims", "evidence", reference, "--out", str(tmp_path / "out")))
    other_station = cli("3001", "claims", "add-evidence", reference, str(files / "photo.jpg"))
    assert f"no surrender with reference {reference}" in error_line(other_station)
    assert "evidence goes with a compensation claim" in error_line(
        cli("2001", "--station", "TW", "log", "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE,
            "--evidence", str(files / "receipt.pdf")))


def test_a_failing_bank_pair_is_refused_in_scripts_and_an_unknown_sort_code_is_a_warning(cli):
    before = digest(cli.url)
    refused = error_line(log(cli, bank=FAILING))
    assert refused == ("Error: sort code 08-99-99 and account number 66374959 fail the banks' modulus check: one of "
                       "them is mistyped; check both with the claimant")
    assert digest(cli.url) == before
    unknown = log(cli, bank=("12-34-56", "12345678"))
    assert unknown.exit_code == 0
    assert unknown.stderr.strip() == ("Warning: sort code 12-34-56 is not in the modulus tables, so account number "
                                      "12345678 could not be checked: confirm both with the claimant")
    reference = json.loads(unknown.stdout)["reference"]
    assert log(cli).stderr == ""  # a valid pair: nothing to say
    assert "fail the banks' modulus check" in error_line(
        cli("4001", "claims", "set-payment", reference, "--sort-code", FAILING[0], "--account-number", FAILING[1]))
    assert "fail the banks' modulus check" in error_line(
        cli("4001", "claims", "set-payment", reference, "--account-number", "12345679", "--sort-code", "08-99-99"))
    done = cli("4001", "claims", "set-payment", reference, "--sort-code", VALID[0], "--account-number", VALID[1])
    assert done.exit_code == 0 and done.stderr == "" and "payment details complete" in done.stdout


def test_newer_modulus_tables_are_loaded_by_an_admin_and_used_at_once(cli, tmp_path):
    from surrender.rules.modulus import built_in

    own = built_in()
    folder = tmp_path / "vocalink"
    folder.mkdir()
    (folder / "valacdos-v800.txt").write_text(own.weights + "123450 123459 MOD11    0    0    0    0    0    0    8"
                                                            "    7    6    5    4    3    2    1\n")
    (folder / "scsubtab.txt").write_text(own.substitutions)
    assert "needs the admin role" in error_line(cli("4001", "db", "modulus-tables", str(folder)))
    loaded = cli("1", "db", "modulus-tables", str(folder))
    assert loaded.exit_code == 0, loaded.output
    assert f"{own.rule_count + 1:,} weight rules" in loaded.stdout
    assert "already in use" in cli("1", "db", "modulus-tables", str(folder)).stdout
    assert "fail the banks' modulus check" in error_line(log(cli, bank=("12-34-56", "12345678")))
    (folder / "scsubtab-2.txt").write_text("x")
    assert "more than one substitution table" in error_line(cli("1", "db", "modulus-tables", str(folder)))
    (folder / "scsubtab-2.txt").unlink()
    (folder / "valacdos-v800.txt").write_text("010004 016715 MOD11 0 0\n")
    assert "weight table line 1 is not" in error_line(cli("1", "db", "modulus-tables", str(folder)))
    assert "is not a folder" in error_line(cli("1", "db", "modulus-tables", str(tmp_path / "nowhere")))


def approve(cli, reference: str) -> None:
    result = cli("4001", "claims", "approve", reference)
    assert result.exit_code == 0, result.output


def test_a_pack_then_the_payers_decisions_then_the_remittance_and_the_hostile_decision_files(cli, files, tmp_path):
    first = logged(cli, "--evidence", str(files / "receipt.pdf"))
    second, voided = logged(cli), logged(cli)
    for reference in (first, second, voided):
        approve(cli, reference)
    void = cli("5001", "void", voided, "--reason", "logged twice")
    assert void.exit_code == 0, void.output
    dry = cli("4001", "claims", "pack", "--dry-run", "--format", "json")
    assert [r["reference"] for r in json.loads(dry.stdout)] == [first, second]
    packed = cli("4001", "claims", "pack", "--out", str(tmp_path / "pack.zip"))
    assert packed.exit_code == 0, packed.output
    assert packed.stdout.startswith("Batch 1 (claim pack): 2 claims, £160.00, 1 evidence file -> ")
    archive = zipfile.ZipFile(tmp_path / "pack.zip")
    for name, sha in json.loads(archive.read("manifest.json"))["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == sha
    batches = json.loads(cli("4001", "claims", "batches", "--format", "json").stdout)
    assert [(b["batch"], b["format"], b["claims"]) for b in batches] == [(1, "pack", 2)]

    before = digest(cli.url)
    hostile = {
        "void": f"reference,allowed\n{voided},10.00\n",
        "elsewhere": f"reference,allowed\n{make_reference('PK', 'Z24', 900)},10.00\n",
        "above": f"reference,line,allowed\n{first},1,60.01\n{first},2,20.00\n",
        "above-whole": f"reference,allowed\n{second},80.01\n",
        "no reason": f"reference,allowed\n{second},0\n",
        "not a csv": "\x00\x01\x02",
    }
    expected = {"void": f"{voided} is void", "elsewhere": "no claim with reference PK-Z24-000900",
                "above": f"{first} line 1 allowed £60.01 is above the £60.00 claimed",
                "above-whole": "allowed £80.01 is above the £80.00 claimed",
                "no reason": "nothing allowed needs a reason", "not a csv": "the header needs the column(s)"}
    for name, body in hostile.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(body)
        assert expected[name] in error_line(cli("4001", "claims", "decisions", "--file", str(path))), name
    assert digest(cli.url) == before

    decisions = tmp_path / "decisions.csv"
    decisions.write_text(f"reference,line,allowed,reason\n{first},1,45.00,receipt shows £45\n"
                         f"{first},2,0,not eligible\n{second},,80.00,\n")
    done = cli("4001", "claims", "decisions", "--file", str(decisions))
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == ("Recorded the payer's decisions on 2 claims: 2 decided, 0 refused; £125.00 allowed "
                                   "of £160.00 claimed.")
    listed = {r["reference"]: r for r in json.loads(cli("4001", "claims", "list", "--format", "json").stdout)}
    assert (listed[first]["status"], listed[first]["payable"]) == ("decided", "45.00")
    remittance = tmp_path / "remit.csv"
    remittance.write_text(f"reference,amount\n{first},45.00\n{second},80.00\n")
    paid = cli("4001", "claims", "paid", "--file", str(remittance))
    assert paid.exit_code == 0 and "Marked 2 claims paid, £125.00" in paid.stdout
    assert "only a claim the payer decided or refused can be disputed" in error_line(
        cli("4001", "claims", "dispute", first, "--note", "too late"))
    verified = cli("1", "audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_a_dispute_and_its_outcome_through_the_command_line(cli, tmp_path):
    reference = logged(cli)
    approve(cli, reference)
    assert cli("4001", "claims", "pack", "--out", str(tmp_path / "p.zip")).exit_code == 0
    (tmp_path / "d.csv").write_text(f"reference,allowed,reason\n{reference},0,no receipt\n")
    assert cli("4001", "claims", "decisions", "--file", str(tmp_path / "d.csv")).exit_code == 0
    opened = cli("5001", "claims", "dispute", reference, "--note", "receipt found")
    assert opened.exit_code == 0 and "dispute recorded" in opened.stdout
    assert "upheld or dismissed" in error_line(cli("4001", "claims", "dispute", reference, "--note", "x",
                                                   "--outcome", "maybe"))
    upheld = cli("4001", "claims", "dispute", reference, "--note", "payer agrees", "--outcome", "upheld")
    assert upheld.exit_code == 0 and "with the payer again" in upheld.stdout
    (tmp_path / "d2.csv").write_text(f"reference,allowed\n{reference},80.00\n")
    assert cli("4001", "claims", "decisions", "--file", str(tmp_path / "d2.csv")).exit_code == 0


def test_the_pack_names_its_file_and_refuses_to_replace_one(cli, tmp_path):
    reference = logged(cli)
    approve(cli, reference)
    (tmp_path / "taken.zip").write_bytes(b"mine")
    assert "already exists" in error_line(cli("4001", "claims", "pack", "--out", str(tmp_path / "taken.zip")))
    assert "a claim pack is a zip file" in error_line(cli("4001", "claims", "pack", "--out", str(tmp_path / "p.csv")))
    assert (tmp_path / "taken.zip").read_bytes() == b"mine"
    missing = cli("4001", "claims", "pack")
    assert missing.exit_code == 2
