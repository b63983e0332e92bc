"""Listings at a real terminal of 80 and 100 columns with a stock claim among them: every
reference and amount is printed whole (never `TW-Z24-00…`), every line fits the terminal, and
the columns left out are named; CSV keeps them all."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from pty_helpers import finish, plain, spawn_surrender
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
CLAIMANT = ["--address", "1 High Street", "--postcode", "CB1 1JG", "--declare"]


@pytest.fixture
def listed(db_url, tmp_path):
    """A named claim exported in batch 1, an anonymous surrender, and a wholesaler's stock claim
    of 24,000 knives (£240,000.00) with a long business name."""
    env = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STATION": "TW", "SURRENDER_RECEIPTS_DIR": str(tmp_path / "r")}

    def cli(staff: str, *args: str) -> str:
        result = CliRunner().invoke(app, ["--staff", staff, *args], env={**env, "SURRENDER_PIN": PINS[staff]},
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    stock = tmp_path / "stock.csv"
    stock.write_text("kind,blade_length,plain_edge,sharp_point,serrated_length,quantity\n"
                     "zombie-knife,25cm,yes,yes,3in,12000\nzombie-machete,45cm,yes,yes,3in,12000\n")
    at = ["--at", "2024-09-02 10:00"]
    named = json.loads(cli("2001", "log", *at, "--name", "Jane Smith", *CLAIMANT, "--sort-code", "12-34-56",
                           "--account-number", "12345678", "--item", f"{KNIFE}:qty=3", "--format", "json"))
    anonymous = json.loads(cli("2001", "log", *at, "--anonymous", "--item", KNIFE, "--format", "json"))
    wholesale = json.loads(cli("2001", "log", *at, "--name", "Oluwaseun Adebayo-Whitfield", *CLAIMANT,
                               "--business", "Whitfield Cutlery and Catering Supplies Wholesale Ltd",
                               "--items", str(stock), "--format", "json"))
    cli("4001", "claims", "approve", named["reference"])
    cli("4001", "claims", "export", "--out", str(tmp_path / "batch-1.csv"))
    refs = [named["reference"], anonymous["reference"], wholesale["reference"]]
    return {k: v for k, v in env.items()}, refs, cli


def screen(env: dict, columns: int, staff: str, *args: str) -> str:
    child = spawn_surrender(*args, env={**env, "SURRENDER_STAFF": staff, "SURRENDER_PIN": PINS[staff],
                                        "COLUMNS": str(columns)})
    out, status = finish(child)
    assert status == 0, out
    return plain(out)


@pytest.mark.parametrize("columns", [80, 100])
def test_recent_claims_and_batches_keep_references_and_money_whole(listed, columns):
    env, refs, _ = listed
    shown = {
        "recent": screen(env, columns, "2001", "recent", "--date", "2024-09-02"),
        "claims": screen(env, columns, "4001", "claims", "list"),
        "batches": screen(env, columns, "4001", "claims", "batches"),
    }
    for name, text in shown.items():
        assert "…" not in text, (name, text)
        assert max(len(line) for line in text.splitlines()) <= columns, (name, text)
    for reference in refs:
        assert reference in shown["recent"]
    for reference in (refs[0], refs[2]):
        assert reference in shown["claims"]
    assert "240000.00" in shown["claims"] and "240000.00" in shown["recent"]  # the stock claim's amount whole
    assert "£30.00" in shown["batches"]
    assert re.search(r"\bstatus\b", shown["claims"]) and "claimant" in shown["claims"]


def test_columns_left_out_at_80_are_named_and_csv_has_them_all(listed):
    env, _, cli = listed
    narrow = screen(env, 80, "4001", "claims", "list")
    note = " ".join(narrow.split("Left out at 80 columns:")[1].split())
    assert "flags" in note and "bank details" in note and "--format csv" in note
    assert "Oluwaseun" in narrow  # a name's start is never cut
    wide = screen(env, 300, "4001", "claims", "list")
    assert "Left out" not in wide and "bank details" in wide
    rows = list(csv.DictReader(io.StringIO(cli("4001", "claims", "list", "--format", "csv"))))
    assert {"flags", "bank_details", "manager_approval", "batch", "business"} <= set(rows[0])
