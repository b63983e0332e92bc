"""`claims export` and `claims paid` as finance types them, and the refusals a careless or
hostile user meets: one line on stderr, exit 1 (2 for usage), never a traceback, nothing changed."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS, error_line

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"


@pytest.fixture
def cli(db_url, tmp_path):
    runner = CliRunner()

    def invoke(staff: str | None, *args: str, **env):
        settings = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"),
                    "SURRENDER_STAFF": None, "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None,
                    "SURRENDER_PIN": PINS.get(staff or ""), "COLUMNS": "200", **env}
        return runner.invoke(app, [*(["--staff", staff] if staff else []), *args], env=settings)
    invoke.url = db_url
    return invoke


def approved(cli, qty: int = 3, bank: bool = True) -> str:
    details = ["--sort-code", "12-34-56", "--account-number", "12345678"] if bank else []
    logged = cli("2001", "--station", "TW", "log", "--at", "2024-09-02 10:00", "--name", "Jane Smith",
                 "--address", "1 High Street", "--postcode", "CB1 1JG", "--declare", *details,
                 "--item", f"{KNIFE}:qty={qty}", "--format", "json")
    assert logged.exit_code == 0, logged.output
    reference = json.loads(logged.stdout)["reference"]
    assert cli("4001", "claims", "approve", reference).exit_code == 0
    return reference


def claim_states(cli) -> dict[str, str]:
    listed = cli("4001", "claims", "list", "--format", "json")
    return {r["reference"]: r["status"] for r in json.loads(listed.stdout)}


def test_a_dry_run_needs_no_out_and_lists_what_goes_and_what_is_held_back_in_each_format(cli):
    ready, missing = approved(cli, 3), approved(cli, 4, bank=False)
    table = cli("4001", "claims", "export", "--dry-run")
    assert table.exit_code == 0, table.output
    assert "Would export" in table.stdout and "Held back" in table.stdout and "no sort code" in table.stdout
    assert "Dry run: 1 claim, £30.00; 1 claim held back; nothing written." in table.stdout
    as_csv = list(csv.DictReader(io.StringIO(cli("4001", "claims", "export", "--dry-run", "--format", "csv").stdout)))
    assert [(r["reference"], r["action"]) for r in as_csv] == [(ready, "export"), (missing, "held back")]
    as_json = json.loads(cli("4001", "claims", "export", "--dry-run", "--format", "json").stdout)
    assert [(r["reference"], r["action"], r["amount"]) for r in as_json] == [(ready, "export", "30.00"),
                                                                            (missing, "held back", "40.00")]
    assert set(claim_states(cli).values()) == {"approved"}


def test_an_export_of_one_claim_says_one_claim_and_lists_the_held_back(cli, tmp_path):
    ready, missing = approved(cli, 3), approved(cli, 4, bank=False)
    out = tmp_path / "batch.csv"
    result = cli("4001", "claims", "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Batch 1: 1 claim, £30.00 -> {out}" in result.stdout and "1 claims" not in result.stdout
    assert "Held back 1 claim without payment details" in result.stdout and missing in result.stdout
    assert claim_states(cli) == {ready: "exported", missing: "approved"}


def test_a_past_csv_batch_asked_for_as_json_is_written_as_json(cli, tmp_path):
    approved(cli, 3)
    assert cli("4001", "claims", "export", "--out", str(tmp_path / "batch.csv")).exit_code == 0
    again = tmp_path / "batch.json"
    result = cli("4001", "claims", "export", "--batch", "1", "--format", "json", "--out", str(again))
    assert result.exit_code == 0, result.output
    assert "Re-created batch 1 as json: 1 claim" in result.stdout
    assert json.loads(again.read_text())["claims"][0]["amount"] == "30.00"


@pytest.mark.parametrize("args, message", [
    (["--format", "table", "--out", "x.csv"], "table is only for --dry-run"),
    ([], "name the export file with --out FILE"),
    (["--dry-run", "--batch", "1"], "--dry-run lists the next batch; it takes no --batch"),
], ids=["table to a file", "no --out", "dry run of a past batch"])
def test_export_option_mistakes_are_usage_errors_that_change_nothing(cli, args, message):
    approved(cli)
    result = cli("4001", "claims", "export", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert set(claim_states(cli).values()) == {"approved"}


def test_a_batch_number_past_any_integer_is_a_usage_error(cli):
    result = cli("4001", "claims", "export", "--batch", str(10**20), "--out", "x.csv")
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_exporting_over_the_live_database_is_refused_and_every_record_stays(cli, tmp_path, monkeypatch):
    from surrender.db import sqlite_path

    reference = approved(cli)
    database = sqlite_path(cli.url)
    monkeypatch.chdir(os.path.dirname(database))
    for target in (database, os.path.basename(database), f"{database}-wal"):
        assert "is the database" in error_line(cli("4001", "claims", "export", "--out", target))
    assert claim_states(cli) == {reference: "approved"}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_export_to_a_folder_commits_nothing_and_leaves_no_file(cli, tmp_path):
    reference = approved(cli)
    assert "is a folder" in error_line(cli("4001", "claims", "export", "--out", str(tmp_path)))
    assert claim_states(cli) == {reference: "approved"}
    assert not [n for n in os.listdir(tmp_path) if "staged" in n]


# --- remittance through `claims paid --file` ---------------------------------------------------------

@pytest.fixture
def exported(cli, tmp_path):
    references = [approved(cli, 3), approved(cli, 4)]
    assert cli("4001", "claims", "export", "--out", str(tmp_path / "batch.csv")).exit_code == 0
    return references


@pytest.mark.parametrize("content, message", [
    ("reference,amount\n{a},30.00\n{b},40,99\n", "line 3: 3 cells for 2 columns"),
    ("reference,amount\n{a},30.00,99\n", "line 2: 3 cells for 2 columns"),
    ("reference,amount\n{a}\n", "line 2: 1 cells for 2 columns"),
    ("reference,amount,amount\n{a},30.00,99.00\n", "column(s) named twice: amount"),
    ("Reference,reference,amount\n{a},{a},30.00\n", "column(s) named twice: reference"),
], ids=["extra cell", "REF,30,99", "missing cell", "amount twice", "reference twice"])
def test_a_remittance_line_that_does_not_match_its_header_pays_nothing(cli, tmp_path, exported, content, message):
    path = tmp_path / "remit.csv"
    path.write_text(content.format(a=exported[0], b=exported[1]))
    assert message in error_line(cli("4001", "claims", "paid", "--file", str(path)))
    assert set(claim_states(cli).values()) == {"exported"}


def test_a_latin_1_remittance_is_a_one_line_refusal_naming_the_line(cli, tmp_path, exported):
    path = tmp_path / "remit.csv"
    path.write_bytes(f"reference,amount,payee\n{exported[0]},30.00,Jane Smith\n{exported[1]},40.00,Zoë Núñez\n"
                     .encode("latin-1"))
    line = error_line(cli("4001", "claims", "paid", "--file", str(path)))
    assert "line 3: not UTF-8 text" in line
    assert set(claim_states(cli).values()) == {"exported"}


def test_a_good_remittance_says_one_claim_when_it_is_one(cli, tmp_path, exported):
    path = tmp_path / "remit.csv"
    path.write_text(f"reference,amount\n{exported[0]},30.00\n")
    result = cli("4001", "claims", "paid", "--file", str(path))
    assert result.exit_code == 0 and "Marked 1 claim paid, £30.00 (batch 1)." in result.stdout


# --- settings a user can get wrong -----------------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("url", ["mysql://root@localhost/surrender", "oracle+cx://x", "postgresql://u@h:port/db",
                                 "://", "mongodb+srv://a\nb@c/d"])
def test_an_unsupported_or_garbled_database_url_is_one_line_naming_the_forms_that_work(cli, url):
    line = error_line(cli("4001", "claims", "list", SURRENDER_DATABASE_URL=url))
    assert "sqlite:///path/to/surrender.db" in line and "postgresql://user@host/dbname" in line


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_unreachable_postgresql_server_is_one_line(cli):
    line = error_line(cli("4001", "claims", "list", SURRENDER_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    assert line.startswith("Error: database error: ") and "127.0.0.1" in line


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("limit", [str(10**20), "0", "-5"])
def test_an_audit_log_limit_out_of_range_is_a_usage_error_not_a_traceback(cli, limit):
    result = cli("5001", "audit", "log", "--limit", limit)
    assert result.exit_code == 2 and "Traceback" not in result.output and "--limit" in result.output
