"""Custody, destruction and reconciliation (issue 16) through the service layer, on SQLite and
PostgreSQL: exhibits made at intake by the receipt's own tag rule, moves, stock checks, a
manager's decisions, witnessed destruction, the custody report, and audit verify catching a
custody record changed behind the tool's back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import text

from surrender import db
from surrender.errors import Forbidden, NotFound, Refused
from surrender.rules.claimant import make_claimant
from surrender.rules.lockout import LOCK_AFTER, wait_after
from surrender.rules.items import item_from_spec
from surrender.services import custody, destruction
from surrender.services.audit_log import verify
from surrender.services.custody_report import custody_report
from surrender.services.staff import add_staff
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import LONDON, PINS, as_staff

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
MACHETE = "zombie-machete:18in:plain:point:spikes:desc=spiked machete:seal=S-991"
PROPERTY = {"6001": ("Pat Store", "TW", "600106"), "6002": ("Kit Shelf", "PK", "600206")}
PINS = {**PINS, **{n: p for n, (_, _, p) in PROPERTY.items()}}


@pytest.fixture
def world(ctx):
    """The seeded staff plus a store officer at each station, and a store at each."""
    admin = as_staff(ctx, "1")
    for number, (name, station, pin) in PROPERTY.items():
        add_staff(admin, number, name, "property", station, pin)
    custody.add_location(officer(ctx), "TW-STORE", "Thorpe Wood property store", "TW")
    custody.add_location(officer(ctx, "6002"), "PK-STORE", "Parkside property store", "PK")
    return ctx


def officer(ctx, number="6001", **changes):
    return replace(ctx, staff=number, pin=PINS[number], station=None, **changes)


def later(ctx, clock, days: float):
    clock.now = clock.now + dt.timedelta(days=days)
    return ctx


def logged(ctx, *specs: str, station: str = "TW", staff: str = "2001", anonymous: bool = True) -> str:
    desk = replace(ctx, staff=staff, pin=PINS[staff], station=station)
    request = LogRequest(items=[item_from_spec(s) for s in specs], anonymous=anonymous)
    if not anonymous:
        request = LogRequest(items=request.items, declared=True,
                             claimant=make_claimant("Jane Smith", "1 High Street", "CB1 1JG"))
    return log_surrender(desk, request).reference


def exhibits(url: str, reference: str | None = None) -> list:
    query = ("SELECT e.tag, e.quantity, e.state, e.seal, e.kind, e.station_code, l.code AS place, e.batch_id "
             "FROM exhibit e JOIN surrender s ON s.id = e.surrender_id LEFT JOIN location l ON l.id = e.location_id")
    if reference:
        query += " WHERE s.reference = :r"
    return db.run(url, lambda s: s.execute(text(query + " ORDER BY e.id"), {"r": reference}).all(), write=False)


def witnesses(pins: dict[str, str] | None = None):
    chosen = {"5001": PINS["5001"], "2001": PINS["2001"], "3001": PINS["3001"], "4001": PINS["4001"],
              **(pins or {})}
    return lambda witness: chosen.get(witness.number)


# --- exhibits at intake -----------------------------------------------------------------------------

def test_logging_stores_one_exhibit_per_weapon_at_the_counter_with_its_seal(world):
    reference = logged(world, f"{KNIFE}:qty=2", MACHETE)
    rows = exhibits(world.url, reference)
    assert [r.tag for r in rows] == [f"{reference}/1", f"{reference}/2", f"{reference}/3"]
    assert [(r.quantity, r.state, r.place, r.station_code) for r in rows] == [(1, "held", "TW-COUNTER", "TW")] * 3
    assert [r.seal for r in rows] == ["", "", "S-991"] and rows[2].kind == "zombie-machete"


def test_a_stock_list_over_sixty_items_is_one_bag_per_line_with_its_count(world):
    reference = logged(world, f"{KNIFE}:qty=50", f"{MACHETE}:qty=11", anonymous=False)
    rows = exhibits(world.url, reference)
    assert [(r.tag, r.quantity) for r in rows] == [(f"{reference}/L1", 50), (f"{reference}/L2", 11)]


def test_the_receipt_prints_exactly_the_stored_tags(world, tmp_path):
    pytest.importorskip("reportlab")
    from surrender import receipts
    from surrender.services.reading import show_surrender

    for specs in ((f"{KNIFE}:qty=2", MACHETE), (f"{KNIFE}:qty=59", f"{MACHETE}:qty=2")):
        reference = logged(world, *specs)
        view = show_surrender(world, reference)
        printed = receipts._tag_specs(view) if receipts.custody_rules.per_unit(view.item_count) \
            else receipts._group_tag_specs(view)
        stored = exhibits(world.url, reference)
        assert [s.code for s in printed] == [r.tag for r in stored]
        assert [s.seal for s in printed] == [r.seal for r in stored]


def test_voiding_a_surrender_keeps_its_exhibits_to_be_accounted_for(world):
    reference = logged(world, f"{KNIFE}:qty=2")
    void_surrender(as_staff(world, "5001"), reference, "logged twice by mistake")
    assert [r.state for r in exhibits(world.url, reference)] == ["held", "held"]
    listed = custody.list_exhibits(officer(world), reference=reference)
    assert all(v.voided for v in listed)
    marked = custody.never_received(as_staff(world, "5001"), [f"{reference}/1", f"{reference}/2"],
                                    "logged twice: the bag is under the first reference")
    assert {v.state for v in marked} == {"never_received"}
    assert custody_report(as_staff(world, "5001")).total.never_received == 2


# --- moving -----------------------------------------------------------------------------------------

def test_a_scan_moves_one_tag_and_says_what_it_is(world, clock):
    reference = logged(world, MACHETE)
    later(world, clock, 0.1)
    moved = custody.scan_tag(officer(world), "tw-store", f"{reference.lower()}/1")
    assert (moved.came_from, moved.to, moved.exhibit.tag) == ("TW-COUNTER", "TW-STORE", f"{reference}/1")
    assert "spiked machete" in moved.exhibit.said and "seal S-991" in moved.exhibit.said
    with pytest.raises(Refused, match="already at TW-STORE"):
        custody.scan_tag(officer(world), "TW-STORE", f"{reference}/1")
    story = custody.where(officer(world), f"{reference}/1")
    assert [(e.action, e.staff, e.came_from, e.to) for e in story.history] == [
        ("received", "2001", None, "TW-COUNTER"), ("moved", "6001", "TW-COUNTER", "TW-STORE")]


@pytest.mark.parametrize(("who", "tag_station", "to", "why"), [
    ("6001", "TW", "PK-STORE", "no location 'PK-STORE' at your stations"),
    ("6001", "PK", "TW-STORE", "no such tag at TW"),
    ("2001", "TW", "TW-LAB", "only from the counter to the store"),
])
def test_moves_outside_the_rules_are_refused_naming_the_tag(world, who, tag_station, to, why):
    custody.add_location(officer(world), "TW-LAB", "Forensic lab", "TW", "temporary")
    reference = logged(world, KNIFE, station=tag_station, staff="2001" if tag_station == "TW" else "3001")
    with pytest.raises(Refused, match=why):
        custody.move_tags(officer(world, who), [f"{reference}/1"], to)


def test_a_desk_officer_books_a_bag_from_the_counter_into_the_store_and_no_further(world):
    reference = logged(world, KNIFE)
    desk = as_staff(world, "2001")
    assert custody.move_tags(desk, [f"{reference}/1"], "TW-STORE")[0].to == "TW-STORE"
    with pytest.raises(Refused, match="only from the counter"):
        custody.move_tags(desk, [f"{reference}/1"], "TW-COUNTER")


def test_a_move_of_many_tags_is_all_or_nothing(world):
    reference = logged(world, f"{KNIFE}:qty=3")
    custody.move_tags(officer(world), [f"{reference}/2"], "TW-STORE")
    before = exhibits(world.url, reference)
    with pytest.raises(Refused, match=f"{reference}/2: already at TW-STORE"):
        custody.move_tags(officer(world), [f"{reference}/1", f"{reference}/2", f"{reference}/3"], "TW-STORE")
    assert exhibits(world.url, reference) == before


def test_locations_are_data_with_their_station_and_limit(world):
    with pytest.raises(Refused, match="exists already"):
        custody.add_location(officer(world), "TW-STORE", "again", "TW")
    with pytest.raises(Refused, match="keeps custody at TW, not at PK"):
        custody.add_location(officer(world), "PK-LAB", "lab", "PK", "temporary")
    with pytest.raises(Forbidden, match="needs the admin or property role"):
        custody.add_location(as_staff(world, "2001"), "TW-X", "x", "TW")
    admin_added = custody.add_location(as_staff(world, "1"), "PK-COURT", "Cambridge Crown Court", "PK", "temporary", 5)
    assert (admin_added.kind, admin_added.max_days) == ("temporary", 5)
    seen = {v.code for v in custody.list_locations(officer(world))}
    assert seen == {"TW-COUNTER", "TW-STORE"}
    assert {v.code for v in custody.list_locations(as_staff(world, "5001"))} >= {"PK-COUNTER", "PK-COURT"}


# --- stock checks -----------------------------------------------------------------------------------

def test_a_stock_check_finds_the_missing_the_misplaced_and_the_unknown_and_records_it(world, clock):
    first = logged(world, f"{KNIFE}:qty=3")
    custody.move_tags(officer(world), [f"{first}/1", f"{first}/2"], "TW-STORE")
    later(world, clock, 1)
    result = custody.record_check(officer(world), "TW-STORE",
                                  [f"{first}/1", f"{first}/3", f"{first}/1", "TW-Z24-000999-A/1", "rubbish"])
    assert result.found == [f"{first}/1"] and result.missing == [f"{first}/2"]
    assert result.elsewhere == [(f"{first}/3", "TW-COUNTER")]
    assert result.unknown == ["TW-Z24-000999-A/1", "rubbish"]
    stored = db.run(world.url, lambda s: s.execute(text("SELECT expected, found, missing, elsewhere, unknown, result "
                                                        "FROM stock_check")).one(), write=False)
    assert stored[:5] == (2, 1, 1, 1, 2) and json.loads(stored.result)["missing"] == [f"{first}/2"]
    report = custody_report(officer(world))
    assert report.total.unaccounted == 1
    assert [(e.problem, e.exhibit.tag) for e in report.exceptions if e.problem == "unaccounted"] == [
        ("unaccounted", f"{first}/2")]
    moved = custody.scan_tag(officer(world), "TW-STORE", f"{first}/2")  # found again on the shelf
    assert moved.found and custody_report(officer(world)).total.unaccounted == 0


def test_an_empty_scan_marks_nothing_missing_unless_the_shelf_is_said_to_be_empty(world):
    reference = logged(world, f"{KNIFE}:qty=2")
    with pytest.raises(Refused, match="nothing was scanned at TW-COUNTER, where 2 tag"):
        custody.record_check(officer(world), "TW-COUNTER", [])
    assert custody_report(officer(world)).total.unaccounted == 0
    result = custody.record_check(officer(world), "TW-COUNTER", [], empty=True)
    assert result.missing == [f"{reference}/1", f"{reference}/2"]
    assert custody_report(officer(world)).total.unaccounted == 2
    assert custody.record_check(officer(world), "TW-STORE", []).expected == 0  # an empty store, checked empty


# --- destruction ------------------------------------------------------------------------------------

def destroyed_batch(world, *tags, pair=("5001", "2001")):
    batch = destruction.open_batch(officer(world), "incineration", "Eastern Metals Ltd")
    destruction.add_to_batch(officer(world), batch.id, tags)
    return destruction.seal_batch(officer(world), batch.id, list(pair), witnesses())


def test_a_sealed_batch_destroys_its_exhibits_witnessed_by_two_pins_and_never_changes(world, tmp_path):
    reference = logged(world, f"{KNIFE}:qty=2", MACHETE)
    tags = [f"{reference}/{n}" for n in (1, 2, 3)]
    custody.move_tags(officer(world), tags, "TW-STORE")
    sealed = destroyed_batch(world, *tags)
    assert (sealed.status, sealed.tags, sealed.weapons) == ("sealed", 3, 3)
    assert sealed.witnesses == ("5001 Morgan Lee", "2001 Sam Patel")
    assert {(r.state, r.place) for r in exhibits(world.url, reference)} == {("destroyed", None)}
    with pytest.raises(Refused, match="sealed: it cannot change"):
        destruction.remove_from_batch(officer(world), sealed.id, [tags[0]])
    with pytest.raises(Refused, match="destroyed in batch"):
        custody.move_tags(officer(world), [tags[0]], "TW-STORE")
    confirmed = destruction.confirm_batch(officer(world), sealed.id, "EM-2024-17")
    assert confirmed.status == "confirmed"
    with pytest.raises(Refused, match="already has the contractor's certificate EM-2024-17"):
        destruction.confirm_batch(officer(world), sealed.id, "EM-OTHER")
    story = custody.where(officer(world), tags[2])
    assert [e.action for e in story.history] == ["received", "moved", "added", "destroyed"]
    assert verify(as_staff(world, "5001")).problem is None


def test_the_same_pair_never_witnesses_two_batches_of_a_station_in_a_row(world):
    reference = logged(world, f"{KNIFE}:qty=3")
    destroyed_batch(world, f"{reference}/1")
    with pytest.raises(Refused, match="previous batch together"):
        destroyed_batch(world, f"{reference}/2", pair=("2001", "5001"))
    second = destruction.seal_batch(officer(world), 2, ["2001", "4001"], witnesses())
    assert second.status == "sealed"
    destroyed_batch(world, f"{reference}/3", pair=("5001", "2001"))  # not the previous pair any more


def test_a_wrong_witness_pin_is_refused_counted_slowed_and_the_fifth_locks_the_witness(world, clock):
    reference = logged(world, KNIFE)
    batch = destruction.open_batch(officer(world), "shredding", "Blades Away Ltd")
    destruction.add_to_batch(officer(world), batch.id, [f"{reference}/1"])

    def tries(number):
        return db.run(world.url, lambda s: s.execute(text("SELECT failed_pins, locked_at FROM staff WHERE number = :n"),
                                                     {"n": number}).one(), write=False)

    for attempt in range(1, LOCK_AFTER):
        with pytest.raises(Forbidden, match=f"wrong PIN for witness 2001 \\({LOCK_AFTER - attempt} more wrong"):
            destruction.seal_batch(officer(world), batch.id, ["5001", "2001"], witnesses({"2001": "000000"}))
        assert tries("2001").failed_pins == attempt
        clock.now += wait_after(attempt)
    with pytest.raises(Forbidden, match="locked"):
        destruction.seal_batch(officer(world), batch.id, ["5001", "2001"], witnesses({"2001": "000000"}))
    assert tries("2001").locked_at is not None
    assert exhibits(world.url, reference)[0].state == "held"  # nothing sealed
    refused = db.run(world.url, lambda s: s.execute(text("SELECT count(*) FROM audit_event WHERE action = 'refused' "
                                                         "AND entity_id = 'destruction.seal'")).scalar(), write=False)
    assert refused == LOCK_AFTER
    with pytest.raises(Refused, match="own PIN"):
        destruction.seal_batch(officer(world), batch.id, ["5001", "3001"], lambda w: None)


@pytest.mark.parametrize(("setup", "why"), [
    ("empty", "is empty"),
    ("other station", "belongs to station PK"),
    ("twice", "in batch 1 already"),
    ("missing", "only held exhibits"),
])
def test_what_may_not_go_into_a_batch(world, setup, why):
    tw = logged(world, f"{KNIFE}:qty=2")
    pk = logged(world, KNIFE, station="PK", staff="3001")
    batch = destruction.open_batch(officer(world), "incineration", "Eastern Metals Ltd")
    with pytest.raises(Refused, match=why):
        if setup == "empty":
            destruction.seal_batch(officer(world), batch.id, ["5001", "2001"], witnesses())
        elif setup == "other station":  # an officer granted both stations still keeps batches apart
            add_staff(as_staff(world, "1"), "6003", "Lou Both", "property", "TW", "600306", ["PK"])
            destruction.add_to_batch(replace(world, staff="6003", pin="600306", station=None), batch.id, [f"{pk}/1"])
        elif setup == "twice":
            destruction.add_to_batch(officer(world), batch.id, [f"{tw}/1"])
            destruction.add_to_batch(officer(world), batch.id, [f"{tw}/1"])
        else:
            custody.record_check(officer(world), "TW-COUNTER", [f"{tw}/2"])
            destruction.add_to_batch(officer(world), batch.id, [f"{tw}/1"])


def test_the_certificate_is_a_pdf_of_every_tag_for_a_sealed_batch_only(world, tmp_path):
    pytest.importorskip("reportlab")
    from surrender.destruction_pdf import write_certificate

    reference = logged(world, f"{KNIFE}:qty=2", MACHETE)
    batch = destruction.open_batch(officer(world), "incineration", "Eastern Metals Ltd")
    destruction.add_to_batch(officer(world), batch.id, [f"{reference}/1", f"{reference}/3"])
    with pytest.raises(Refused, match="not sealed yet"):
        destruction.batch_detail(officer(world), batch.id, sealed_only=True)
    destruction.seal_batch(officer(world), batch.id, ["5001", "2001"], witnesses())
    detail = destruction.batch_detail(as_staff(world, "5001"), batch.id, sealed_only=True)
    assert [(k.kind, k.weapons) for k in detail.by_kind] == [("zombie-knife", 1), ("zombie-machete", 1)]
    path = write_certificate(detail, tmp_path / "cert.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and (path.stat().st_mode & 0o777) == 0o600
    assert detail.anchor.startswith("surrender-anchor force=CAMBS events=")
    with pytest.raises(Refused, match="exists already"):
        write_certificate(detail, path)


# --- the manager's decisions and roles --------------------------------------------------------------

def test_only_a_manager_marks_never_received_or_retains_and_only_at_their_stations(world):
    reference = logged(world, f"{KNIFE}:qty=2")
    with pytest.raises(Forbidden, match="needs the manager role"):
        custody.never_received(officer(world), [f"{reference}/1"], "never came")
    kept = custody.retain(as_staff(world, "5001"), [f"{reference}/1"], "ACC 24/117: training collection")
    assert (kept[0].state, kept[0].location, kept[0].note) == ("retained", "TW-COUNTER",
                                                               "ACC 24/117: training collection")
    with pytest.raises(Refused, match="retained with authority already"):
        custody.never_received(as_staff(world, "5001"), [f"{reference}/1"], "x")
    pk = logged(world, KNIFE, station="PK", staff="3001")
    with pytest.raises(Refused, match="no such tag at TW"):
        custody.never_received(as_staff(world, "5001"), [f"{pk}/1"], "x")


def test_finance_and_desk_cannot_destroy_or_report_custody(world):
    for number in ("4001", "2001"):
        with pytest.raises(Forbidden):
            destruction.open_batch(as_staff(world, number), "x", "y")
        with pytest.raises(Forbidden):
            custody_report(as_staff(world, number))


# --- the reconciliation -----------------------------------------------------------------------------

def test_the_report_reconciles_each_station_and_lists_every_exception_by_tag(world, clock):
    tw = logged(world, f"{KNIFE}:qty=4")
    pk = logged(world, f"{KNIFE}:qty=2", station="PK", staff="3001")
    custody.move_tags(officer(world), [f"{tw}/1", f"{tw}/2", f"{tw}/3"], "TW-STORE")
    destroyed_batch(world, f"{tw}/1")
    custody.retain(as_staff(world, "5001"), [f"{tw}/2"], "ACC 24/117")
    later(world, clock, 3)  # the fourth TW knife and both PK knives sat at the counter past 2 days
    report = custody_report(as_staff(world, "5001"))
    lines = {line.station: line.tally for line in report.lines}
    assert (lines["TW"].received, lines["TW"].held, lines["TW"].destroyed, lines["TW"].retained,
            lines["TW"].unaccounted) == (4, 2, 1, 1, 0)
    assert (lines["PK"].received, lines["PK"].held) == (2, 2)
    assert report.total.received == 6 and report.unaccounted == 0
    assert [(e.problem, e.exhibit.tag, e.limit_days) for e in report.exceptions] == [
        ("overdue", f"{pk}/1", 2), ("overdue", f"{pk}/2", 2), ("overdue", f"{tw}/4", 2)]
    only_tw = custody_report(officer(world))  # a TW store officer reads TW only
    assert [line.station for line in only_tw.lines] == ["TW"]
    with pytest.raises(Refused, match="reads custody at TW only"):
        custody_report(officer(world), "PK")
    clock.now = dt.datetime(2025, 4, 1, 9, 0, tzinfo=LONDON)  # past zombie-2024's destruction date
    late = custody_report(as_staff(world, "5001"), "TW")
    assert [(e.problem, e.exhibit.tag) for e in late.exceptions] == [  # each problem of each tag
        ("past destruction date", f"{tw}/3"), ("overdue", f"{tw}/4"), ("past destruction date", f"{tw}/4")]


# --- tampering --------------------------------------------------------------------------------------

@pytest.mark.parametrize("edit", [
    "UPDATE exhibit SET location_id = (SELECT id FROM location WHERE code = 'TW-COUNTER') WHERE tag LIKE '%/1'",
    "UPDATE exhibit SET state = 'destroyed', location_id = NULL WHERE tag LIKE '%/2'",
    "DELETE FROM custody_event WHERE id = (SELECT max(id) FROM custody_event)",
    "UPDATE destruction_batch SET witness_2 = (SELECT id FROM staff WHERE number = '4001')",
    "UPDATE exhibit SET quantity = 0 WHERE tag LIKE '%/3'",
])
def test_a_custody_record_changed_behind_the_tools_back_is_caught_by_audit_verify(world, edit):
    reference = logged(world, f"{KNIFE}:qty=3")
    custody.move_tags(officer(world), [f"{reference}/1", f"{reference}/2"], "TW-STORE")
    destroyed_batch(world, f"{reference}/1")
    assert verify(as_staff(world, "5001")).problem is None
    db.run(world.url, lambda s: s.execute(text(edit)))
    problem = verify(as_staff(world, "5001")).problem
    assert problem is not None
    assert (f"exhibits.all of surrender {reference} differs" in problem) or ("destruction batch 1 differs" in problem)


def test_not_found_and_bad_tags_are_one_line_refusals(world):
    with pytest.raises(NotFound, match="no tag TW-Z24-000017-7/1 at TW"):
        custody.where(officer(world), "TW-Z24-000017-7/1")
    with pytest.raises(Refused, match="is not a tag"):
        custody.where(officer(world), "no such thing")
    with pytest.raises(NotFound, match="no destruction batch 42"):
        destruction.confirm_batch(officer(world), "42", "X")
