"""One masking rule for every output (issue 18.3): each role x each output that shows a claimant
(tables, CSV, JSON, the reprinted receipt PDF, the export file) goes through the role's view.
Only finance sees the claimant in full, and only in `show`, `claims list` and the export; the
receipt handed over at the counter is the claimant's own copy and stays whole."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import PINS
from typer.testing import CliRunner

from surrender.cli import app

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
NAME, BUSINESS, POSTCODE, ACCOUNT = "Zelda Quixotic", "Quixotic Blades Ltd", "CB1 2AD", "12345678"
WHOLE = (NAME, POSTCODE, ACCOUNT)  # business names are shown as `show` shows them (not personal)
MASKED_NAME, MASKED_POSTCODE = "Z**** Q*******", "CB1 ***"
ROLES = {"desk": "2001", "manager": "5001", "finance": "4001", "admin": "1"}
pytestmark = [
    pytest.mark.parametrize("backend", ["sqlite"]),
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed"),
]


@pytest.fixture
def cli(db_url, tmp_path):
    runner = CliRunner()
    env = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STATION": None, "SURRENDER_PRINTER": None,
           "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts")}

    def invoke(number, *args):
        return runner.invoke(app, list(args), env={**env, "SURRENDER_STAFF": number, "SURRENDER_PIN": PINS[number]},
                             catch_exceptions=False)
    return invoke


@pytest.fixture
def reference(cli, tmp_path):
    result = cli("2001", "log", "--at", "2024-09-02 10:00", "--name", NAME, "--business", BUSINESS, "--address",
                 "7 Mill Road", "--postcode", POSTCODE, "--declare", "--sort-code", "12-34-56", "--account-number",
                 ACCOUNT, "--account-name", NAME, "--item", KNIFE, "--item", KNIFE, "--item", KNIFE,
                 "--format", "json")
    assert result.exit_code == 0, result.output
    ref = json.loads(result.stdout)["reference"]
    assert cli("4001", "claims", "approve", ref).exit_code == 0
    return ref


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_receipt_at_the_counter_is_the_claimants_own_copy_in_full(cli, reference, tmp_path):
    text = pdf_text(tmp_path / "receipts" / f"{reference}.pdf")
    assert NAME in text and POSTCODE in text and BUSINESS in text


def output(cli, tmp_path, number, what, reference):
    """(exit code, what the member got to read) for one output."""
    if what == "reprint":
        result = cli(number, "receipt", reference)
        path = tmp_path / "receipts" / f"{reference}-reprint.pdf"
        return result.exit_code, pdf_text(path) if result.exit_code == 0 else result.stderr
    if what == "export":
        out = tmp_path / "batch.csv"
        result = cli(number, "claims", "export", "--out", str(out))
        return result.exit_code, out.read_text() if result.exit_code == 0 else result.stderr
    args = {
        "show table": ("show", reference),
        "show json": ("show", reference, "--format", "json"),
        "list table": ("claims", "list"),
        "list csv": ("claims", "list", "--format", "csv"),
        "list json": ("claims", "list", "--format", "json"),
        "status json": ("claims", "status", reference, "--postcode", POSTCODE, "--format", "json"),
    }[what]
    result = cli(number, *args)
    return result.exit_code, result.stdout + result.stderr


OUTPUTS = ["show table", "show json", "reprint", "list table", "list csv", "list json", "status json", "export"]
SEES_WHOLE = {("finance", "show table"), ("finance", "show json"), ("finance", "list table"), ("finance", "list csv"),
              ("finance", "list json"), ("finance", "export")}
REFUSED = {("finance", "reprint"), ("admin", "reprint"), ("desk", "list table"), ("desk", "list csv"),
           ("desk", "list json"), ("admin", "list table"), ("admin", "list csv"), ("admin", "list json"),
           ("admin", "status json"), ("desk", "export"), ("manager", "export"), ("admin", "export")}


@pytest.mark.parametrize("what", OUTPUTS)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_output_shows_the_claimant_as_the_role_may_see_it(cli, reference, tmp_path, role, what):
    code, text = output(cli, tmp_path, ROLES[role], what, reference)
    if (role, what) in REFUSED:
        assert code == 1 and "needs the" in text
        return
    assert code == 0, text
    flat = " ".join(text.split())  # a table may wrap a name over two lines
    if (role, what) in SEES_WHOLE:
        assert NAME in flat or NAME in text
        return
    assert not [v for v in WHOLE if v in text or v in flat], f"{role} {what} shows {text}"
    if what in ("show table", "show json", "reprint"):
        assert MASKED_NAME in flat and MASKED_POSTCODE in flat
