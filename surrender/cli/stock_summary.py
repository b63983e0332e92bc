"""A big list (more than 20 lines) told in a screenful instead of a table a thousand lines long:
items by kind and verdict, the lines not eligible or needing a manager, and where the whole
table is (a key at the desk and the preview, the receipt once saved). Small lists keep their
full table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from surrender.cli.item_words import describe
from surrender.cli.output import styled
from surrender.rules.compensation import ItemAssessment, needs_manager

if TYPE_CHECKING:
    from rich.console import Console

    from surrender.rules.campaign import Campaign
    from surrender.services.intake import Line
    from surrender.views import SurrenderView

BIG = 20  # more lines than this and a list is summarised
LISTED = 10  # not-eligible (or flagged) lines named in a summary; the rest are counted


@dataclass(frozen=True)
class SummaryLine:
    """A distinct line of the list, as the summary tells it."""

    first_row: int
    rows: int
    quantity: int
    kind: str
    text: str
    eligible: bool
    flagged: bool
    reasons: tuple[str, ...]


def from_intake(campaign: Campaign, lines: Iterable[Line]) -> list[SummaryLine]:
    """The lines of an intake (the desk's review), each described as the desk describes items."""

    return [
        SummaryLine(
            line.first_row,
            line.rows,
            line.quantity,
            line.item.kind,
            describe(campaign, line.item),
            line.unit.eligible,
            needs_manager(campaign, line.unit),
            tuple(r for r in line.unit.reasons if r != "no claim made"),
        )
        for line in lines
    ]


def from_view(campaign: Campaign, view: SurrenderView) -> list[SummaryLine]:
    """The lines of a surrender view (a preview, or one just saved)."""
    found = []
    for line in view.items:
        unit = ItemAssessment(line.eligible, (), 0, line.unit_compensation_pence, 1)
        blade = f"{float(line.blade_length_mm) / 25.4:.2f}in"
        text = f"{line.kind_label} {blade}" + (f" {line.description}" if line.description else "")
        found.append(
            SummaryLine(
                line.first_line,
                line.rows,
                line.quantity,
                line.kind,
                text,
                line.eligible,
                needs_manager(campaign, unit),
                tuple(r for r in line.reasons if r != "no claim made"),
            )
        )
    return found


def is_big(rows: int) -> bool:
    return rows > BIG


def print_summary(out: Console, lines: list[SummaryLine]) -> None:
    """Counts by kind and verdict, then the lines not eligible and those needing a manager."""
    rows, items = sum(line.rows for line in lines), sum(line.quantity for line in lines)
    out.print(styled(("  Summary: ", "bold"), f"{items:,} item(s) on {rows:,} line(s), {len(lines):,} different"))
    kinds: dict[str, list[int]] = {}
    for line in lines:
        kinds.setdefault(line.kind, [0, 0])[0 if line.eligible else 1] += line.quantity
    for kind, (good, bad) in kinds.items():
        out.print(styled(f"    {kind}: ", (f"{good:,} eligible", "green"), " · ", (f"{bad:,} not eligible", "red")))
    _listed(out, "Not eligible", [line for line in lines if not line.eligible])
    _listed(out, "Needs a manager", [line for line in lines if line.flagged])


def _listed(out: Console, title: str, lines: list[SummaryLine]) -> None:
    if not lines:
        return
    out.print(styled("  ", (f"{title}:", "bold"), f" {len(lines):,} different line(s)"))
    for line in lines[:LISTED]:
        like = f" (+{line.rows - 1:,} like it)" if line.rows > 1 else ""
        why = f": {'; '.join(line.reasons)}" if line.reasons else ""
        out.print(f"    line {line.first_row}{like}, x{line.quantity:,}: {line.text}{why}", style="dim")
    if len(lines) > LISTED:
        out.print(f"    ... and {len(lines) - LISTED:,} more", style="dim")


def render_big_view(
    campaign: Campaign, view: SurrenderView, out: Console, heading: str, full: str = "every line is on the receipt"
) -> None:
    """A surrender with a big list: its heading, claim and receipt as `render_view` shows them,
    the table cut to the lines that need a look (not eligible, flagged), then the summary."""
    from surrender.cli.render import render_view

    lines = from_view(campaign, view)
    wanted = {line.first_row for line in lines if not line.eligible or line.flagged}
    shown = [line for line in view.items if line.first_line in wanted][:LISTED] or view.items[:5]
    render_view(replace(view, items=shown), out, heading)
    out.print(f"  The table shows {len(shown):,} of {len(view.items):,} different lines; {full}.", style="dim")
    print_summary(out, lines)


def show_view(campaign: Campaign | None, view: SurrenderView, out: Console, heading: str = "") -> None:
    """`render_view`, or for a big list (and a known campaign) `render_big_view`."""
    if campaign is not None and len(view.items) > BIG:
        render_big_view(campaign, view, out, heading)
        return
    from surrender.cli.render import render_view

    render_view(view, out, heading)
