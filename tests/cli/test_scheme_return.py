"""`report return` (a force's scheme return, CSV and JSON with a digest) and `report national`
(the returns of forces on separate databases merged), as typed: the return's figures are
`report totals`' for the same force, and every bad input is refused in one line with nothing
shown. Bedfordshire's database is the SQLite file `demo --forces 2` makes beside the demo's."""

from __future__ import annotations

import json
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from surrender.demo import PINS as DEMO_PINS
from surrender.demo_forces import PINS as BEDS_PINS
from surrender.return_files import read_return, render_csv, render_json
from surrender.rules.money import format_pence
from surrender.rules.returns import digest
from surrender.rules.items import item_from_spec
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import PINS, as_staff, error_line
from tests.demo_database import demo_copy
from tests.integration.test_finance_work import KNIFE, log

MONEY = ("claimed", "payable")


def run(url: str | None, *args: str, staff: str | None = None, pin: str | None = None, cwd: Path | None = None):
    env = {"SURRENDER_DATABASE_URL": url, "SURRENDER_STAFF": staff, "SURRENDER_PIN": pin, "SURRENDER_FORCE": None,
           "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None, "COLUMNS": "200"}
    return CliRunner().invoke(app, list(args), env=env)


def made_return(url: str, out: Path, staff: str, pin: str) -> dict:
    result = run(url, "report", "return", "--out", str(out), staff=staff, pin=pin)
    assert result.exit_code == 0, result.output
    stem = out.with_suffix("") if out.suffix == ".csv" else out  # `--out x.csv` writes x.csv and x.json
    return json.loads(stem.with_name(stem.name + ".json").read_text())


def totals(url: str, staff: str, pin: str, *by: str) -> list[dict]:
    args = [arg for name in by for arg in ("--by", name)]
    result = run(url, "report", "totals", *args, "--campaign", "zombie-2024", "--format", "json", staff=staff, pin=pin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_return_equals_totals(url: str, returned: dict, staff: str, pin: str) -> None:
    (total,) = totals(url, staff, pin)
    mine = returned["total"]
    assert (mine["surrenders"], mine["items"], mine["with_claim"]) == (total["surrenders"], total["items"],
                                                                       total["claims"])
    assert (mine["claimed"], mine["payable"]) == (total["claimed"], total["payable"])
    assert mine["with_claim"] + mine["without_claim"] == mine["surrenders"]
    stations = [{k: row[k] for k in ("station", "surrenders", "items", "claims", *MONEY)}
                for row in totals(url, staff, pin, "station")]
    assert returned["stations"] == stations
    weapons = [{"station": row["station"], "kind": row["kind"], "items": row["items"]}
               for row in totals(url, staff, pin, "station", "kind")]
    assert returned["weapons"] == weapons
    assert sum(w["items"] for w in returned["weapons"]) == mine["items"]


def counted_directly(database: Path) -> dict:
    """Anonymous surrenders and retailers' claims, read from the file with plain SQL."""
    with sqlite3.connect(database) as conn:
        anonymous = conn.execute("SELECT count(*) FROM surrender WHERE voided_at IS NULL AND anonymous").fetchone()[0]
        retail, claimed = conn.execute(
            "SELECT count(*), coalesce(sum(c.claimed_pence), 0) FROM surrender s JOIN claim c ON c.surrender_id = s.id"
            " JOIN claimant p ON p.id = s.claimant_id WHERE s.voided_at IS NULL AND p.business_name <> ''"
        ).fetchone()
    return {"anonymous": anonymous, "retail_claims": retail, "retail_claimed": format_pence(claimed)}


def test_the_return_holds_report_totals_figures_for_the_whole_campaign(tmp_path_factory):
    folder = demo_copy(tmp_path_factory)
    url = f"sqlite:///{folder / 'demo.db'}"
    returned = made_return(url, folder / "cambs-zombie-2024.csv", "5023", DEMO_PINS["5023"])
    assert_return_equals_totals(url, returned, "5023", DEMO_PINS["5023"])
    direct = counted_directly(folder / "demo.db")
    assert direct["retail_claims"] > 0 and direct["anonymous"] > 0  # the demo has both: the test means something
    assert {k: returned["total"][k] for k in direct} == direct
    assert (returned["force"], returned["force_name"]) == ("CAMBS", "Cambridgeshire Constabulary")
    assert (returned["campaign"], returned["period_from"], returned["period_to"]) == ("zombie-2024", "2024-08-26",
                                                                                      "2024-09-23")
    anchor = run(url, "audit", "anchor", staff="5023", pin=DEMO_PINS["5023"]).stdout
    assert returned["anchor"] in anchor
    for suffix in ("csv", "json"):
        path = folder / f"cambs-zombie-2024.{suffix}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        content, stated = read_return(path)
        assert stated == returned["digest"] == digest(content)  # either file checks against the same digest
    again = run(url, "report", "return", "--out", str(folder / "cambs-zombie-2024"), staff="5023",
                pin=DEMO_PINS["5023"])
    assert "exists already" in error_line(again)


def test_the_return_counts_retailers_and_anonymous_surrenders_on_each_database(db_url, ctx):
    log(ctx, qty=2, business="Lee Knives Ltd")
    log(ctx, qty=1, station="PK")
    log_surrender(ctx, LogRequest(items=[item_from_spec(f"{KNIFE}:qty=4")], anonymous=True))
    manager = as_staff(ctx, "5001")
    void_surrender(manager, log(ctx, qty=9), "logged twice")  # void: in no figure
    out = Path(ctx.receipts_dir).parent / "return"
    returned = made_return(db_url, out, "5001", PINS["5001"])
    assert_return_equals_totals(db_url, returned, "5001", PINS["5001"])
    total = returned["total"]
    assert (total["surrenders"], total["items"], total["anonymous"], total["retail_claims"]) == (3, 7, 1, 1)
    assert total["without_claim"] == 1 and total["retail_claimed"] != "0.00"
    assert float(total["retail_payable"]) <= float(total["retail_claimed"]) <= float(total["claimed"])


def test_desk_officers_make_no_return(db_url, tmp_path):
    refused = run(db_url, "report", "return", "--out", str(tmp_path / "r"), staff="2001", pin=PINS["2001"])
    assert "2001" in error_line(refused) and not list(tmp_path.glob("r.*"))


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory) -> Path:
    """`demo --forces 2` on SQLite: Cambridgeshire's demo.db and Bedfordshire's beds.db, with
    each force's return made on its own database (cambs.* and beds.*)."""
    folder = tmp_path_factory.mktemp("two-forces") / "demo"
    made = run(None, "demo", "--forces", "2", "--days", "1", "--dir", str(folder))
    assert made.exit_code == 0, made.output
    assert f"Bedfordshire Police's database: {folder / 'beds.db'}" in made.stdout
    made_return(f"sqlite:///{folder / 'demo.db'}", folder / "cambs", "5023", DEMO_PINS["5023"])
    made_return(f"sqlite:///{folder / 'beds.db'}", folder / "beds", "1", BEDS_PINS["1"])
    return folder


def test_demo_with_two_forces_on_sqlite_gives_each_force_its_own_file(two_forces):
    beds = run(f"sqlite:///{two_forces / 'beds.db'}", "station", "list", "--format", "json", staff="1",
               pin=BEDS_PINS["1"])
    assert [(row["code"], row["force"]) for row in json.loads(beds.stdout)] == [("BD", "BEDS"), ("LU", "BEDS")]
    forces = run(f"sqlite:///{two_forces / 'beds.db'}", "force", "list", "--format", "json", staff="1",
                 pin=BEDS_PINS["1"])
    assert [row["code"] for row in json.loads(forces.stdout)] == ["BEDS"]
    cambs = run(f"sqlite:///{two_forces / 'demo.db'}", "station", "list", "--format", "json", staff="1",
                pin=DEMO_PINS["1"])
    assert [row["code"] for row in json.loads(cambs.stdout)] == ["PK", "TW"]


def test_national_merges_the_forces_returns(two_forces):
    cambs = json.loads((two_forces / "cambs.json").read_text())
    beds = json.loads((two_forces / "beds.json").read_text())
    assert_return_equals_totals(f"sqlite:///{two_forces / 'beds.db'}", beds, "4410", BEDS_PINS["4410"])
    merged = run(None, "report", "national", str(two_forces / "cambs.csv"), str(two_forces / "beds.json"),
                 "--format", "json")
    assert merged.exit_code == 0, merged.output
    table = json.loads(merged.stdout)
    assert table["campaign"] == "zombie-2024"
    assert [(row["force"], row["surrenders"], row["payable"]) for row in table["forces"]] == [
        ("BEDS", beds["total"]["surrenders"], beds["total"]["payable"]),
        ("CAMBS", cambs["total"]["surrenders"], cambs["total"]["payable"]),
    ]
    assert table["total"]["items"] == cambs["total"]["items"] + beds["total"]["items"]
    pence = sum(round(float(r["total"]["payable"]) * 100) for r in (cambs, beds))
    assert table["total"]["payable"] == format_pence(pence)
    listed = run(None, "report", "national", str(two_forces / "beds.csv"), str(two_forces / "cambs.json"),
                 "--format", "csv").stdout.splitlines()
    assert listed[0] == ("force,name,surrenders,items,with_claim,without_claim,anonymous,claimed,payable,"
                         "retail_claims,retail_claimed,retail_payable")
    assert [line.split(",")[0] for line in listed[1:]] == ["BEDS", "CAMBS", "Total"]
    shown = run(None, "report", "national", str(two_forces / "beds.csv"), str(two_forces / "cambs.csv")).stdout
    assert "Bedfordshire Police" in shown and "Total" in shown


def _rewritten(source: Path, target: Path, **changes: str) -> Path:
    """`source`'s return with `changes`, written with a digest that matches (a careful forger)."""
    content, _ = read_return(source)
    changed = replace(content, **changes)
    render = render_json if target.suffix == ".json" else render_csv
    target.write_bytes(render(changed, digest(changed)))
    return target


def _anchor_of(source: Path) -> str:
    return read_return(source)[0].anchor


def _byte_changed(source: Path, target: Path) -> Path:
    text = source.read_text()
    line = next(line for line in text.splitlines() if line.startswith("total,,,items,"))
    items = int(line.rsplit(",", 1)[1])
    target.write_text(text.replace(line, f"total,,,items,{items + 1}"), newline="")
    return target


@pytest.mark.parametrize(("bad", "message"), [
    (lambda f, t: _byte_changed(f / "cambs.csv", t / "cambs.csv"), "the digest does not match the content"),
    (lambda f, t: _rewritten(f / "cambs.json", t / "cambs.json", anchor="surrender-anchor events=12 head=abc"),
     "is not `surrender-anchor force=CODE events=N head=<64 hex digits>`"),
    (lambda f, t: f / "cambs.json", "are both returns of force CAMBS"),
    (lambda f, t: _rewritten(f / "cambs.json", t / "herts.json", force="HERTS"),  # another force's chain
     "its anchor is another chain's (CAMBS), not HERTS's"),
    (lambda f, t: _rewritten(f / "cambs.json", t / "herts.json", force="HERTS", campaign="ninja-2025",
                             anchor=_anchor_of(f / "cambs.json").replace("force=CAMBS", "force=HERTS")),
     "merge returns of one campaign"),
    (lambda f, t: (t / "notes.csv").write_text("a,b\n1,2\n") and t / "notes.csv", "is not a scheme return"),
])
def test_national_refuses_a_bad_file_and_shows_nothing(two_forces, tmp_path, bad, message):
    other = bad(two_forces, tmp_path)
    merged = run(None, "report", "national", str(two_forces / "beds.csv"), str(two_forces / "cambs.csv"), str(other))
    assert message in error_line(merged)  # error_line: nothing on stdout either


def test_a_new_sqlite_file_becomes_the_force_added_before_anyone_is(tmp_path):
    url = f"sqlite:///{tmp_path / 'beds.db'}"
    assert run(url, "db", "upgrade").exit_code == 0
    added = run(url, "force", "add", "BEDS", "--name", "Bedfordshire Police")
    assert added.exit_code == 0, added.output
    first = CliRunner().invoke(app, ["staff", "add", "1", "--name", "Bea Admin", "--role", "admin"],
                               env={"SURRENDER_DATABASE_URL": url, "SURRENDER_NEW_PIN": "111124"})
    assert first.exit_code == 0, first.output
    listed = run(url, "station", "list", "--format", "json", staff="1", pin="111124")
    assert json.loads(listed.stdout) == []  # Cambridgeshire's TW and PK went with it
    forces = run(url, "force", "list", "--format", "json", staff="1", pin="111124")
    assert json.loads(forces.stdout) == [{"code": "BEDS", "name": "Bedfordshire Police", "stations": 0}]
    again = run(url, "force", "add", "HERTS", "--name", "Hertfordshire Constabulary", staff="1", pin="111124")
    assert "a SQLite database file holds one force" in error_line(again)
    verified = run(url, "audit", "verify", staff="1", pin="111124")
    assert verified.exit_code == 0 and "intact" in verified.stdout
