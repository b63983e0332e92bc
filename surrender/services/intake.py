"""One intake for a surrender: the request's items read under the campaign, grouped into
distinct lines, each line assessed once.

`log` stores the lines and rows this yields; preview and the desk review read the same lines
without numbering or storing anything. So a verdict, a total or a refusal is worked out one
way, wherever it is shown. A 35,871-row stock list of 40 products costs 40 assessments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from surrender.errors import Refused
from surrender.rules.campaign import Campaign
from surrender.rules.claimant import ClaimantDetails
from surrender.rules.compensation import ClaimAssessment, ItemAssessment, assess_claim, assess_item, check_totals
from surrender.rules.evidence import EvidenceFile
from surrender.rules.features import Features
from surrender.rules.items import Item
from surrender.rules.patterns import LineFacts, item_flags
from surrender.views import LineView

NO_ITEMS = "no items given: use --items FILE.csv or --item KIND:BLADE[:FEATURES]"
_IDENTITY_CACHE = 10_000  # rows found by object identity before hashing (the CSV reader shares them)


@runtime_checkable
class ItemSource(Protocol):
    """Items that can be read only once the campaign is known: `--item` shorthand and CSV
    columns are the campaign's own (items_csv.ItemSpecs, items_csv.ItemsFile)."""

    def items_for(self, features: Features) -> Iterable[Item]: ...


@dataclass
class LogRequest:
    """What the officer asks to log: items (already read, or a source read under the
    campaign), when, and who claims what."""

    items: ItemSource | Iterable[Item]
    at: dt.datetime | None = None
    anonymous: bool = False
    no_claim: bool = False
    claimant: ClaimantDetails | None = None
    declared: bool = False
    evidence: tuple[EvidenceFile, ...] = ()  # read and checked before the transaction

    def items_under(self, campaign: Campaign) -> Iterable[Item]:
        """The items as read under `campaign`'s features."""
        if isinstance(self.items, ItemSource):
            return self.items.items_for(campaign.features)
        return self.items

    @property
    def claiming(self) -> bool:
        return not (self.anonymous or self.no_claim)


def check_request(request: LogRequest) -> None:
    """Shape rules that need no database: who is claiming and whether they declared."""
    if request.anonymous and request.no_claim:
        raise Refused("--anonymous already means no claim: give one of --anonymous or --no-claim")
    if request.anonymous and request.claimant is not None:
        raise Refused("an anonymous surrender takes no claimant details: drop --anonymous or the details")
    if not request.anonymous and request.claimant is None:
        raise Refused("give the claimant's --name, --address and --postcode, or use --anonymous")
    if request.claiming and not request.declared:
        raise Refused(
            "a compensation claim needs the claimant's declaration (--declare); "
            "to take the items without a claim use --no-claim"
        )


@dataclass(eq=False)
class Line:
    """A distinct line: identical rows share it, and its one assessment (`unit`: one item)."""

    number: int  # 1, 2, ... in the order lines are first seen
    first_row: int  # the row (CSV data line or --item) it was first seen on
    item: Item
    unit: ItemAssessment
    rows: int = 0

    @property
    def quantity(self) -> int:
        return self.item.quantity * self.rows

    @property
    def claimed_pence(self) -> int:
        return self.unit.unit_claimed_pence * self.quantity

    @property
    def compensation_pence(self) -> int:
        return self.unit.unit_compensation_pence * self.quantity

    def per_row(self) -> ItemAssessment:
        """The assessment of one of its rows (the row's own quantity)."""
        return replace(self.unit, quantity=self.item.quantity)

    def total(self) -> ItemAssessment:
        """The assessment of all its rows together."""
        return replace(self.unit, quantity=self.quantity)

    def view(self, campaign: Campaign) -> LineView:
        """As `reading.build_view` shows a stored line."""
        item, unit = self.item, self.unit
        return LineView(
            first_line=self.first_row,
            rows=self.rows,
            kind=item.kind,
            kind_label=campaign.kinds[item.kind].label,
            description=item.description,
            blade_length_mm=f"{item.blade_length_mm.normalize():f}",
            quantity=self.quantity,
            eligible=unit.eligible,
            reasons=list(unit.reasons),
            unit_compensation_pence=unit.unit_compensation_pence,
            compensation_pence=self.compensation_pence,
            claimed_value_pence=item.claimed_value_pence,
            evidence=item.evidence,
            seal=item.seal,
            decided_by=campaign.decided_by(item.kind, item.values()) if unit.eligible else [],
        )


class Intake:
    """The builder: rows in, distinct assessed lines out. `rows()` streams (memory grows with
    the distinct lines, not the rows); `read()` takes a whole request at once."""

    def __init__(self, campaign: Campaign, claiming: bool):
        self.campaign, self.claiming = campaign, claiming
        self.lines: list[Line] = []
        self.row_count = 0

    @classmethod
    def read(cls, campaign: Campaign, request: LogRequest) -> Intake:
        """Every row of `request` read and checked (`check`), nothing stored."""
        intake = cls(campaign, request.claiming)
        for _ in intake.rows(request.items_under(campaign)):
            pass
        intake.check()
        return intake

    def rows(self, items: Iterable[Item]) -> Iterator[Line]:
        """Each row's line, in row order; a line is made and assessed when first seen (then
        `line.first_row` is the current row). An unknown kind is refused with its row."""
        # The CSV reader hands back one object per distinct row text, so most rows are found by
        # identity without hashing all their fields; each object is held so its id() stays unique.
        by_object: dict[int, tuple[Item, Line]] = {}
        by_value: dict[Item, Line] = {}
        for line in self.lines:
            by_value[line.item] = line
        row = before = self.row_count
        try:
            for row, item in enumerate(items, before + 1):
                known = by_object.get(id(item))
                if known is not None:
                    line = known[1]
                else:
                    found = by_value.get(item)
                    if found is None:
                        found = by_value[item] = self._new_line(row, item)
                    line = found
                    if len(by_object) < _IDENTITY_CACHE:
                        by_object[id(item)] = (item, line)
                line.rows += 1
                yield line
        finally:
            self.row_count = row

    def _new_line(self, row: int, item: Item) -> Line:
        try:
            self.campaign.kind(item.kind)
        except Refused as exc:
            raise Refused(f"item {row}: {exc}") from None
        line = Line(len(self.lines) + 1, row, item, assess_item(self.campaign, item.group_key(), self.claiming))
        self.lines.append(line)
        return line

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def check(self) -> None:
        """Refuse an empty surrender, or one past the bounds a surrender may hold."""
        if not self.lines:
            raise Refused(NO_ITEMS)
        check_totals(
            self.item_count,
            max(sum(line.claimed_pence for line in self.lines), sum(line.compensation_pence for line in self.lines)),
        )

    def claim(self) -> ClaimAssessment | None:
        """The claim over every line (None when nobody claims)."""
        if not self.claiming:
            return None
        claim = assess_claim(self.campaign, [line.total() for line in self.lines])
        facts = [
            LineFacts(line.number, line.item.description, line.item.claimed_value_pence, line.item.acquired_on)
            for line in self.lines
        ]
        found = item_flags(facts, self.campaign.price_list, self.campaign.ownership_cutoff)
        return replace(claim, flags=claim.flags + tuple(found)) if found else claim
