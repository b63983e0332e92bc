"""Totals for managers (SPEC 5 `report totals`), on SQLite and PostgreSQL.

One realistic fortnight at both stations (plus a few ninja-2025 surrenders) is logged once per
backend; every grouping and filter is then checked against totals this test computes itself
from what it logged: the scheme's money rules applied by hand, void surrenders left out,
rejected and not-payable claims adding nothing to payable, weeks starting on Monday (local).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

import pytest

from surrender.errors import Refused
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.claims import approve_claim, reject_claim
from surrender.services.context import Context
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.reports import totals
from surrender.services.staff import update_staff
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import LONDON, PINS

# --- a hand model of the money rules ----------------------------------------------------------

SCHEMES = {  # standard pence, minimum claim total, spec of an eligible / ineligible item per kind
    "zombie-2024": (1000, 3000, {
        "zombie-knife": ("zombie-knife:10in:plain:point:serrated=3in", "zombie-knife:6in:plain:point:serrated=3in"),
        "zombie-machete": ("zombie-machete:18in:plain:point:holes=3", "zombie-machete:18in:plain:point"),
    }),
    "ninja-2025": (500, None, {
        "ninja-sword": ("ninja-sword:20in:plain:secondary:spine:tanto", "ninja-sword:30in:plain:secondary:spine:tanto"),
    }),
}
ACCEPTED = {"receipt", "invoice", "bank-statement"}
UNPAID = {"rejected", "not_payable"}


@dataclass(frozen=True)
class Line:
    kind: str
    qty: int = 1
    value: int | None = None  # claimed pence per item
    evidence: str | None = None
    eligible: bool = True

    def spec(self, campaign: str) -> str:
        base = SCHEMES[campaign][2][self.kind][0 if self.eligible else 1]
        extra = f":qty={self.qty}"
        if self.value is not None:
            extra += f":value={self.value // 100}.{self.value % 100:02d}"
        if self.evidence:
            extra += f":evidence={self.evidence}"
        return base + extra


@dataclass
class Logged:
    reference: str
    campaign: str
    station: str
    at: dt.datetime  # local
    lines: list[Line]
    claiming: bool
    status: str | None = None  # None: no claim
    void: bool = False
    unit: dict[Line, tuple[int, int]] = field(default_factory=dict)  # line -> (claimed, compensation) per item

    @property
    def day(self) -> dt.date:
        return self.at.astimezone(LONDON).date()

    @property
    def week(self) -> dt.date:
        return self.day - dt.timedelta(days=self.day.weekday())

    @property
    def claimed(self) -> int:
        return sum(self.unit[line][0] * line.qty for line in self.lines)

    @property
    def payable(self) -> int:
        return 0 if self.status in UNPAID or self.status is None else self.compensation

    @property
    def compensation(self) -> int:
        return sum(self.unit[line][1] * line.qty for line in self.lines)


def assess(campaign: str, lines: list[Line], claiming: bool) -> tuple[dict[Line, tuple[int, int]], str | None]:
    """What each item claims and earns, and the claim's starting status, by the scheme's rules."""
    standard, minimum, _ = SCHEMES[campaign]
    unit = {}
    for line in lines:
        asked = line.value if line.value is not None else standard
        earns = max(asked, standard) if line.evidence in ACCEPTED else standard
        unit[line] = (asked if claiming else 0, earns if claiming and line.eligible else 0)
    if not claiming:
        return unit, None
    total = sum(unit[line][1] * line.qty for line in lines)
    ok = any(line.eligible for line in lines) and (minimum is None or total >= minimum)
    return unit, "pending" if ok else "not_payable"


# --- the data set, logged once per backend -------------------------------------------------------

def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


K, M, N = "zombie-knife", "zombie-machete", "ninja-sword"
Z24, N25 = "zombie-2024", "ninja-2025"
PLAN = [  # key, campaign, station, local time, lines, claiming, what happens next
    ("first-day", Z24, "TW", "2024-08-26 09:00", [Line(K, 3)], True, "paid"),
    ("sunday-night", Z24, "TW", "2024-09-01 23:30", [Line(K, 4)], True, None),
    ("monday-small-hours", Z24, "TW", "2024-09-02 00:30", [Line(M, 2), Line(K)], True, "exported"),
    ("rejected", Z24, "PK", "2024-09-02 12:00", [Line(K, 5)], True, "rejected"),
    ("two-knives", Z24, "PK", "2024-09-03 10:00", [Line(K, 2)], True, None),
    ("anonymous", Z24, "PK", "2024-09-08 23:59", [Line(M, 3)], False, "anonymous"),
    ("no-claim", Z24, "TW", "2024-09-09 00:30", [Line(K, 2)], False, None),
    ("flagged", Z24, "TW", "2024-09-09 10:00", [Line(K, 1, 15000, "receipt"), Line(M, 2)], True, "approved"),
    ("void-approved", Z24, "PK", "2024-09-10 11:00", [Line(K, 6)], True, "void-approved"),
    ("under-minimum", Z24, "TW", "2024-09-15 15:00", [Line(K, 2), Line(K, eligible=False)], True, None),
    ("one-ineligible", Z24, "PK", "2024-09-16 09:00", [Line(K, 3), Line(M, eligible=False)], True, "exported"),
    ("valued", Z24, "PK", "2024-09-23 23:59",
     [Line(K, 1, 4550, "receipt"), Line(K, 1, 2000), Line(M, 1, 9000, "other"), Line(K)], True, None),
    ("void-pending", Z24, "TW", "2024-09-20 12:00", [Line(K, 3)], True, "void"),
    ("ninja", N25, "TW", "2025-07-01 10:00", [Line(N, 2)], True, None),
    ("ninja-long", N25, "PK", "2025-07-07 10:00", [Line(N, eligible=False)], True, None),
    ("ninja-valued", N25, "PK", "2025-07-31 21:00", [Line(N, 1, 2500, "invoice")], True, "rejected"),
]


def populate(url: str, tmp) -> dict[str, Logged]:
    desk = {"TW": "2001", "PK": "3001"}
    logged: dict[str, Logged] = {}
    contexts = {}
    for campaign, now in ((Z24, at("2024-09-23 23:59:30")), (N25, at("2025-07-31 23:00"))):
        contexts[campaign] = Context(url=url, campaign=campaign, receipts_dir=tmp / "receipts", now=lambda now=now: now)
    finance = replace(contexts[Z24], staff="4001", pin=PINS["4001"])
    manager = replace(contexts[Z24], staff="5001", pin=PINS["5001"])
    for number, (key, campaign, station, when, lines, claiming, _) in enumerate(PLAN):
        anonymous = not claiming and key == "anonymous"
        ctx = replace(contexts[campaign], staff=desk[station], pin=PINS[desk[station]], station=station)
        # A claimant and an account of their own each: one person at both stations, or one account
        # on two people's claims, would be flagged for a manager (issue 17's patterns).
        person = None if anonymous else make_claimant(f"Claimant {number}", "1 High Street", "CB1 1JG",
                                                      sort_code="12-34-56", account_number=f"{12345678 + number}")
        request = LogRequest(items=[item_from_spec(line.spec(campaign)) for line in lines], at=at(when),
                             anonymous=anonymous, no_claim=not claiming and not anonymous, claimant=person,
                             declared=claiming)
        view = log_surrender(ctx, request)
        unit, status = assess(campaign, lines, claiming)
        logged[key] = Logged(view.reference, campaign, station, at(when), lines, claiming, status, unit=unit)
        assert (view.claim.status if view.claim else None) == status, key  # the hand model agrees
        assert (view.claim.claimed_pence if view.claim else 0) == logged[key].claimed, key
    fates = {key: fate for key, *_, fate in PLAN}
    # The TW manager voids at both stations, as an admin allowed.
    update_staff(replace(contexts[Z24], staff="1", pin=PINS["1"]), "5001", stations=["PK"])
    for key, item in logged.items():
        if fates[key] in ("paid", "exported", "void-approved"):
            approve_claim(finance, item.reference)
            item.status = "approved"
        if fates[key] == "rejected":
            reject_claim(finance, item.reference, "not the owner")
            item.status = "rejected"
        if fates[key] in ("void", "void-approved"):
            void_surrender(manager, item.reference, "logged twice")
            item.void = True
    exported = [k for k, f in fates.items() if f in ("paid", "exported")]
    result = export_claims(finance, tmp / "batch.csv")
    assert sorted(r.reference for r in result.rows) == sorted(logged[k].reference for k in exported)
    for key in exported:
        logged[key].status = "exported"
    paid = logged["first-day"]
    remittance = tmp / "remit.csv"
    with open(remittance, "w", newline="") as handle:
        csv.writer(handle).writerows([("reference", "amount"), (paid.reference, money(paid.compensation))])
    mark_paid(finance, remittance)
    paid.status = "paid"
    # The flagged claim is signed off and approved after the export: approved, waiting for the next batch.
    approve_claim(manager, logged["flagged"].reference)
    approve_claim(finance, logged["flagged"].reference)
    logged["flagged"].status = "approved"
    return logged


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """The data set on a database of its own, shared by the read-only tests in this module."""
    from tests.conftest import copied_database

    tmp = tmp_path_factory.mktemp("reports")
    with copied_database(request.param, request, tmp) as url:
        yield url, populate(url, tmp)


def reader(url: str) -> Context:
    return Context(url=url, staff="5001", pin=PINS["5001"])


# --- expected totals, computed here ---------------------------------------------------------------

def expected_rows(logged: dict[str, Logged], by: list[str], date_from=None, date_to=None, campaign=None):
    keep = [s for s in logged.values() if not s.void and (campaign is None or s.campaign == campaign)
            and (date_from is None or s.day >= date_from) and (date_to is None or s.day <= date_to)]
    groups: dict[tuple, dict] = defaultdict(lambda: {"surrenders": set(), "items": 0, "claims": set(),
                                                     "claimed": 0, "payable": 0})

    def key_of(s: Logged, kind: str | None) -> tuple:
        values = {"station": s.station, "day": s.day, "week": s.week,
                  "status": s.status or "no_claim", "kind": kind}
        return tuple(values[b] for b in by)

    for s in keep:
        paying = s.status is not None and s.status not in UNPAID
        for line in s.lines:
            row = groups[key_of(s, line.kind)]
            row["surrenders"].add(s.reference)
            row["items"] += line.qty
            claimed, earns = s.unit[line]
            if s.status is not None:
                row["claims"].add(s.reference)
                row["claimed"] += claimed * line.qty
                row["payable"] += earns * line.qty if paying else 0
    counts = ("surrenders_with_kind", "claims_with_kind") if "kind" in by else ("surrenders", "claims")
    return {key: {counts[0]: len(v["surrenders"]), "items": v["items"], counts[1]: len(v["claims"]),
                  "claimed": v["claimed"], "payable": v["payable"]} for key, v in groups.items()}


def money(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


GROUPINGS = [
    [], ["station"], ["day"], ["week"], ["kind"], ["status"],
    ["station", "day"], ["station", "week"], ["station", "kind"], ["station", "status"], ["status", "station"],
    ["week", "kind"], ["kind", "status"], ["day", "status"], ["station", "week", "kind", "status"],
]
D = dt.date.fromisoformat
FILTERS = {
    "everything": (None, None, None),
    "from 2 Sep": (D("2024-09-02"), None, None),
    "to 8 Sep": (None, D("2024-09-08"), None),
    "2 to 9 Sep": (D("2024-09-02"), D("2024-09-09"), None),
    "one day": (D("2024-09-09"), D("2024-09-09"), None),
    "zombie-2024": (None, None, Z24),
    "ninja-2025": (None, None, N25),
    "2025 dates in zombie-2024": (D("2025-01-01"), None, Z24),
}


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
@pytest.mark.parametrize("by", GROUPINGS, ids=lambda by: "+".join(by) or "no-grouping")
def test_totals_match_what_was_logged_for_every_grouping_and_filter(world, by, filters):
    url, logged = world
    date_from, date_to, campaign = filters
    result = totals(reader(url), by, date_from, date_to, campaign)
    expected = expected_rows(logged, by, date_from, date_to, campaign)
    got = {tuple(row[b] for b in by): {k: row[k] for k in result.measures} for row in result.rows}
    if not by and not expected:  # no grouping: always one row, of zeros when nothing matches
        expected = {(): {"surrenders": 0, "items": 0, "claims": 0, "claimed": 0, "payable": 0}}
    assert got == expected
    assert result.by == tuple(by)
    assert [tuple(row[b] for b in by) for row in result.rows] == sorted(got)  # ordered by the groups
    assert all(list(row) == [*by, *result.measures] for row in result.rows)


@pytest.mark.parametrize("by", GROUPINGS[1:], ids=lambda by: "+".join(by))
def test_the_totals_row_is_the_sum_of_the_grouped_rows(world, by):
    url, _ = world
    result = totals(reader(url), by)
    additive = [m for m in result.measures if m in result.total]  # by kind: the counts are "with kind"
    assert additive == (["items", "claimed", "payable"] if "kind" in by else
                        ["surrenders", "items", "claims", "claimed", "payable"])
    for measure in additive:
        parts = [row[measure] for row in result.rows]
        whole = result.total[measure]
        assert sum(parts) == whole, measure
    assert result.total == totals(reader(url), []).rows[0]


def test_void_surrenders_are_left_out_and_rejected_claims_add_nothing_to_payable(world):
    url, logged = world
    by_status = {row["status"]: row for row in totals(reader(url), ["status"]).rows}
    rejected = [s for s in logged.values() if s.status == "rejected" and not s.void]
    assert by_status["rejected"]["claims"] == len(rejected) == 2
    assert by_status["rejected"]["payable"] == 0
    assert by_status["rejected"]["claimed"] == sum(s.claimed for s in rejected) > 0
    assert by_status["not_payable"]["payable"] == 0
    everything = totals(reader(url), []).total
    voids = [s for s in logged.values() if s.void]
    assert len(voids) == 2 and everything["surrenders"] == len(logged) - len(voids)
    assert everything["items"] == sum(line.qty for s in logged.values() if not s.void for line in s.lines)


def test_weeks_start_on_monday_by_local_date(world):
    url, logged = world
    weeks = [row["week"] for row in totals(reader(url), ["week"]).rows]
    assert weeks and all(w.weekday() == 0 for w in weeks)
    assert D("2024-08-26").weekday() == 0  # the window opened on a Monday
    # 23:30 on Sunday 1 Sep (BST) is Sunday in London: the week of Monday 26 Aug.
    sunday = totals(reader(url), ["week", "day"], D("2024-09-01"), D("2024-09-01")).rows
    assert [(r["week"], r["day"], r["surrenders"]) for r in sunday] == [(D("2024-08-26"), D("2024-09-01"), 1)]
    # 00:30 on Monday 2 Sep (BST) is still Sunday 1 Sep in UTC, but Monday in London: a new week.
    monday = totals(reader(url), ["week", "day", "station"], D("2024-09-02"), D("2024-09-02")).rows
    assert [(r["week"], r["day"], r["station"]) for r in monday] == [(D("2024-09-02"), D("2024-09-02"), "PK"),
                                                                      (D("2024-09-02"), D("2024-09-02"), "TW")]
    assert logged["monday-small-hours"].at.astimezone(dt.timezone.utc).date() == D("2024-09-01")


def test_a_grouping_repeated_counts_once(world):
    url, _ = world
    assert totals(reader(url), ["station", "station"]).rows == totals(reader(url), ["station"]).rows
    assert totals(reader(url), ["station", "station"]).by == ("station",)


@pytest.mark.parametrize("by, date_from, date_to, message", [
    (["county"], None, None, "cannot group by county; use station, day, week, kind, status"),
    (["station", "colour"], None, None, "cannot group by colour"),
    ([], D("2024-09-10"), D("2024-09-01"), "--from is after --to"),
])
def test_impossible_reports_are_refused_before_touching_the_database(tmp_path, by, date_from, date_to, message):
    nowhere = Context(url=f"sqlite:///{tmp_path / 'never-created.db'}", staff="5001", pin=PINS["5001"])
    with pytest.raises(Refused, match=message):
        totals(nowhere, by, date_from, date_to)
    assert not (tmp_path / "never-created.db").exists()


def test_voiding_or_rejecting_moves_the_totals_by_exactly_that_claim(ctx, tmp_path):
    manager = replace(ctx, staff="5001", pin=PINS["5001"])
    finance = replace(ctx, staff="4001", pin=PINS["4001"])
    knife = "zombie-knife:10in:plain:point:serrated=3in"
    person = make_claimant("Jane Smith", "1 High Street", "CB1 1JG", sort_code="12-34-56", account_number="12345678")

    def log(qty):
        return log_surrender(ctx, LogRequest(items=[item_from_spec(f"{knife}:qty={qty}")], claimant=person,
                                             declared=True)).reference

    keep, doomed, refused = log(3), log(4), log(5)
    start = totals(manager, []).total
    assert start == {"surrenders": 3, "items": 12, "claims": 3, "claimed": 12000, "payable": 12000}
    void_surrender(manager, doomed, "logged twice")
    assert totals(manager, []).total == {"surrenders": 2, "items": 8, "claims": 2, "claimed": 8000,
                                         "payable": 8000}
    reject_claim(finance, refused, "not the owner")
    assert totals(manager, []).total == {"surrenders": 2, "items": 8, "claims": 2, "claimed": 8000,
                                         "payable": 3000}
    by_status = {r["status"]: r["payable"] for r in totals(manager, ["status"]).rows}
    assert by_status == {"pending": 3000, "rejected": 0}
    assert keep


def test_a_campaign_never_used_here_is_refused_rather_than_reported_as_zero(ctx):
    from tests.conftest import as_staff

    with pytest.raises(Refused, match="no campaign 'zombie-2099'"):
        totals(as_staff(ctx, "5001"), ["station"], campaign="zombie-2099")


# --- every grouping adds up, checked against the raw rows -----------------------------------------

def raw_rows(url: str) -> tuple[list, list]:
    """Live surrenders with their claim, and every item line with its claim status, read with
    plain SQL (no service code): the independent source for the sums below."""
    from sqlalchemy import text

    from surrender import db

    def read(session):
        surrenders = session.execute(text(
            "SELECT s.id, s.item_count, c.id AS claim, c.status, c.claimed_pence, c.payable_pence "
            "FROM surrender s LEFT JOIN claim c ON c.surrender_id = s.id WHERE s.voided_at IS NULL")).all()
        lines = session.execute(text(
            "SELECT l.kind, l.quantity, l.claimed_pence, l.compensation_pence, c.status "
            "FROM item_line l JOIN surrender s ON s.id = l.surrender_id "
            "LEFT JOIN claim c ON c.surrender_id = s.id WHERE s.voided_at IS NULL")).all()
        return surrenders, lines
    return db.run(url, read, write=False)


@pytest.mark.parametrize("by", GROUPINGS, ids=lambda by: "+".join(by) or "no-grouping")
def test_every_grouping_adds_up_to_a_total_equal_to_the_database(world, by):
    url, _ = world
    surrenders, lines = raw_rows(url)
    claims = [s for s in surrenders if s.claim is not None]
    whole = {
        "surrenders": len(surrenders), "items": sum(s.item_count for s in surrenders), "claims": len(claims),
        "claimed": sum(c.claimed_pence for c in claims),
        "payable": sum(c.payable_pence for c in claims if c.status not in UNPAID),
    }
    assert sum(line.quantity for line in lines) == whole["items"]  # lines and surrenders agree
    result = totals(reader(url), by)
    assert result.total == whole
    for measure in (m for m in result.measures if m in whole):
        parts = [row[measure] for row in result.rows]
        assert sum(parts) == whole[measure], measure
    if by == ["kind"]:  # each kind's row holds exactly the items and money of that kind
        for row in result.rows:
            mine = [line for line in lines if line.kind == row["kind"]]
            assert row["items"] == sum(line.quantity for line in mine)
            assert row["claimed"] == sum(line.claimed_pence for line in mine if line.status is not None)
            assert row["payable"] == sum(line.compensation_pence for line in mine
                                         if line.status is not None and line.status not in UNPAID)
        assert sum(row["surrenders_with_kind"] for row in result.rows) > whole["surrenders"]  # the data has mixes
