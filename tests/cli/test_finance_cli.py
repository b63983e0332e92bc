"""Finance and manager commands through the CLI (SPEC 5): formats, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from surrender import db
from surrender.cli import app
from tests.conftest import PINS, error_line

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
LIST_COLUMNS = ["reference", "station", "date", "surrendered_at", "status", "void", "items", "claimed", "payable",
                "flagged", "flags", "manager_approval", "batch", "bank_details", "claimant", "business"]
TOTALS_KEYS = {"surrenders", "items", "claims", "claimed", "payable"}

@pytest.fixture
def cli(db_url, tmp_path):
    """Run `surrender` as staff member `staff` (PIN from the seed unless given): cli("4001", "claims", ...)."""
    runner = CliRunner()

    def invoke(staff: str | None, *args: str, pin: str | None = "seeded", **env):
        settings = {
            "SURRENDER_DATABASE_URL": db_url, "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"),
            "SURRENDER_STAFF": None, "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None,
            "SURRENDER_PIN": PINS.get(staff or "") if pin == "seeded" else pin, "COLUMNS": "200", **env,
        }
        options = ["--staff", staff] if staff else []
        return runner.invoke(app, [*options, *args], env=settings)
    invoke.url = db_url
    return invoke


def log(cli, qty: int = 3, staff: str = "2001", station: str = "TW", at: str = "2024-09-02 10:00",
        name: str = "Jane Smith") -> str:
    # An account of each claimant's own: one account on two people's claims is flagged (issue 17).
    account = "12345678" if name == "Jane Smith" else f"{sum(map(ord, name)) + 10_000_000:08d}"
    result = cli(staff, "--station", station, "log", "--at", at, "--name", name, "--address", "1 High Street",
                 "--postcode", "CB1 1JG", "--declare", "--sort-code", "12-34-56", "--account-number", account,
                 "--item", f"{KNIFE}:qty={qty}", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["reference"]


def test_claims_list_speaks_table_csv_and_json_with_names_shown_to_finance_and_masked_for_managers(cli):
    first, second = log(cli, 3), log(cli, 4, staff="3001", station="PK", name="Bob Trader", at="2024-09-02 11:00")
    assert cli("4001", "claims", "approve", second, "--note", "seen").exit_code == 0

    as_json = cli("4001", "claims", "list", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [r["reference"] for r in rows] == [first, second]
    assert all(list(r) == LIST_COLUMNS for r in rows)
    assert [(r["status"], r["items"], r["claimed"], r["payable"], r["station"]) for r in rows] == [
        ("pending", 3, "30.00", "30.00", "TW"), ("approved", 4, "40.00", "40.00", "PK")]
    assert [r["claimant"] for r in rows] == ["Jane Smith", "Bob Trader"]
    for_manager = json.loads(cli("5001", "claims", "list", "--format", "json").stdout)
    assert [r["claimant"] for r in for_manager] == ["J*** S****", "B** T*****"]

    as_csv = cli("4001", "claims", "list", "--format", "csv")
    assert as_csv.exit_code == 0
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(parsed[0]) == LIST_COLUMNS and [r["reference"] for r in parsed] == [first, second]
    assert parsed[1]["payable"] == "40.00"

    table = cli("5001", "claims", "list")  # the default format, for people; managers may list too
    assert table.exit_code == 0
    assert first in table.stdout and second in table.stdout and "Jane" not in table.stdout

    approved = json.loads(cli("4001", "claims", "list", "--status", "approved", "--format", "json").stdout)
    assert [r["reference"] for r in approved] == [second]
    assert "bogus" in error_line(cli("4001", "claims", "list", "--status", "bogus"))


def test_export_and_remittance_round_trip_through_the_cli(cli, tmp_path):
    references = sorted([log(cli, 3), log(cli, 4), log(cli, 5)])
    for reference in references[:2]:
        assert cli("4001", "claims", "approve", reference).exit_code == 0

    dry = cli("4001", "claims", "export", "--out", str(tmp_path / "batch.csv"), "--dry-run")
    assert dry.exit_code == 0 and "Dry run: 2 claims, £70.00; nothing written." in dry.stdout
    assert not (tmp_path / "batch.csv").exists()

    out = tmp_path / "batch.csv"
    exported = cli("4001", "claims", "export", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert f"Batch 1: 2 claims, £70.00 -> {out}" in exported.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(out.open(newline="")))
    assert [(r["reference"], r["amount"], r["account_number"]) for r in rows] == [
        (references[0], "30.00", "12345678"), (references[1], "40.00", "12345678")]

    again = cli("4001", "claims", "export", "--out", str(tmp_path / "again.csv"), "--batch", "1")
    assert again.exit_code == 0 and (tmp_path / "again.csv").read_bytes() == out.read_bytes()
    assert "no approved claims are waiting for export" in error_line(
        cli("4001", "claims", "export", "--out", str(tmp_path / "two.csv")))

    remittance = tmp_path / "remittance.csv"
    remittance.write_text("reference,amount\n" + "".join(f"{r['reference']},{r['amount']}\n" for r in rows))
    paid = cli("4001", "claims", "paid", "--file", str(remittance))
    assert paid.exit_code == 0, paid.output
    assert "Marked 2 claims paid, £70.00 (batch 1)." in paid.stdout
    listed = json.loads(cli("4001", "claims", "list", "--format", "json").stdout)
    statuses = {r["reference"]: r["status"] for r in listed}
    assert statuses == {references[0]: "paid", references[1]: "paid", references[2]: "pending"}

    twice = cli("4001", "claims", "paid", "--file", str(remittance))
    assert twice.exit_code == 1 and twice.stderr.startswith("Error: ")
    assert "2 bad line(s), nothing marked paid" in twice.stderr and "already paid" in twice.stderr
    assert "Traceback" not in twice.output


def test_refused_commands_print_one_error_line_on_stderr_and_exit_1(cli, tmp_path):
    reference = log(cli, 3)
    mistyped = reference[:-1] + ("A" if reference[-1] != "A" else "B")
    cases = [  # staff, args, pin, what the one line must say
        ("2001", ["claims", "list"], "seeded", "claims list needs the finance or manager role; 2001 is desk"),
        ("4001", ["claims", "list"], "000000", "wrong PIN for staff member 4001"),
        ("4001", ["claims", "list"], "", "needs 4001's PIN: enter it on a terminal or set SURRENDER_PIN"),
        (None, ["claims", "list"], "", "name the acting staff member with --staff NUMBER or SURRENDER_STAFF"),
        ("9999", ["claims", "list"], "", "no staff member with number '9999'"),
        ("4001", ["claims", "export", "--out", str(tmp_path / "x.csv")], "seeded", "no approved claims"),
        ("4001", ["claims", "approve", mistyped], "seeded", "fails its check character"),
        ("4001", ["claims", "reject", reference, "--reason", " "], "seeded", "rejecting needs a --reason"),
        ("5001", ["claims", "approve", reference], "seeded", "is not flagged"),
        ("5001", ["report", "totals", "--by", "county"], "seeded", "cannot group by county"),
        ("2001", ["audit", "verify"], "seeded", "audit verify needs the admin or manager or national role"),
        ("4001", ["void", reference, "--reason", "oops"], "seeded", "void needs the manager role"),
    ]
    for staff, args, pin, message in cases:
        line = error_line(cli(staff, *args, pin=pin))
        assert message in line, (args, line)
    shown = json.loads(cli("4001", "show", reference, "--format", "json").stdout)
    assert shown["claim"]["status"] == "pending" and not shown["voided"]


@pytest.mark.parametrize("args", [
    ["claims", "list", "--format", "xml"],
    ["claims", "export"],
    ["claims", "reject", "TW-Z24-000001-X"],
    ["report", "totals", "--from"],
])
def test_usage_errors_exit_2(args):
    result = CliRunner().invoke(app, ["--db", "sqlite:///never-used.db", *args], env={"SURRENDER_STAFF": "4001"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_audit_verify_passes_then_fails_after_a_row_is_edited_through_sql(cli):
    log(cli, 3)
    intact = cli("5001", "audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert "Audit chain intact" in intact.stdout
    events = db.run(cli.url, lambda s: s.execute(text("SELECT id FROM audit_event ORDER BY id")).scalars().all(),
                    write=False)
    victim = events[len(events) // 2]
    db.run(cli.url, lambda s: s.execute(text("UPDATE audit_event SET detail = '{}' WHERE id = :id"), {"id": victim}))
    line = error_line(cli("1", "audit", "verify"))
    assert f"audit chain broken at event {victim}" in line and "edited" in line
    assert f"({events.index(victim) + 1} events checked)" in line


def test_audit_verify_names_the_chains_end_when_the_last_event_is_deleted(cli):
    log(cli, 3)
    db.run(cli.url, lambda s: s.execute(text("DELETE FROM audit_event WHERE id = (SELECT MAX(id) FROM audit_event)")))
    line = error_line(cli("5001", "audit", "verify"))
    assert "audit chain broken at the chain's end" in line


def test_report_totals_by_station_as_json_has_the_documented_keys(cli):
    log(cli, 3)
    log(cli, 4, at="2024-09-03 09:00")
    log(cli, 2, staff="3001", station="PK")  # under the minimum: a claim, nothing payable
    result = cli("5001", "report", "totals", "--by", "station", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(set(row) == {"station"} | TOTALS_KEYS for row in rows)
    assert rows == [
        {"station": "PK", "surrenders": 1, "items": 2, "claims": 1, "claimed": "20.00", "payable": "0.00"},
        {"station": "TW", "surrenders": 2, "items": 7, "claims": 2, "claimed": "70.00", "payable": "70.00"},
    ]
    combined = json.loads(cli("4001", "report", "totals", "--by", "station,day", "--from", "2024-09-03",
                              "--format", "json").stdout)
    assert combined == [{"station": "TW", "day": "2024-09-03", "surrenders": 1, "items": 4, "claims": 1,
                         "claimed": "40.00", "payable": "40.00"}]
    plain = json.loads(cli("5001", "report", "totals", "--format", "json").stdout)
    assert plain == [{"surrenders": 3, "items": 9, "claims": 3, "claimed": "90.00", "payable": "70.00"}]
    by_kind = cli("5001", "report", "totals", "--by", "kind", "--format", "csv")
    as_csv = list(csv.DictReader(io.StringIO(by_kind.stdout)))
    assert as_csv == [{"kind": "zombie-knife", "items": "9", "claimed": "90.00", "payable": "70.00",
                       "surrenders_with_kind": "3", "claims_with_kind": "3"}]


def test_claims_list_flag_filters_by_a_pattern_and_refuses_an_unknown_reason_listing_the_valid_ones(cli):
    jane = log(cli, 3)
    other = cli("3001", "--station", "PK", "log", "--at", "2024-09-02 11:00", "--name", "Jane  SMITH", "--address",
                "1 High Street", "--postcode", "cb11jg", "--declare", "--item", f"{KNIFE}:qty=3", "--format", "json")
    assert other.exit_code == 0, other.output
    second = json.loads(other.stdout)["reference"]
    assert json.loads(other.stdout)["claim"]["flags"] == [
        f"several-stations: the same claimant also claimed at TW ({jane})"]
    rows = list(csv.DictReader(io.StringIO(cli("5001", "claims", "list", "--flag", "several-stations",
                                               "--format", "csv").stdout)))
    assert [(r["reference"], r["manager_approval"]) for r in rows] == [(jane, "needed"), (second, "needed")]
    assert cli("5001", "claims", "list", "--flag", "shared-account", "--format", "json").stdout.strip() == "[]"
    line = error_line(cli("5001", "claims", "list", "--flag", "[b]odd[/b]"))
    assert line == ("Error: flag '[b]odd[/b]' is not one of: shared-account, several-stations, above-price-list, "
                    "acquired-after-cutoff")
