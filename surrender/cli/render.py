"""A surrender on the terminal: the reference first, then items, then the claim."""

from __future__ import annotations

from rich.markup import escape

from surrender.clock import show_time
from surrender.rules.money import format_gbp
from surrender.views import SurrenderView


def render_view(view: SurrenderView, console, heading: str = "") -> None:
    from rich.panel import Panel
    from rich.table import Table

    lines = [
        f"[bold]{view.reference}[/]  {view.station_name} · {view.campaign}",
        f"Surrendered {show_time(view.surrendered_at, view.timezone)}"
        + (f" · recorded {show_time(view.recorded_at, view.timezone)}"
           if abs((view.recorded_at - view.surrendered_at).total_seconds()) > 300 else ""),
        f"Officer {view.officer_name} ({view.officer_number})",
        "Anonymous surrender" if view.anonymous else _claimant_line(view),
    ]
    if view.voided_at:
        lines.append(f"[bold red]VOID[/] {show_time(view.voided_at, view.timezone)}: {escape(view.void_reason or '')}")
    console.print(Panel("\n".join(lines), title=heading or None, expand=False))
    table = Table(show_header=True, header_style="bold", show_lines=False)
    for name, justify in (("#", "right"), ("kind", "left"), ("blade", "right"), ("qty", "right"),
                          ("eligible", "left"), ("each", "right"), ("compensation", "right")):
        table.add_column(name, justify=justify)
    notes = []
    for line in view.items:
        label = str(line.first_line) + (f" (+{line.rows - 1} lines)" if line.rows > 1 else "")
        notes += [f"  {label}: {escape(reason)}" for reason in line.reasons]
        table.add_row(
            label,
            line.kind + (f"\n[dim]{escape(line.description)}[/]" if line.description else ""),
            f"{float(line.blade_length_mm) / 25.4:.2f} in",
            f"{line.quantity:,}",
            "[green]yes[/]" if line.eligible else "[red]no[/]",
            format_gbp(line.unit_compensation_pence),
            format_gbp(line.compensation_pence),
        )
    console.print(table)
    for note in notes:
        console.print(note, style="dim")
    console.print(f"Items: [bold]{view.item_count:,}[/]")
    if view.claim is None:
        console.print("No compensation claim.")
    else:
        claim = view.claim
        colour = {"not_payable": "red", "pending": "yellow", "approved": "green", "paid": "green"}.get(claim.status, "cyan")
        console.print(f"Claim: [{colour}]{claim.status}[/] · claimed {format_gbp(claim.claimed_pence)} · "
                      f"payable [bold]{format_gbp(claim.payable_pence)}[/]")
        render_claim_notes(console, claim.reasons, claim.flags)
    if view.receipt:
        console.print(f"Receipt: {view.receipt}")


def _claimant_line(view: SurrenderView) -> str:
    if not view.claimant:
        return "No claimant details"
    person = view.claimant
    parts = [person.get("name"), person.get("business_name"), person.get("postcode")]
    return "Claimant: " + escape(", ".join(p for p in parts if p))


def render_claim_notes(console, reasons, flags) -> None:
    """Why nothing is payable, and what a manager must look at: the same words everywhere."""
    for reason in reasons:
        console.print(f"  [red]not payable:[/] {escape(reason)}")
    for flag in flags:
        console.print(f"  [yellow]needs manager review:[/] {escape(flag)}")
