"""`surrender campaign`: the schemes as data (presets, or your own TOML file)."""

from typing import TYPE_CHECKING, Any

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit, print_json, styled

app = typer.Typer(help="Campaigns (schemes): their windows, money rules and legal definitions.", no_args_is_help=True)

if TYPE_CHECKING:
    from surrender.rules.campaign import Campaign


def _summary(c: "Campaign") -> dict[str, Any]:
    from surrender.rules.money import format_pence

    return {
        "code": c.code,
        "name": c.name,
        "opens": c.opens.isoformat(),
        "closes": c.closes.isoformat(),
        "owned_on_or_before": c.ownership_cutoff.isoformat(),
        "standard": format_pence(c.standard_pence),
        "minimum_claim_total": None if c.minimum_total_pence is None else format_pence(c.minimum_total_pence),
        "kinds": ", ".join(c.kinds),
    }


@app.command("list")
def list_(fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """List the campaigns shipped with surrender."""
    from surrender.campaigns import load_preset, preset_codes

    rows = [_summary(load_preset(code)) for code in preset_codes()]
    emit(
        rows,
        fmt,
        ["code", "name", "opens", "closes", "owned_on_or_before", "standard", "minimum_claim_total", "kinds"],
        title="Campaigns",
    )


@app.command("show")
def show(
    ctx: typer.Context,
    code: str | None = typer.Argument(None, help="Campaign code or path to a .toml file (default: --campaign)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Show a campaign's rules in full; with a file path, check your own campaign file.

    Example: `surrender campaign show ./knives-2027.toml`
    """
    from surrender.campaigns import resolve
    from surrender.rules.money import format_gbp, format_pence

    c = resolve(code or ctx.obj.campaign)
    summary = _summary(c)
    summary.update(
        {
            "legal_basis": c.legal_basis,
            "review": {
                "item_over": format_pence(c.review_item_over_pence),
                "claim_over": format_pence(c.review_claim_over_pence),
                "items_over": c.review_items_over,
            },
            "acceptable_evidence": list(c.acceptable_evidence),
            "booking_threshold": c.booking_threshold,
            "price_list": [{"model": p.model, "price": format_pence(p.pence)} for p in c.price_list],
            "definitions": {
                k.code: {
                    "label": k.label,
                    "text": k.definition.text,
                    "all": [t.source for t in k.definition.all],
                    "any": [t.source for t in k.definition.any],
                }
                for k in c.kinds.values()
            },
            "features": {
                f.name: {
                    "type": f.type,
                    "question": f.question,
                    "help": f.help or None,
                    "options": list(f.options) or None,
                    "maximum": f.maximum or None,
                    "shorthand": list(f.shorthand),
                    "usual": {k: f.show(v) for k, v in (f.usual or {}).items()} or None,
                }
                for f in c.features.declared
            },
        }
    )
    if fmt != Format.table:
        print_json(summary)
        return
    out = console()
    out.print(styled((c.name, "bold"), f" ({c.code})\n{c.legal_basis}\n"))
    out.print(f"Window: {c.opens:%d %b %Y} to {c.closes:%d %b %Y} inclusive ({c.timezone})")
    out.print(f"Owned on or before: {c.ownership_cutoff:%d %b %Y}")
    out.print(
        f"Standard compensation: {format_gbp(c.standard_pence)} per item; more only with "
        f"{', '.join(c.acceptable_evidence)}"
    )
    out.print(
        "Minimum claim total: "
        + (format_gbp(c.minimum_total_pence) if c.minimum_total_pence is not None else "none")
        + (f" — {c.minimum_note}" if c.minimum_note else "")
    )
    out.print(
        f"Manager review: an item over {format_gbp(c.review_item_over_pence)}, a claim over "
        f"{format_gbp(c.review_claim_over_pence)}, or more than {c.review_items_over} items"
    )
    if c.booking_threshold is not None:
        out.print(f"Bookings: anyone bringing {c.booking_threshold} or more items books a time through 101")
    if c.price_list:
        out.print(
            f"Price list: {len(c.price_list):,} models; a value claimed above its figure is flagged for a manager"
        )
    for kind in c.kinds.values():
        out.print(styled("\n", (kind.label, "bold"), f" ({kind.code}): {kind.definition.text}"))
        for test in kind.definition.all:
            out.print(styled(f"  must have: {test.text}  ", (test.source, "dim")))
        for test in kind.definition.any:
            out.print(styled(f"  or any of: {test.text}  ", (test.source, "dim")))
    out.print(styled("\n", ("Item features", "bold"), " (items CSV columns; --item words):"))
    for f in c.features.declared:
        shape = (
            f"{f.type}"
            + (f" up to {f.maximum:,}" if f.maximum else "")
            + (f": {', '.join(f.options)}" if f.options else "")
        )
        words = ", ".join(f.shorthand)
        usual = ", ".join(f"{k} {f.show(v)}" for k, v in (f.usual or {}).items())
        out.print(
            styled(
                f"  {f.name} ({shape}) {f.question}",
                (f"  words: {words}" if words else "", "dim"),
                (f"  usually: {usual}" if usual else "", "dim"),
            )
        )


@app.command("register")
def register(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="Your campaign .toml file (check it first with `campaign show FILE`)."),
) -> None:
    """Bring a campaign from your own TOML file into use (admin). Its full text is kept in the
    database, so records made under it keep their rules; a changed scheme needs a new code.

    Example: `surrender campaign register ./knives-2027.toml`, then `surrender --campaign knives-2027 log ...`
    """
    from pathlib import Path

    from surrender.services.campaigns import register_file

    campaign, new = register_file(ctx.obj, Path(path))
    console().print(
        f"Campaign {campaign.code} {'registered' if new else 'was already registered, unchanged'}.", markup=False
    )
