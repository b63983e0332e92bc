"""`surrender report`: totals and the campaign report PDF for managers."""

from pathlib import Path
from typing import Any

import typer

from surrender.cli.claims import parse_day
from surrender.cli.output import FORMAT_HELP, Format, emit, say

app = typer.Typer(help="Totals and the campaign report PDF: how many, where, what kind and what it cost.", no_args_is_help=True)


@app.command("totals")
def totals(
    ctx: typer.Context,
    by: list[str] | None = typer.Option(None, "--by", help="Group by station, day, week, kind or status; "
                                           "repeat or comma-separate to combine (--by station,day)."),
    date_from: str | None = typer.Option(None, "--from", help="Surrendered on or after (YYYY-MM-DD, local)."),
    date_to: str | None = typer.Option(None, "--to", help="Surrendered on or before (YYYY-MM-DD, local)."),
    campaign: str | None = typer.Option(None, "--campaign", help="Only this campaign (default: all)."),
    station: str | None = typer.Option(None, "--station", help="Only this station (TW, PK; default: all)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Surrenders, items, claims, claimed and payable, grouped as asked. Void surrenders are left
    out; rejected and not-payable claims add nothing to payable. The rows add up to the Total.
    By kind, a row holds that kind's items and money; a surrender holding two kinds is in both
    rows' `surrenders with kind` (no total there) and once in the Total line below the table.

    Example: `surrender report totals --by station --by kind --from 2024-09-01`
    """
    from surrender.services.reports import totals as compute

    groups = [g.strip() for value in by or [] for g in value.split(",") if g.strip()]
    result = compute(ctx.obj, groups, parse_day(date_from, "--from"), parse_day(date_to, "--to"), campaign, station)
    columns = [*result.by, *result.measures]
    footer = {**{k: shown(k, v) for k, v in result.total.items() if k in result.measures},
              **({result.by[0]: "Total"} if result.by else {})}
    rows = [{k: shown(k, v) for k, v in row.items()} for row in result.rows]
    emit(rows, fmt, columns, title="Totals", totals=footer if result.by else None, empty="no surrenders")
    if fmt == Format.table and "kind" in result.by and result.rows:
        say(f"Total: {result.total['surrenders']:,} surrenders and {result.total['claims']:,} claims, each counted "
            "once (a surrender holding two kinds is in both kinds' rows).")


def shown(column: str, value: Any) -> object:  # `value`: a cell of a Totals row (dict[str, Any])
    """A totals cell as every format prints it: money as exact pounds ("12.50"), dates ISO."""
    import datetime as dt

    from surrender.rules.money import format_pence
    from surrender.services.reports import MONEY

    if column in MONEY:
        return format_pence(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # a ClaimStatus as its plain text
    return value


@app.command("pdf")
def pdf(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The PDF to write; refused if it exists (never overwritten)."),
    date_from: str | None = typer.Option(None, "--from", help="Surrendered on or after (YYYY-MM-DD, local)."),
    date_to: str | None = typer.Option(None, "--to", help="Surrendered on or before (YYYY-MM-DD, local)."),
    campaign: str | None = typer.Option(None, "--campaign", help="Only this campaign (default: all)."),
) -> None:
    """The campaign report for managers as a PDF: headline figures by station, weapons per day,
    compensation by station, claims by status, the largest and the flagged claims, and the audit
    anchor of the moment it was made. No personal data; written owner-only (0600).

    Example: `surrender report pdf --out zombie-2024-report.pdf --campaign zombie-2024`
    """
    from surrender.report_pdf import check_out, write_report
    from surrender.services.campaign_report import campaign_report

    check_out(out)
    report = campaign_report(ctx.obj, parse_day(date_from, "--from"), parse_day(date_to, "--to"), campaign)
    path = write_report(report, out)
    say(f"Report written: {path} ({report.total.surrenders:,} surrenders, {report.total.items:,} items, "
        f"{report.total.claims:,} claims)")
    say(("Anchor: ", "dim"), report.anchor)
