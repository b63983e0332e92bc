"""`surrender custody`, `surrender destruction` and `surrender report custody` as typed: every
listing in table, CSV and JSON; refusals in one line; scripts give witnesses' PINs in
SURRENDER_WITNESS_PINS; people's text printed as typed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS, error_line

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
STORE_PIN = "600106"


@pytest.fixture
def cli(db_url, tmp_path):
    """Run `surrender` as `staff` with their PIN: cli("6001", "custody", ..., input="lines typed")."""
    runner = CliRunner()

    def invoke(staff, *args, pin="seeded", input=None, **env):
        settings = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"),
                    "SURRENDER_STAFF": None, "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None,
                    "SURRENDER_WITNESS_PINS": None, "SURRENDER_PIN": PINS.get(staff or "") if pin == "seeded" else pin,
                    "COLUMNS": "200", **env}
        return runner.invoke(app, [*(["--staff", staff] if staff else []), *args], env=settings, input=input)
    return invoke


@pytest.fixture
def desk(cli):
    """A TW store officer (6001) with a store, and three knives logged at TW."""
    added = cli("1", "staff", "add", "6001", "--name", "Pat Store", "--role", "property", "--station", "TW",
                "--pin", STORE_PIN)
    assert added.exit_code == 0, added.output
    made = store(cli, "custody", "location", "add", "TW-STORE", "--name", "Store [bold]one[/]")
    assert made.exit_code == 0, made.output
    logged = cli("2001", "--station", "TW", "log", "--at", "2024-09-02 10:00", "--anonymous",
                 "--item", f"{KNIFE}:qty=3:desc=black knife", "--format", "json")
    assert logged.exit_code == 0, logged.output
    return json.loads(logged.stdout)["reference"]


def store(cli, *args, **env):
    return cli("6001", *args, pin=STORE_PIN, **env)


def test_locations_list_in_every_format_with_names_printed_as_typed(cli, desk):
    table = store(cli, "custody", "location", "list")
    assert table.exit_code == 0 and "Store [bold]one[/]" in table.stdout and "TW-COUNTER" in table.stdout
    rows = json.loads(store(cli, "custody", "location", "list", "--format", "json").stdout)
    assert [(r["code"], r["kind"], r["tags"], r["weapons"]) for r in rows] == [("TW-COUNTER", "counter", 3, 3),
                                                                              ("TW-STORE", "store", 0, 0)]
    assert next(csv.reader(io.StringIO(store(cli, "custody", "location", "list", "--format", "csv").stdout))) == [
        "code", "name", "station", "kind", "max_days", "tags", "weapons"]


def test_move_where_and_list_speak_table_csv_and_json(cli, desk):
    moved = store(cli, "custody", "move", f"{desk}/1", f"{desk}/2", "--to", "tw-store", "--format", "json")
    assert moved.exit_code == 0, moved.output
    assert [(r["tag"], r["from"], r["to"]) for r in json.loads(moved.stdout)] == [
        (f"{desk}/1", "TW-COUNTER", "TW-STORE"), (f"{desk}/2", "TW-COUNTER", "TW-STORE")]
    story = json.loads(store(cli, "custody", "where", f"{desk}/1", "--format", "json").stdout)
    assert story["location"] == "TW-STORE" and story["description"] == "black knife"
    assert [(h["action"], h["staff"], h["to"]) for h in story["history"]] == [("received", "2001", "TW-COUNTER"),
                                                                              ("moved", "6001", "TW-STORE")]
    assert story["history"][0]["at"] == "2024-09-02T10:00:00+01:00"
    table = store(cli, "custody", "where", f"{desk}/1")
    assert "02 Sep 2024 10:00 BST" in table.stdout and "Now: held at TW-STORE" in table.stdout
    listed = list(csv.DictReader(io.StringIO(store(cli, "custody", "list", "--location", "TW-COUNTER",
                                                   "--format", "csv").stdout)))
    assert [r["tag"] for r in listed] == [f"{desk}/3"]


def test_refusals_are_one_line_naming_the_tag(cli, desk):
    assert "is not a tag" in error_line(store(cli, "custody", "where", "hello"))
    assert "no location 'NOWHERE'" in error_line(store(cli, "custody", "move", f"{desk}/1", "--to", "NOWHERE"))
    assert "needs the manager role" in error_line(store(cli, "custody", "retain", f"{desk}/1", "--authority", "x"))
    line = error_line(cli("2001", "custody", "move", f"{desk}/1", "--to", "TW-COUNTER"))
    assert f"{desk}/1: already at TW-COUNTER" in line


def test_a_piped_scan_moves_each_tag_and_exits_1_when_one_was_refused(cli, desk):
    result = store(cli, "custody", "scan", "--to", "TW-STORE", input=f"{desk}/1\n{desk}/1\n\n{desk}/2\n")
    assert result.exit_code == 1
    assert result.stdout.count("✓ ") == 1 and f"✗ {desk}/1: already at TW-STORE" in result.stderr
    assert "1 tag(s) moved to TW-STORE; 1 refused." in result.stderr


def test_destruction_from_batch_to_certificate_with_witness_pins_from_the_script(cli, desk, tmp_path):
    opened = store(cli, "destruction", "new", "--method", "incineration", "--contractor", "Eastern Metals Ltd")
    assert opened.exit_code == 0 and "Destruction batch 1 at TW (open)" in opened.stdout
    added = store(cli, "destruction", "add", "1", input=f"{desk}/1\n{desk}/2\nnope\n")
    assert added.exit_code == 1 and added.stdout.count("✓ ") == 2 and "'nope' is not a tag" in added.stderr
    no_pins = store(cli, "destruction", "seal", "1", "--witness", "5001", "--witness", "2001")
    assert "witness 5001 must confirm with their own PIN" in error_line(no_pins)
    pins = f"5001:{PINS['5001']},2001:{PINS['2001']}"
    sealed = store(cli, "destruction", "seal", "1", "--witness", "5001", "--witness", "2001",
                   SURRENDER_WITNESS_PINS=pins)
    assert sealed.exit_code == 0, sealed.output
    assert "witnessed by 5001 Morgan Lee and 2001 Sam Patel" in sealed.stdout
    assert "sealed: it cannot change" in error_line(store(cli, "destruction", "add", "1", f"{desk}/3"))
    batches = json.loads(store(cli, "destruction", "list", "--format", "json").stdout)
    assert [(b["batch"], b["status"], b["tags"], b["weapons"]) for b in batches] == [(1, "sealed", 2, 2)]
    shown = json.loads(store(cli, "destruction", "show", "1", "--format", "json").stdout)
    assert [e["state"] for e in shown["exhibits"]] == ["destroyed", "destroyed"]
    out = tmp_path / "certificate.pdf"
    written = store(cli, "destruction", "certificate", "1", "--out", str(out))
    assert written.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    assert "exists already" in error_line(store(cli, "destruction", "certificate", "1", "--out", str(out)))
    confirmed = store(cli, "destruction", "confirm", "1", "--certificate", "EM-17")
    assert confirmed.exit_code == 0 and "EM-17 recorded" in confirmed.stdout


def test_report_custody_in_every_format(cli, desk):
    store(cli, "custody", "move", f"{desk}/1", "--to", "TW-STORE")
    table = cli("5001", "report", "custody")
    assert table.exit_code == 0, table.output
    assert "Unaccounted: 0 weapon(s)." in table.stdout and "past destruction date" in table.stdout
    as_json = json.loads(cli("5001", "report", "custody", "--format", "json").stdout)
    assert as_json["total"] == {"received": 3, "held": 3, "destroyed": 0, "retained": 0, "never_received": 0,
                                "unaccounted": 0}
    assert {(e["tag"], e["problem"]) for e in as_json["exceptions"]} >= {(f"{desk}/1", "past destruction date")}
    assert as_json["anchor"].startswith("surrender-anchor force=CAMBS events=")
    as_csv = cli("5001", "report", "custody", "--format", "csv").stdout
    assert as_csv.splitlines()[0].startswith("station,campaign,tags,received,held")
    assert "no station 'XX'" in error_line(cli("5001", "report", "custody", "--station", "XX"))
    assert "needs the manager or property role" in error_line(cli("4001", "report", "custody"))
