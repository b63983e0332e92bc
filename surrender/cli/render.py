"""A surrender on the terminal: the reference first, then items, then the claim.

Every value goes in as literal text (the console has markup off); style comes from `styled`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from surrender.cli.output import styled
from surrender.clock import show_time
from surrender.rules.lengths import format_inches
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.money import format_gbp
from surrender.views import BookingCheck, DecisionTrail, SurrenderView

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

STATUS_STYLE = {
    ClaimStatus.NOT_PAYABLE: "red",
    ClaimStatus.PENDING: "yellow",
    ClaimStatus.APPROVED: "green",
    ClaimStatus.PAID: "green",
    ClaimStatus.REJECTED: "red",
}


def render_view(view: SurrenderView, console: Console, heading: str = "") -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    recorded = (
        f" · recorded {show_time(view.recorded_at, view.timezone)}"
        if abs((view.recorded_at - view.surrendered_at).total_seconds()) > 300
        else ""
    )
    lines = [
        styled((view.reference, "bold"), f"  {view.station_name} · {view.campaign}"),
        styled(f"Surrendered {show_time(view.surrendered_at, view.timezone)}{recorded}"),
        styled(f"Officer {view.officer_name} ({view.officer_number})"),
        styled("Anonymous surrender" if view.anonymous else _claimant_line(view)),
    ]
    if view.voided_at:
        lines.append(
            styled(("VOID", "bold red"), f" {show_time(view.voided_at, view.timezone)}: {view.void_reason or ''}")
        )
    console.print(Panel(Text("\n").join(lines), title=Text(heading) if heading else None, expand=False))
    table = Table(show_header=True, header_style="bold", show_lines=False)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("kind", "left"),
        ("blade", "right"),
        ("qty", "right"),
        ("eligible", "left"),
        ("each", "right"),
        ("compensation", "right"),
    )
    for name, justify in columns:  # a long word folds onto the next line, never cut with "…"
        table.add_column(name, justify=justify, overflow="fold")
    notes = []
    for line in view.items:
        label = str(line.first_line) + (f" (+{line.rows - 1} lines)" if line.rows > 1 else "")
        notes += [f"  {label}: {reason}" for reason in line.reasons]
        kind = styled(line.kind, *((("\n" + line.description, "dim"),) if line.description else ()))
        pays = view.payable_on(line)  # nothing a line when the claim pays nothing, as on the receipt
        table.add_row(
            label,
            kind,
            _blade(Decimal(line.blade_length_mm)),
            f"{line.quantity:,}",
            styled(("yes", "green")) if line.eligible else styled(("no", "red")),
            format_gbp(line.unit_compensation_pence if pays else 0),
            format_gbp(pays),
        )
    console.print(table)
    for note in notes:
        console.print(note, style="dim")
    console.print(styled("Items: ", (f"{view.item_count:,}", "bold")))
    if view.booking is not None:
        render_booking(console, view.booking)
    if view.claim is None:
        console.print("No compensation claim.")
    else:
        claim = view.claim
        shown = (
            ("void (pays nothing)", "red")
            if view.voided_at
            else (str(claim.status), STATUS_STYLE.get(claim.status, "cyan"))
        )
        console.print(
            styled(
                "Claim: ",
                shown,
                f" · claimed {format_gbp(claim.claimed_pence)} · payable ",
                (format_gbp(claim.payable_pence), "bold"),
                f" · batch {claim.batch_id}" if claim.batch_id else "",
            )
        )
        render_claim_notes(console, claim.reasons, claim.flags)
        if claim.trail is not None:
            render_trail(console, claim.trail, view.timezone)
    if view.receipt:
        console.print(f"Receipt: {view.receipt}")


def _blade(mm: Decimal) -> str:
    """`10in` over `(254mm)`, as on the receipt: the Order's unit, then the exact length."""
    return f"{format_inches(mm)}\n({mm.normalize():f}mm)"


def render_booking(console: Console, booking: BookingCheck) -> None:
    """Expected against received for a bulk surrender, or that nobody booked it."""
    if booking.expected is None:
        console.print(
            styled(
                ("No booking", "bold yellow"),
                f" that day at this station for {booking.received:,} items ({booking.threshold} or more "
                "should book through 101); logged all the same",
            )
        )
        return
    short = booking.received < booking.expected
    console.print(
        styled(
            "Booking: ",
            (booking.booked_as or "", "bold"),
            f" · expected {booking.expected:,} · received ",
            (f"{booking.received:,}", "bold yellow" if booking.received != booking.expected else "bold green"),
            " (fewer than booked)" if short else (" (more than booked)" if booking.received > booking.expected else ""),
        )
    )


def render_trail(console: Console, trail: DecisionTrail, zone: str) -> None:
    """The decision trail, one dated line per step: who (staff number and name) and why."""
    steps = [
        ("manager approval", trail.manager_approved_by, trail.manager_approved_at, None),
        (
            trail.decided or "decided",
            trail.decided_by,
            trail.decided_at,
            trail.note and (("reason: " if trail.decided == ClaimStatus.REJECTED else "note: ") + trail.note),
        ),
        ("exported", None, trail.exported_at, None),
        ("paid", trail.paid_by, trail.paid_at, None),
    ]
    dated = [(label, who, when, why) for label, who, when, why in steps if when is not None]
    for label, who, when, why in sorted(dated, key=lambda s: s[2]):
        console.print(
            styled(
                "  ",
                (label, "bold"),
                f" {show_time(when, zone)}",
                f" by {who}" if who else "",
                f" · {why}" if why else "",
            )
        )


def _claimant_line(view: SurrenderView) -> str:
    if not view.claimant:
        return "No claimant details"
    person = view.claimant
    parts = [person.get("name"), person.get("business_name"), person.get("postcode")]
    return "Claimant: " + ", ".join(p for p in parts if p)


def render_claim_notes(console: Console, reasons: Iterable[str], flags: Iterable[str]) -> None:
    """Why nothing is payable, and what a manager must look at: the same words everywhere."""
    for reason in reasons:
        console.print(styled("  ", ("not payable:", "red"), f" {reason}"))
    for flag in flags:
        console.print(styled("  ", ("needs manager review:", "yellow"), f" {flag}"))
