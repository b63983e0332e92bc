"""Finance's day through the CLI: completing payment details, finding claims, batches,
"where is my money?", a readable audit log, tables that keep every column when piped, a
closed pipe that stays silent, and help that wraps at words."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from surrender.rules.masking import mask_name
from tests.cli.test_finance_cli import KNIFE, cli  # noqa: F401 (fixtures)
from tests.conftest import PINS, error_line


def log(cli, name: str = "Jane Smith", bank: bool = True, qty: int = 3, postcode: str = "CB1 1JG",
        business: str | None = None, item: str = KNIFE) -> str:
    args = ["2001", "--station", "TW", "log", "--at", "2024-09-02 10:00", "--name", name, "--address", "1 High St",
            "--postcode", postcode, "--declare", "--item", f"{item}:qty={qty}", "--format", "json"]
    if bank:
        args += ["--sort-code", "12-34-56", "--account-number", "12345678"]
    if business:
        args += ["--business", business]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["reference"]


def as_json(result) -> list | dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_finance_completes_bank_details_and_the_claim_leaves_the_needs_payment_list(cli):
    bare, ready = log(cli, bank=False), log(cli)
    needing = as_json(cli("4001", "claims", "list", "--needs-payment", "--format", "json"))
    assert [(r["reference"], r["bank_details"]) for r in needing] == [(bare, False)]
    assert "sort code '1234' must be 6 digits" in error_line(
        cli("4001", "claims", "set-payment", bare, "--sort-code", "1234", "--account-number", "12345678"))
    done = cli("4001", "claims", "set-payment", bare, "--sort-code", "65-43-21", "--account-number", "87654321")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == f"{bare}: updated account name, account number, sort code; payment details complete"
    assert as_json(cli("4001", "claims", "list", "--needs-payment", "--format", "json")) == []
    assert "claims set_payment needs the finance role" in error_line(
        cli("5001", "claims", "set-payment", ready, "--phone", "01223 555666"))


def test_claims_list_finds_by_search_and_shows_the_decision_columns_piped_in_full(cli):
    jane = log(cli, name="Jane Smith-Worthington", business="Worthington Cutlery Supplies Ltd")
    other = log(cli, name="Bob Jones", postcode="PE2 9PB")
    found = as_json(cli("4001", "claims", "list", "--search", "worthINGTON", "--format", "json"))
    assert [r["reference"] for r in found] == [jane]
    assert [r["reference"] for r in as_json(cli("5001", "claims", "list", "--search", "pe2 9pb",
                                                "--format", "json"))] == [other]
    table = cli("4001", "claims", "list", COLUMNS="80")  # CliRunner's stdout is not a terminal: a pipe
    assert table.exit_code == 0, table.output
    header = next(line for line in table.stdout.splitlines() if "reference" in line)
    for column in ("reference", "station", "date", "status", "void", "claimed", "payable", "flags",
                   "manager approval", "batch", "bank details", "claimant"):
        assert column in header, column
    assert "…" not in table.stdout and "Jane Smith-Worthington" in table.stdout and "2024-09-02" in table.stdout
    masked = cli("5001", "claims", "list", COLUMNS="80")
    assert mask_name("Jane Smith-Worthington") in masked.stdout and "Jane" not in masked.stdout


def test_show_prints_the_decision_trail_for_finance_and_not_for_the_desk(cli):
    reference = log(cli)
    assert cli("4001", "claims", "reject", reference, "--reason", "declaration withdrawn").exit_code == 0
    shown = cli("4001", "show", reference)
    assert shown.exit_code == 0, shown.output
    assert "rejected" in shown.stdout and "by 4001 Fin Ance · reason: declaration withdrawn" in shown.stdout
    assert "payable £0.00" in shown.stdout and "claimed £30.00" in shown.stdout
    desk = cli("2001", "show", reference)
    assert desk.exit_code == 0 and "declaration withdrawn" not in desk.stdout and "Fin Ance" not in desk.stdout


def test_batches_list_every_batch_as_a_table_csv_and_json(cli, tmp_path):
    first, second = log(cli, qty=3), log(cli, qty=4)
    for reference in (first, second):
        assert cli("4001", "claims", "approve", reference).exit_code == 0
    assert cli("4001", "claims", "export", "--out", str(tmp_path / "batch-1.csv")).exit_code == 0
    (tmp_path / "remit.csv").write_text(f"reference,amount\n{first},30.00\n")
    assert cli("4001", "claims", "paid", "--file", str(tmp_path / "remit.csv")).exit_code == 0
    rows = as_json(cli("5001", "claims", "batches", "--format", "json"))
    assert [(r["batch"], r["claims"], r["total"], r["paid_claims"], r["paid"], r["outstanding"], r["filename"])
            for r in rows] == [(1, 2, "70.00", 1, "30.00", "40.00", "batch-1.csv")]
    table = cli("4001", "claims", "batches")
    assert table.exit_code == 0
    assert "£70.00" in table.stdout and "1 · £30.00" in table.stdout and "1 · £40.00" in table.stdout
    assert rows[0]["sha256"][:12] in table.stdout and "batch-1.csv" in table.stdout
    parsed = list(csv.DictReader(io.StringIO(cli("4001", "claims", "batches", "--format", "csv").stdout)))
    assert parsed[0]["outstanding"] == "40.00"
    assert "claims batches needs the finance or manager role" in error_line(cli("2001", "claims", "batches"))


def test_where_is_my_money_answers_the_desk_and_says_only_no_match_otherwise(cli):
    reference = log(cli, postcode="CB1 1JG")
    found = cli("2001", "claims", "status", reference.lower(), "--postcode", "cb11jg")
    assert found.exit_code == 0, found.output
    assert found.stdout.splitlines()[0] == f"{reference}  pending"
    assert "logged    02 Sep 2024 10:00 BST" in found.stdout and "payable   £30.00" in found.stdout
    assert "Jane" not in found.stdout and "CB1" not in found.stdout
    for typed, postcode in ((reference, "CB1 1JH"), ("TW-Z24-999999-Q", "CB1 1JG"), ("nonsense", "CB1 1JG")):
        assert error_line(cli("2001", "claims", "status", typed, "--postcode", postcode)) == (
            "Error: no match: check both the reference (as on the receipt) and the claimant's postcode")
    assert "is not a whole UK postcode" in error_line(cli("2001", "claims", "status", reference, "--postcode", "CB1"))
    data = as_json(cli("4001", "claims", "status", reference, "--postcode", "CB1 1JG", "--format", "json"))
    assert set(data) == {"reference", "status", "standing", "logged", "approved", "rejected", "exported", "paid",
                         "payable"}


def test_claims_list_says_when_a_manager_must_sign_off_and_status_calls_a_void_claim_void(cli):
    flagged, plain = log(cli, qty=1, item=f"{KNIFE}:value=145:evidence=receipt"), log(cli)

    def approval() -> dict[str, str]:
        rows = as_json(cli("4001", "claims", "list", "--format", "json"))
        return {r["reference"]: r["manager_approval"] for r in rows}

    assert approval() == {flagged: "needed", plain: ""}
    assert cli("5001", "claims", "approve", flagged).exit_code == 0
    assert approval() == {flagged: "approved", plain: ""}
    assert cli("5001", "void", plain, "--reason", "logged twice").exit_code == 0
    found = as_json(cli("4001", "claims", "status", plain, "--postcode", "CB1 1JG", "--format", "json"))
    assert (found["status"], found["payable"], found["approved"]) == ("void", "0.00", None)
    table = cli("4001", "claims", "status", plain, "--postcode", "CB1 1JG")
    assert table.stdout.splitlines()[0] == f"{plain}  void" and "payable   £0.00" in table.stdout


def test_audit_log_reads_in_pounds_staff_numbers_and_london_time_with_csv_detail_as_json(cli, tmp_path):
    reference = log(cli)
    assert cli("4001", "claims", "approve", reference).exit_code == 0
    assert cli("4001", "claims", "export", "--out", str(tmp_path / "b.csv")).exit_code == 0
    table = cli("5001", "audit", "log")
    assert table.exit_code == 0, table.output
    exported = next(line for line in table.stdout.splitlines() if "claims.exported" in line)
    assert " 4001 " in exported and "total £30.00" in exported and ("GMT" in exported or "BST" in exported)
    logged = next(line for line in table.stdout.splitlines() if "surrender.logged" in line)
    assert "02 Sep 2024 10:00 BST" in logged and "payable £30.00" in logged
    rows = list(csv.DictReader(io.StringIO(cli("5001", "audit", "log", "--format", "csv").stdout)))
    detail = json.loads(next(r["detail"] for r in rows if r["action"] == "claims.exported"))
    assert detail["total"] == "30.00" and detail["references"] == [reference]
    events = as_json(cli("5001", "audit", "log", "--format", "json"))
    assert {e["action"]: e["detail"] for e in events}["claim.approved"]["changed"]["decided_by"] == [None, "4001"]
    assert all("summary" not in e for e in events)


def test_report_totals_by_kind_says_how_its_total_counts_surrenders(cli):
    log(cli, item=KNIFE)
    table = cli("5001", "report", "totals", "--by", "kind")
    assert table.exit_code == 0, table.output
    assert "surrenders with kind" in table.stdout and "Total" in table.stdout
    assert "Total: 1 surrenders and 1 claims, each counted once" in table.stdout


# --- pipes and help ------------------------------------------------------------------------------

def surrender_script() -> str:
    return str(Path(sys.executable).parent / "surrender")


@pytest.fixture
def seeded_sqlite(cli):
    """The per-test SQLite database with one claim in it, for real subprocesses."""
    if not cli.url.startswith("sqlite"):
        pytest.skip("one backend is enough for process-level pipe behaviour")
    log(cli)
    return {**os.environ, "SURRENDER_DATABASE_URL": cli.url, "SURRENDER_STAFF": "4001", "SURRENDER_PIN": PINS["4001"]}


@pytest.mark.parametrize("args", [["report", "totals", "--format", "json"], ["claims", "list"]])
def test_output_into_a_pipe_whose_reader_has_gone_is_silent(seeded_sqlite, args):
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first byte is written: every write meets EPIPE
    try:
        result = subprocess.run([surrender_script(), *args], stdout=writer, stderr=subprocess.PIPE, text=True,
                                env=seeded_sqlite, timeout=60)
    finally:
        os.close(writer)
    assert result.stderr == ""


def test_piping_into_head_prints_the_first_line_and_nothing_on_stderr(seeded_sqlite):
    result = subprocess.run(f"'{surrender_script()}' report totals --format json | head -1", shell=True,
                            capture_output=True, text=True, env=seeded_sqlite, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "[\n", "")


def test_option_help_wraps_between_words_never_inside_one():
    result = CliRunner().invoke(app, ["log", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    text = result.stdout
    assert "zombie-knife:9.5in:plain:point:holes=2" in text  # the example is whole on one line
    assert "at-handle" in text and "reverse-tanto" in text and "evidence=receipt|invoice|bank-statement|other" in text
    assert all(not line.rstrip().endswith("-") for line in text.splitlines())
