"""A campaign's worth of work at both stations, done through the real service layer.

Deterministic (seeded): the same database every run. Desk officers log the public's knives and
machetes day by day (some anonymous, a few retailers' stock, some claims without bank details);
managers sign off flagged claims and void a mistake; finance approves, rejects one claim,
exports two batches and marks the first paid from a remittance file.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from surrender.demo_custody import run_custody
from surrender.errors import Refused
from surrender.rules.claimant import ClaimantDetails, make_claimant
from surrender.rules.items import item_from_spec
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.modulus import next_valid_account
from surrender.services.context import Context
from surrender.services.intake import LogRequest

LONDON = ZoneInfo("Europe/London")
OPENS, CLOSES = dt.date(2024, 8, 26), dt.date(2024, 9, 23)  # the zombie-2024 window
WINDOW_DAYS = (CLOSES - OPENS).days + 1

STAFF = [  # number, name, role, station, PIN (6 digits for everyone)
    ("1", "Alex Admin", "admin", None, "100124"),
    ("2041", "PC Sam Patel", "desk", "TW", "204124"),
    ("2057", "PC Kim Osei", "desk", "TW", "205724"),
    ("3187", "PC Jo Green", "desk", "PK", "318724"),
    ("3192", "PC Ali Hassan", "desk", "PK", "319224"),
    ("4410", "Dana Fisher", "finance", None, "441024"),
    ("4420", "Sam Okafor", "finance", None, "442024"),  # four eyes: pays out what 4410 completed
    ("5023", "Insp Morgan Lee", "manager", "TW", "502324"),
    ("5031", "Insp Ruth Carter", "manager", "PK", "503124"),
    ("6101", "PC Lee Warren", "property", "TW", "610124"),  # store officers: custody and destruction
    ("6201", "PC Nat Price", "property", "PK", "620124"),
]
PINS = {number: pin for number, _, _, _, pin in STAFF}
DESKS = {"TW": ("2041", "2057"), "PK": ("3187", "3192")}
MANAGERS = {"TW": "5023", "PK": "5031"}
FINANCE = "4410"

ELIGIBLE = [
    "zombie-knife:10in:plain:point:serrated=3in:desc=black serrated survival knife",
    "zombie-knife:9.5in:plain:point:holes=3:desc=skull-handled knife",
    "zombie-knife:11in:plain:point:spikes:desc=knuckle-guard knife",
    "zombie-machete:18in:plain:point:spikes:desc=spiked machete",
    "zombie-machete:45cm:plain:point:points=3:desc=triple-tip machete",
    "zombie-knife:24cm:plain:point:serrated=1.5in:at-handle:holes=2:desc=green hunting knife",
]
INELIGIBLE = [
    "zombie-knife:8in:plain:point:serrated=4in:desc=8 inch blade - not over 8 inches",
    "zombie-knife:7in:plain:point:desc=kitchen knife",
    "zombie-machete:16in:plain:point:desc=garden machete",
]
FIRST = [
    "Jane",
    "Tom",
    "Priya",
    "Dan",
    "Amy",
    "Lee",
    "Chloe",
    "Sean",
    "Fatima",
    "Gary",
    "Hannah",
    "Kwame",
    "Laura",
    "Marek",
    "Nina",
    "Owen",
    "Rosa",
    "Steve",
    "Tariq",
    "Zoe",
]
LAST = [
    "Smith",
    "Okafor",
    "Shah",
    "Kowalski",
    "Brown",
    "Walker",
    "Martin",
    "Murphy",
    "Ali",
    "Evans",
    "Nowak",
    "Clarke",
    "Mensah",
    "Wright",
    "Hughes",
    "Patel",
    "Turner",
    "Byrne",
]
STREETS = {
    "TW": (
        "Peterborough",
        ["Lincoln Road", "Oundle Road", "Park Road", "Bourges Boulevard", "Eastfield Road", "Thorpe Road"],
        ["PE1 2RR", "PE2 9PB", "PE1 2UX", "PE1 1NG", "PE1 5RJ", "PE3 6AB"],
    ),
    "PK": (
        "Cambridge",
        ["Mill Road", "Hills Road", "Histon Road", "Tenison Road", "Mawson Road", "Newmarket Road"],
        ["CB1 2AD", "CB2 1NW", "CB4 3JD", "CB1 2DG", "CB1 2EA", "CB5 8HA"],
    ),
}
Retailer = tuple[int, str, str, str, str, list[tuple[str, int]]]
RETAILERS: list[Retailer] = [  # day index, station, business, address, postcode, stock lines (spec, quantity)
    (
        7,
        "PK",
        "Cam Valley Camping Ltd",
        "4 Cromwell Road, Cambridge",
        "CB1 3EB",
        [
            ("zombie-knife:10in:plain:point:serrated=3in:desc=SK-10 survival knife", 84),
            ("zombie-machete:18in:plain:point:spikes:desc=MX-18 spiked machete", 36),
        ],
    ),
    (
        15,
        "TW",
        "Fenland Outdoor Supplies Ltd",
        "Unit 7, Boongate, Peterborough",
        "PE1 5QS",
        [
            ("zombie-knife:9.5in:plain:point:holes=3:desc=Z-95 skull knife", 140),
            ("zombie-knife:11in:plain:point:spikes:desc=KG-11 knuckle knife", 60),
            ("zombie-machete:45cm:plain:point:points=3:desc=TT-45 triple-tip machete", 40),
        ],
    ),
    (
        24,
        "TW",
        "Bladeworks Wholesale (Peterborough) Ltd",
        "Units 2-3, Fengate, Peterborough",
        "PE1 5XG",
        [
            ("zombie-knife:10in:plain:point:serrated=3in:desc=SK-10 survival knife", 300),
            ("zombie-machete:18in:plain:point:spikes:desc=MX-18 spiked machete", 120),
            ("zombie-knife:7in:plain:point:desc=kitchen knife (not a zombie knife)", 24),
        ],
    ),
]
BATCH_DAYS = (11, 25)  # Fri 6 Sep and Fri 20 Sep: finance exports
REMITTANCE_DAY = 16  # Wed 11 Sep: the bank's remittance for batch 1
REJECT_DAY, VOID_DAY = 9, 17  # Wed 4 Sep, Thu 12 Sep
NO_BANK_DETAILS = 0.5  # a named claim's roll that leaves the bank details for finance to complete


@dataclass
class Outcome:
    """What the demo made, for the caller to print."""

    logged: int = 0
    references: list[str] = field(default_factory=list)
    exports: list[Path] = field(default_factory=list)
    remittance: Path | None = None
    awaiting_manager: list[str] = field(default_factory=list)  # flagged claims no manager has signed off
    notes: list[str] = field(default_factory=list)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(OPENS + dt.timedelta(days=day), dt.time(hour, minute), LONDON)


def as_staff(ctx: Context, number: str, when: dt.datetime, station: str | None = None) -> Context:
    return replace(ctx, staff=number, pin=PINS[number], station=station, now=lambda: when)


def run_demo(
    ctx: Context,
    folder: Path,
    days: int = WINDOW_DAYS,
    say: Callable[[str], None] = print,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Set up staff, then work through `days` days of the window; returns what was made."""
    from surrender.services.staff import add_staff

    if not 1 <= days <= WINDOW_DAYS:
        raise Refused(f"--days must be 1 to {WINDOW_DAYS} (the zombie-2024 window, 26 Aug to 23 Sep 2024)")
    start = at(0, 8)
    admin = as_staff(ctx, "1", start)
    for number, name, role, station, pin in STAFF:
        add_staff(admin, number, name, role, station, pin)
    outcome = Outcome()
    campaign = _Campaign(ctx, folder, outcome, random.Random(2024), last_day=days - 1)
    # Every as_staff context shares this one's signed_in set, so each of the eight demo
    # members' PINs is checked against its slow hash once per run, not once per action.
    for day in range(days):
        campaign.day(day)
        if progress:
            progress(day + 1, days)
    outcome.awaiting_manager.extend(campaign.left_for_manager)
    for _, reference, _ in campaign.flagged:
        outcome.awaiting_manager.append(reference)
    run_custody(ctx, folder, PINS, MANAGERS, outcome)  # every weapon to the store, then destroyed in witnessed batches
    return outcome


class _Campaign:
    """One day at a time: the desks first, then managers and finance in the afternoon."""

    def __init__(self, ctx: Context, folder: Path, outcome: Outcome, rng: random.Random, last_day: int):
        self.ctx, self.folder, self.outcome, self.rng, self.last_day = ctx, folder, outcome, rng, last_day
        self.flagged: list[tuple[int, str, str]] = []  # (day logged, reference, station)
        self.claims: list[tuple[int, str, bool]] = []  # (day logged, reference, has bank details)
        self.left_for_manager: list[str] = []  # flagged, never signed off by the demo's managers
        self.receipts = ctx.receipts_dir

    # --- the desks ---------------------------------------------------------------------------

    def day(self, day: int) -> None:
        for station in ("TW", "PK"):
            self._desk(day, station)
        self._managers(day)
        self._finance(day)

    def _visitors(self, day: int, station: str) -> int:
        """Slow at first, busier once the news spreads, a rush in the last three days."""
        base = 3 if day < 5 else 5 if day < WINDOW_DAYS - 3 else 11
        weekend = (OPENS + dt.timedelta(days=day)).weekday() >= 5
        return max(1, base + self.rng.randint(-2, 3) + (1 if station == "TW" else 0) - (2 if weekend else 0))

    def _desk(self, day: int, station: str) -> None:
        count = self._visitors(day, station)
        minutes = sorted(self.rng.sample(range(9 * 60, 17 * 60), count))
        retailer = [r for r in RETAILERS if r[0] == day and r[1] == station]
        for index, minute in enumerate(minutes):
            when = at(day, minute // 60, minute % 60)
            officer = DESKS[station][index % 2]
            if retailer and index == len(minutes) // 2:
                self._log(day, station, officer, when, self._retailer(retailer[0]))
                continue
            roll = self.rng.random()
            specs = self._public_items()
            tour_case = day == 0 and index == 0  # the README's tours use these two, on a demo of any length
            if tour_case and station == "TW":  # a £150 knife with a receipt, left for a manager to sign off
                roll, specs[0] = 1.0, specs[0].split(":value=")[0] + ":value=150:evidence=receipt"
            if tour_case and station == "PK":  # three knives, £30, logged without bank details
                roll, specs = NO_BANK_DETAILS, [ELIGIBLE[0], ELIGIBLE[1], ELIGIBLE[2]]
            items = [item_from_spec(s) for s in specs]
            if roll < 0.08:
                self._log(day, station, officer, when, LogRequest(items=items, anonymous=True))
            elif roll < 0.11:
                self._log(
                    day,
                    station,
                    officer,
                    when,
                    LogRequest(items=items, no_claim=True, claimant=self._person(station, bank=False)),
                )
            else:
                bank = (self.rng.random() > 0.12 or roll == 1.0) and roll != NO_BANK_DETAILS
                self._log(
                    day,
                    station,
                    officer,
                    when,
                    LogRequest(items=items, claimant=self._person(station, bank), declared=True),
                )

    def _public_items(self) -> list[str]:
        """1-6 knives or machetes: mostly meeting the definition, now and then one with a receipt."""
        count = self.rng.choices(range(1, 7), weights=[8, 10, 30, 24, 15, 13])[0]
        specs = [self.rng.choice(ELIGIBLE if self.rng.random() < 0.88 else INELIGIBLE) for _ in range(count)]
        if self.rng.random() < 0.06:
            value, evidence = self.rng.choice(
                [("145", "receipt"), ("65", "receipt"), ("120", "bank-statement"), ("80", "none")]
            )
            specs[0] += f":value={value}:evidence={evidence}"
        return specs

    def _person(self, station: str, bank: bool) -> ClaimantDetails:
        town, streets, postcodes = STREETS[station]
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        address = f"{self.rng.randint(1, 120)} {self.rng.choice(streets)}, {town}"
        sort_code = f"{self.rng.choice([20, 30, 40, 60, 77, 83])}-{self.rng.randint(10, 99)}-{self.rng.randint(10, 99)}"
        account = next_valid_account(
            sort_code, f"{self.rng.randint(10_000_000, 99_999_999)}"
        )  # passes the modulus check
        return make_claimant(
            name,
            address,
            self.rng.choice(postcodes),
            phone=f"07700 900{self.rng.randint(100, 999)}",
            sort_code=sort_code if bank else None,
            account_number=account if bank else None,
        )

    def _retailer(self, retailer: Retailer) -> LogRequest:
        _, _station, business, address, postcode, lines = retailer
        items = [item_from_spec(f"{spec}:qty={quantity}:value=24.99:evidence=invoice") for spec, quantity in lines]
        claimant = make_claimant(
            f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}",
            address,
            postcode,
            business_name=business,
            account_name=business,
            sort_code="40-11-62",
            account_number=next_valid_account("40-11-62", f"{self.rng.randint(10_000_000, 99_999_999)}"),
        )
        return LogRequest(items=items, claimant=claimant, declared=True)

    def _log(self, day: int, station: str, officer: str, when: dt.datetime, request: LogRequest) -> None:
        from surrender.services.receipts import log_with_receipt

        desk = as_staff(self.ctx, officer, when + dt.timedelta(minutes=6), station)
        # Receipts for the first day only: a month of PDFs would take a minute.
        logged = log_with_receipt(desk, request, paper="a4" if day == 0 else None)
        view = logged.view
        if logged.receipt_failed is not None:
            self.outcome.notes.append(f"Saved {view.reference}, but its receipt failed: {logged.receipt_failed}")
        self.outcome.logged += 1
        self.outcome.references.append(view.reference)
        if view.claim is not None and view.claim.status == ClaimStatus.PENDING:
            has_bank = request.claimant is not None and request.claimant.has_bank_details
            if view.claim.flags and day == 0 and station == "TW" and not self.left_for_manager:
                self.left_for_manager.append(view.reference)  # the managers' tour signs this one off
                return
            if view.claim.flags:
                self.flagged.append((day, view.reference, station))
            self.claims.append((day, view.reference, has_bank))

    # --- managers and finance -----------------------------------------------------------------

    def _managers(self, day: int) -> None:
        from surrender.services.claims import approve_claim
        from surrender.services.surrenders import void_surrender

        weekday = (OPENS + dt.timedelta(days=day)).weekday() < 5
        if not weekday:
            return
        for logged, reference, station in list(self.flagged):
            if logged < day:  # signed off the next working day; the last ones are still waiting
                approve_claim(
                    as_staff(self.ctx, MANAGERS[station], at(day, 10, 30)),
                    reference,
                    note="Checked the invoice or receipt against the items",
                )
                self.flagged.remove((logged, reference, station))
        if day == VOID_DAY:
            victim = next(ref for logged, ref, _ in reversed(self.claims) if logged == day - 1)
            station = victim[:2]
            void_surrender(
                as_staff(self.ctx, MANAGERS[station], at(day, 9, 15)),
                victim,
                "Logged twice by mistake: the same bag was entered again",
            )
            self.claims = [c for c in self.claims if c[1] != victim]
            self.outcome.notes.append(f"Voided {victim} (logged twice by mistake).")

    def _finance(self, day: int) -> None:
        from surrender.services.claims import approve_claim, reject_claim

        # A demo shorter than the first batch day still shows finance's whole round on its last
        # day (weekend or not): everything ready is approved at once, exported as batch 1 and
        # paid from a remittance; one ending before the remittance day pays batch 1 then.
        short_round = day == self.last_day and not self.outcome.exports
        last_round = day == self.last_day and self.outcome.remittance is None
        if (OPENS + dt.timedelta(days=day)).weekday() >= 5 and not last_round:
            return
        afternoon = at(day, 17, 30) if short_round else at(day, 15, 0)  # after the day's last surrender
        finance = as_staff(self.ctx, FINANCE, afternoon)
        flagged = {ref for _, ref, _ in self.flagged}
        if day == REJECT_DAY:
            _, reference, _ = next(c for c in self.claims if c[1] not in flagged and c[2])  # not the tours' claim
            reject_claim(finance, reference, "Declaration withdrawn: the claimant bought the knife after 26 Aug 2024")
            self.claims = [c for c in self.claims if c[1] != reference]
            self.outcome.notes.append(f"Rejected {reference} (bought after the cut-off).")
        lag = 0 if short_round else 2
        for claim in list(self.claims):
            logged, reference, has_bank = claim
            if logged <= day - lag and has_bank and reference not in flagged:  # no bank details: wait
                approve_claim(finance, reference)
                self.claims.remove(claim)
        if day in BATCH_DAYS or short_round:
            self._export(afternoon + dt.timedelta(minutes=30))
        paying_day = day in (REMITTANCE_DAY, self.last_day)  # batch 1 is paid by the last day of any demo
        if paying_day and self.outcome.exports and self.outcome.remittance is None:
            self._remittance(afternoon + dt.timedelta(hours=1))

    def _export(self, when: dt.datetime) -> None:
        from surrender.services.export import export_claims

        number = len(self.outcome.exports) + 1
        path = self.folder / f"batch-{number}.csv"
        result = export_claims(as_staff(self.ctx, FINANCE, when), path)
        self.outcome.exports.append(path)
        self.outcome.notes.append(
            f"Exported batch {result.batch}: {result.count} claims, £{result.total_pence / 100:,.2f} -> {path.name}"
        )

    def _remittance(self, when: dt.datetime) -> None:
        from surrender.services.payments import mark_paid

        batch = self.outcome.exports[0]
        path = self.folder / "remittance-batch-1.csv"
        with batch.open(newline="", encoding="utf-8") as source, path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["reference", "amount", "paid_on"])
            for row in csv.DictReader(source):
                writer.writerow([row["reference"], row["amount"], when.date().isoformat()])
        paid = mark_paid(as_staff(self.ctx, FINANCE, when), path)
        self.outcome.remittance = path
        self.outcome.notes.append(
            f"Marked batch 1 paid from {path.name}: {paid.count} claims, £{paid.total_pence / 100:,.2f}"
        )
