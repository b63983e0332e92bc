"""Reading within the reader's scope, and one "effective payable" everywhere (issue 13):
`show` keeps a desk officer to their stations, `recent` says £0.00 for a rejected claim and a
void surrender as `show` does, and `report totals --station` keeps to one station."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from surrender.errors import NotFound, Refused
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.references import make_reference
from surrender.services.claims import reject_claim
from surrender.services.reading import show_surrender
from surrender.services.recent import recent_surrenders
from surrender.services.reports import totals
from surrender.services.staff import update_staff
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import LONDON, NOW, PINS, as_staff

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
DAY = NOW.astimezone(LONDON).date()


def _log(ctx, qty: int = 3) -> str:
    person = make_claimant("Jane Smith", "1 High Street", "CB1 1JG", sort_code="12-34-56", account_number="12345678")
    return log_surrender(ctx, LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}")], claimant=person,
                                         declared=True)).reference


def _cli(ctx, *args, staff: str) -> object:
    env = {"SURRENDER_DATABASE_URL": ctx.url, "SURRENDER_STAFF": staff, "SURRENDER_PIN": PINS[staff],
           "SURRENDER_STATION": None, "SURRENDER_CAMPAIGN": None, "SURRENDER_RECEIPTS_DIR": str(ctx.receipts_dir),
           "COLUMNS": "200"}
    return CliRunner().invoke(app, list(args), env=env)


# --- recent: the payable every other output shows ---------------------------------------------------

def test_recent_shows_nothing_payable_for_a_rejected_claim_or_a_void_surrender(ctx):
    kept, rejected, voided = _log(ctx, 3), _log(ctx, 4), _log(ctx, 5)
    reject_claim(as_staff(ctx, "4001"), rejected, "not the owner")
    void_surrender(as_staff(ctx, "5001"), voided, "logged twice")
    rows = {row.reference: row for row in recent_surrenders(ctx, DAY).rows}
    assert {ref: (rows[ref].status, rows[ref].payable_pence, rows[ref].void) for ref in (kept, rejected, voided)} == {
        kept: (ClaimStatus.PENDING, 3000, False), rejected: (ClaimStatus.REJECTED, 0, False),
        voided: (ClaimStatus.PENDING, 0, True)}
    for reference in (kept, rejected, voided):  # the same figure as `show`
        assert show_surrender(ctx, reference).claim.payable_pence == rows[reference].payable_pence

    shown = _cli(ctx, "recent", "--date", DAY.isoformat(), "--format", "json", staff="2001")
    assert shown.exit_code == 0, shown.output
    printed = {row["reference"]: (row["claim"], row["payable"], row["void"]) for row in json.loads(shown.stdout)}
    assert printed == {kept: ("pending", "30.00", False), rejected: ("rejected", "0.00", False),
                       voided: ("pending", "0.00", True)}
    table = _cli(ctx, "recent", "--date", DAY.isoformat(), staff="2001").stdout
    assert "40.00" not in table and "50.00" not in table and "30.00" in table


def test_recent_rows_are_typed_until_the_cli_formats_them(ctx):
    reference = _log(ctx, 4)
    row = recent_surrenders(ctx, DAY).rows[0]
    assert row.reference == reference and row.items == 4 and row.kinds == ((4, "zombie-knife"),)
    assert row.surrendered_at.tzinfo is not None and row.recorded_at.tzinfo is not None
    assert isinstance(row.status, ClaimStatus) and row.payable_pence == 4000


# --- show: within the reader's scope ----------------------------------------------------------------

def test_a_desk_officer_reads_another_stations_surrender_as_unknown(ctx):
    parkside = _log(as_staff(ctx, "3001", station="PK"))
    with pytest.raises(NotFound) as hidden:
        show_surrender(ctx, parkside)  # 2001 works at Thorpe Wood only
    never = make_reference("TW", "Z24", 999_999)
    with pytest.raises(NotFound) as unknown:
        show_surrender(ctx, never)
    assert str(hidden.value) == f"no surrender with reference {parkside}"
    assert str(unknown.value) == f"no surrender with reference {never}"
    assert show_surrender(as_staff(ctx, "3001"), parkside).reference == parkside  # its own station
    assert show_surrender(as_staff(ctx, "5001"), parkside).reference == parkside  # managers read every station
    update_staff(as_staff(ctx, "1"), "2001", stations=["PK"])
    assert show_surrender(ctx, parkside).reference == parkside  # once granted Parkside


def test_the_show_command_says_the_same_for_another_stations_reference_as_for_an_unknown_one(ctx):
    parkside = _log(as_staff(ctx, "3001", station="PK"))
    hidden = _cli(ctx, "show", parkside, staff="2001")
    assert hidden.exit_code == 1 and hidden.stderr.strip() == f"Error: no surrender with reference {parkside}"


# --- report totals --station ------------------------------------------------------------------------

def test_report_totals_keeps_to_the_station_asked_for(ctx):
    _log(ctx, 3)
    _log(as_staff(ctx, "3001", station="PK"), 4)
    manager = as_staff(ctx, "5001")
    everywhere = totals(manager, ["station"])
    assert [(r["station"], r["items"]) for r in everywhere.rows] == [("PK", 4), ("TW", 3)]
    parkside = totals(manager, ["station"], station="pk")
    assert [(r["station"], r["items"], r["payable"]) for r in parkside.rows] == [("PK", 4, 4000)]
    assert parkside.total == {"surrenders": 1, "items": 4, "claims": 1, "claimed": 4000, "payable": 4000}
    with pytest.raises(Refused, match="no station 'XX'; stations: PK, TW"):
        totals(manager, [], station="XX")

    printed = _cli(ctx, "report", "totals", "--station", "TW", "--format", "json", staff="5001")
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == [{"surrenders": 1, "items": 3, "claims": 1, "claimed": "30.00",
                                           "payable": "30.00"}]
    # The global --station (or SURRENDER_STATION) given before the command is where one works, not a filter.
    before = _cli(ctx, "--station", "TW", "report", "totals", "--format", "json", staff="5001")
    assert json.loads(before.stdout)[0]["items"] == 7


def test_report_totals_rows_carry_pence_and_dates_that_the_cli_prints_as_before(ctx):
    _log(ctx, 3)
    result = totals(as_staff(ctx, "5001"), ["day", "status"])
    assert result.rows == [{"day": DAY, "status": ClaimStatus.PENDING, "surrenders": 1, "items": 3, "claims": 1,
                            "claimed": 3000, "payable": 3000}]
    printed = _cli(ctx, "report", "totals", "--by", "day,status", "--format", "csv", staff="5001")
    assert printed.stdout == (f"day,status,surrenders,items,claims,claimed,payable\n"
                              f"{DAY.isoformat()},pending,1,3,1,30.00,30.00\n")
    weeks = json.loads(_cli(ctx, "report", "totals", "--by", "week", "--format", "json", staff="5001").stdout)
    assert weeks == [{"week": (DAY - dt.timedelta(days=DAY.weekday())).isoformat(), "surrenders": 1, "items": 3,
                      "claims": 1, "claimed": "30.00", "payable": "30.00"}]
