"""Forces as data (issue 15): Bedfordshire beside Cambridgeshire on one PostgreSQL, each with
its own stations and staff (collar numbers repeating), each logging, approving and exporting
(batch 1 in each), neither able to read or touch the other's records through any command; the
national role sees figures by force only. On SQLite one file is one force. Stations close."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from surrender import db
from surrender.errors import NotFound, Refused
from surrender.rules.items import item_from_spec
from surrender.services.batches import list_batches
from surrender.services.claim_status import claim_status
from surrender.services.claims import ClaimFilter, approve_claim, list_claims
from surrender.services.context import Context
from surrender.services.export import export_claims, recreate_batch
from surrender.services.forces import add_force, add_station, close_station, list_stations, update_station
from surrender.services.payments import mark_paid
from surrender.services.reading import show_surrender
from surrender.services.receipts import reprint_receipt
from surrender.services.recent import recent_surrenders
from surrender.services.reports import totals
from surrender.services.staff import add_staff, list_staff
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import LONDON, NOW, PINS, copied_database
from tests.integration.test_export_and_payment import claimant, write_remittance

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
DAY = NOW.astimezone(LONDON).date()
BEDS_PINS = {"1": "700001", "2001": "700201", "4001": "700401", "5001": "700501"}
NATIONAL_PIN = "900009"


def _log(ctx: Context, qty: int = 3, postcode: str = "CB1 1JG") -> str:
    request = LogRequest(items=[item_from_spec(f"{KNIFE}:qty={qty}")], claimant=claimant(postcode=postcode),
                         declared=True)
    return log_surrender(ctx, request).reference


class Forces:
    """Both forces' staff as contexts: `cambs[number]`, `beds[number]`, and `national`."""

    def __init__(self, url: str, tmp_path: Path):
        def member(number: str, force: str | None, pin: str, station: str | None = None) -> Context:
            return Context(url=url, staff=number, force=force, pin=pin, station=station,
                           receipts_dir=tmp_path / f"receipts-{force}", now=lambda: NOW)

        self.url = url
        self.cambs = {n: member(n, "CAMBS", PINS[n], "TW" if n == "2001" else None) for n in PINS}
        self.beds = {n: member(n, "BEDS", pin, "LU" if n == "2001" else None) for n, pin in BEDS_PINS.items()}
        self.national = member("9001", None, NATIONAL_PIN)


@pytest.fixture
def forces(request, tmp_path) -> Forces:
    """Cambridgeshire (the seeded staff) and Bedfordshire (admin 1, desk 2001 at Luton, finance
    4001, manager 5001: the same numbers) on one PostgreSQL, and national member 9001."""
    with copied_database("postgresql", request, tmp_path) as url:
        both = Forces(url, tmp_path)
        admin = both.cambs["1"]
        add_force(admin, "BEDS", "Bedfordshire Police")
        add_staff(admin, "1", "Bea Admin", "admin", None, BEDS_PINS["1"], force="BEDS")
        add_staff(admin, "9001", "Nat Figures", "national", None, NATIONAL_PIN)
        beds_admin = both.beds["1"]
        add_station(beds_admin, "LU", "Luton Police Station", "Luton", contact="101, ask for Luton property office")
        add_station(beds_admin, "BD", "Bedford Police Station", "Bedford", address="Greyfriars, Bedford MK40 1HR")
        add_staff(beds_admin, "2001", "Lu Desk", "desk", "LU", BEDS_PINS["2001"])
        add_staff(beds_admin, "4001", "Bed Finance", "finance", None, BEDS_PINS["4001"])
        add_staff(beds_admin, "5001", "Bed Manager", "manager", "LU", BEDS_PINS["5001"])
        yield both


def test_each_force_logs_approves_and_exports_its_own_batch_1(forces, tmp_path):
    cambs_ref = _log(forces.cambs["2001"], 3)
    beds_ref = _log(forces.beds["2001"], 4, postcode="LU1 1AA")
    assert cambs_ref.startswith("TW-") and beds_ref.startswith("LU-")
    approve_claim(forces.cambs["4001"], cambs_ref)
    approve_claim(forces.beds["4001"], beds_ref)
    cambs = export_claims(forces.cambs["4001"], tmp_path / "cambs.csv")
    beds = export_claims(forces.beds["4001"], tmp_path / "beds.csv")
    assert (cambs.batch, [r.reference for r in cambs.rows]) == (1, [cambs_ref])
    assert (beds.batch, [r.reference for r in beds.rows]) == (1, [beds_ref])
    assert [b.batch for b in list_batches(forces.beds["4001"])] == [1]
    again = recreate_batch(forces.beds["4001"], 1, tmp_path / "beds-again.csv")
    assert Path(again.path).read_bytes() == (tmp_path / "beds.csv").read_bytes()
    assert show_surrender(forces.beds["4001"], beds_ref).claim.batch_id == 1


def test_a_remittance_naming_the_other_forces_reference_is_not_one_of_yours_and_changes_nothing(forces, tmp_path):
    refs = {}
    for name, staff in (("cambs", forces.cambs), ("beds", forces.beds)):
        refs[name] = _log(staff["2001"], 3)
        approve_claim(staff["4001"], refs[name])
        export_claims(staff["4001"], tmp_path / f"{name}.csv")
    remittance = write_remittance(tmp_path / "remit.csv", [(refs["beds"], "30.00"), (refs["cambs"], "30.00")])
    with pytest.raises(Refused, match=f"line 3: no claim with reference {refs['cambs']} \\(not one of yours\\)"):
        mark_paid(forces.beds["4001"], remittance)
    assert show_surrender(forces.beds["4001"], refs["beds"]).claim.status == "exported"
    paid = mark_paid(forces.beds["4001"], write_remittance(tmp_path / "ok.csv", [(refs["beds"], "30.00")]))
    assert (paid.count, paid.batches) == (1, [1])
    assert show_surrender(forces.cambs["4001"], refs["cambs"]).claim.status == "exported"


def test_national_sees_figures_by_force_and_a_force_sees_only_its_own_row(forces):
    _log(forces.cambs["2001"], 3)
    _log(forces.cambs["2001"], 5)
    _log(forces.beds["2001"], 4)
    national = totals(forces.national, ["force"])
    assert [(r["force"], r["surrenders"], r["items"]) for r in national.rows] == [("BEDS", 1, 4), ("CAMBS", 2, 8)]
    mine = totals(forces.beds["5001"], ["force"])
    assert [(r["force"], r["items"]) for r in mine.rows] == [("BEDS", 4)]
    assert [r["force"] for r in totals(forces.cambs["1"], ["force"]).rows] == ["CAMBS"]
    with pytest.raises(Refused, match="report needs the finance or manager role; 9001 is national"):
        totals(forces.national, ["station"])
    with pytest.raises(Refused, match="figures by force only"):
        totals(forces.national, ["force", "station"])


@pytest.mark.parametrize("read", [
    pytest.param(lambda staff, ref: show_surrender(staff["4001"], ref), id="show"),
    pytest.param(lambda staff, ref: reprint_receipt(staff["2001"], ref), id="receipt"),
    pytest.param(lambda staff, ref: approve_claim(staff["4001"], ref), id="approve"),
    pytest.param(lambda staff, ref: void_surrender(staff["5001"], ref, "not ours"), id="void"),
])
def test_no_force_finds_the_others_reference(forces, read):
    theirs = {"cambs": _log(forces.beds["2001"]), "beds": _log(forces.cambs["2001"])}
    for name in ("cambs", "beds"):
        with pytest.raises(NotFound, match="no surrender with reference"):
            read(getattr(forces, name), theirs[name])


def test_claims_status_of_the_other_forces_reference_is_no_match(forces):
    theirs = _log(forces.cambs["2001"])
    with pytest.raises(Refused, match="no match"):
        claim_status(forces.beds["2001"], theirs, "CB1 1JG")
    assert claim_status(forces.cambs["2001"], theirs, "CB1 1JG").reference == theirs


@pytest.mark.parametrize("listing", [
    pytest.param(lambda s: [r.reference for r in list_claims(s["4001"], ClaimFilter())], id="claims list"),
    pytest.param(lambda s: [r.reference for r in recent_surrenders(s["2001"], DAY).rows], id="recent"),
    pytest.param(lambda s: [b.batch for b in list_batches(s["4001"])], id="claims batches"),
    pytest.param(lambda s: [(r["surrenders"], r["items"]) for r in totals(s["5001"], []).rows], id="report totals"),
    pytest.param(lambda s: [r.code for r in list_stations(s["2001"])], id="station list"),
    pytest.param(lambda s: sorted(r.name for r in list_staff(s["1"])), id="staff list"),
])
def test_every_listing_shows_only_the_readers_force(forces, listing, tmp_path):
    before = {name: listing(getattr(forces, name)) for name in ("cambs", "beds")}
    ref = _log(forces.cambs["2001"], 7)
    approve_claim(forces.cambs["4001"], ref)
    export_claims(forces.cambs["4001"], tmp_path / "c.csv")
    add_staff(forces.cambs["1"], "2999", "New Cambs", "desk", "PK", "299999")
    add_station(forces.cambs["1"], "HU", "Huntingdon Police Station", "Huntingdon")
    assert listing(forces.beds) == before["beds"]  # nothing Cambridgeshire did shows in Bedfordshire
    assert listing(forces.cambs) != before["cambs"]


def test_a_staff_number_in_two_forces_needs_force_to_sign_in(forces):
    ambiguous = replace(forces.beds["4001"], force=None)
    with pytest.raises(Refused, match="in more than one force .*--force CODE or SURRENDER_FORCE"):
        list_claims(ambiguous, ClaimFilter())
    assert [r.reference for r in list_claims(forces.beds["4001"], ClaimFilter())] == []


def test_an_admin_manages_only_their_own_forces_stations_and_staff(forces):
    with pytest.raises(Refused, match="own force \\(BEDS\\), not of CAMBS"):
        add_station(forces.beds["1"], "XX", "Nowhere", "Nowhere", force="CAMBS")
    with pytest.raises(NotFound, match="no station 'TW' in force BEDS"):
        close_station(forces.beds["1"], "TW")
    with pytest.raises(Refused, match="only to their own force \\(BEDS\\), not to CAMBS"):
        add_staff(forces.beds["1"], "2002", "Sneaky", "desk", None, "222222", force="CAMBS")
    with pytest.raises(Refused, match="station code TW is taken"):
        add_station(forces.beds["1"], "TW", "Thorpe Again", "Luton")
    with pytest.raises(Refused, match="needs the admin role"):
        add_force(forces.national, "MET", "Metropolitan Police")


def test_the_receipt_names_the_force_and_the_stations_contact(forces):
    view = show_surrender(forces.beds["4001"], _log(forces.beds["2001"]))
    assert (view.force, view.station_name, view.station_contact) == (
        "Bedfordshire Police", "Luton Police Station", "101, ask for Luton property office")
    update_station(forces.beds["1"], "LU", contact="01582 401212")
    assert show_surrender(forces.beds["4001"], view.reference).station_contact == "01582 401212"
    cambs = show_surrender(forces.cambs["4001"], _log(forces.cambs["2001"]))
    assert (cambs.force, cambs.station_contact) == ("Cambridgeshire Constabulary", None)


# --- on either backend --------------------------------------------------------------------------

def test_a_closed_station_takes_no_new_surrenders_and_its_records_stay_readable(ctx):
    kept = _log(ctx)
    closed = close_station(Context(url=ctx.url, staff="1", pin=PINS["1"], now=ctx.now), "TW")
    assert closed.closed_at is not None
    with pytest.raises(Refused, match="station TW is closed .* takes no new surrenders"):
        _log(ctx)
    assert show_surrender(replace(ctx, staff="4001", pin=PINS["4001"]), kept).reference == kept
    assert db.run(ctx.url, lambda c: c.execute(text("SELECT count(*) FROM surrender")).scalar(), write=False) == 1


def test_sqlite_holds_one_force_a_second_is_refused_with_a_pointer_to_postgresql(tmp_path, request):
    with copied_database("sqlite", request, tmp_path) as url:
        admin = Context(url=url, staff="1", pin=PINS["1"], now=lambda: NOW)
        with pytest.raises(Refused, match="holds one force.*PostgreSQL"):
            add_force(admin, "BEDS", "Bedfordshire Police")
        assert db.run(url, lambda c: c.execute(text("SELECT code FROM force")).scalars().all(), write=False) == [
            "CAMBS"]


def test_a_new_member_joins_the_only_force_by_default(ctx):
    admin = Context(url=ctx.url, staff="1", pin=PINS["1"], now=ctx.now)
    row = add_staff(admin, "2002", "Kim Desk", "desk", "PK", "220022")
    assert row.force == "CAMBS"
    assert {r.force for r in list_staff(admin)} == {"CAMBS"}


def test_staff_numbers_stay_unique_within_a_force(ctx):
    admin = Context(url=ctx.url, staff="1", pin=PINS["1"], now=ctx.now)
    with pytest.raises(Refused, match="staff number 2001 is already registered in force CAMBS"):
        add_staff(admin, "2001", "Twin", "desk", "TW", "210021")
