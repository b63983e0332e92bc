"""`surrender report`: totals and the campaign report PDF for managers."""

from pathlib import Path
from typing import Any

import typer

from surrender.cli.claims import parse_day
from surrender.cli.output import FORMAT_HELP, Format, emit, say

app = typer.Typer(
    help="Totals and the campaign report PDF: how many, where, what kind and what it cost.", no_args_is_help=True
)


@app.command("totals")
def totals(
    ctx: typer.Context,
    by: list[str] | None = typer.Option(
        None,
        "--by",
        help="Group by station, day, week, kind, status or force; repeat or comma-separate to combine "
        "(--by station,day). By force: national staff see every force, admins and managers their own.",
    ),
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

    Example: `surrender report totals --by station --by kind --from 2024-09-01`;
    national figures: `surrender report totals --by force --format csv`
    """
    from surrender.services.reports import totals as compute

    groups = [g.strip() for value in by or [] for g in value.split(",") if g.strip()]
    result = compute(ctx.obj, groups, parse_day(date_from, "--from"), parse_day(date_to, "--to"), campaign, station)
    columns = [*result.by, *result.measures]
    footer = {
        **{k: shown(k, v) for k, v in result.total.items() if k in result.measures},
        **({result.by[0]: "Total"} if result.by else {}),
    }
    rows = [{k: shown(k, v) for k, v in row.items()} for row in result.rows]
    emit(rows, fmt, columns, title="Totals", totals=footer if result.by else None, empty="no surrenders")
    if fmt == Format.table and "kind" in result.by and result.rows:
        say(
            f"Total: {result.total['surrenders']:,} surrenders and {result.total['claims']:,} claims, each counted "
            "once (a surrender holding two kinds is in both kinds' rows)."
        )


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
    say(
        f"Report written: {path} ({report.total.surrenders:,} surrenders, {report.total.items:,} items, "
        f"{report.total.claims:,} claims)"
    )
    say(("Anchor: ", "dim"), report.anchor)


@app.command("custody")
def custody(
    ctx: typer.Context,
    station: str | None = typer.Option(None, "--station", help="Only this station (TW, PK)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """The custody reconciliation, per station and scheme, in weapons: received = held +
    destroyed + retained with authority + never received; anything else is unaccounted
    (missing at a stock check). Then every exception by tag: unaccounted, overdue in a temporary
    place (the counter included), held past the scheme's destruction date (property, manager).
    JSON gives {"stations": [...], "total": {...}, "exceptions": [...], "anchor"}.

    Example: `surrender report custody --station TW --format json`
    """
    from surrender.cli.output import print_json
    from surrender.clock import iso, show_time
    from surrender.services.custody_report import custody_report

    report = custody_report(ctx.obj, station)

    def figures(tally: Any) -> dict[str, Any]:
        return {
            "received": tally.received,
            "held": tally.held,
            "destroyed": tally.destroyed,
            "retained": tally.retained,
            "never_received": tally.never_received,
            "unaccounted": tally.unaccounted,
        }

    lines = [
        {
            "station": line.station,
            "campaign": line.campaign,
            "tags": line.tags,
            **figures(line.tally),
            "destroy_by": line.destroy_by.isoformat() if line.destroy_by else None,
        }
        for line in report.lines
    ]
    when = show_time if fmt == Format.table else iso
    exceptions = [
        {
            "tag": e.exhibit.tag,
            "problem": e.problem,
            "station": e.exhibit.station,
            "campaign": e.exhibit.campaign,
            "state": e.exhibit.state,
            "location": e.exhibit.location,
            "since": when(e.exhibit.since),
            "quantity": e.exhibit.quantity,
            "kind": e.exhibit.kind_label if fmt == Format.table else e.exhibit.kind,
            "limit_days": e.limit_days,
        }
        for e in report.exceptions
    ]
    columns = [
        "station",
        "campaign",
        "tags",
        "received",
        "held",
        "destroyed",
        "retained",
        "never_received",
        "unaccounted",
    ]
    if fmt == Format.json:
        print_json(
            {
                "stations": lines,
                "total": figures(report.total),
                "exceptions": exceptions,
                "made_at": iso(report.made_at),
                "anchor": report.anchor,
            }
        )
        return
    if fmt == Format.csv:  # one CSV: the tally rows, then a blank line and the exceptions
        emit(lines, fmt, [*columns, "destroy_by"])
        print()
        emit(
            exceptions,
            fmt,
            ["tag", "problem", "station", "campaign", "state", "location", "since", "quantity", "kind", "limit_days"],
        )
        return
    footer = {**figures(report.total), "station": "Total"}
    emit(
        lines,
        fmt,
        columns,
        title="Custody: received = held + destroyed + retained + never received",
        totals=footer if len(lines) > 1 else None,
        empty="no exhibits yet",
    )
    say(f"Unaccounted: {report.total.unaccounted:,} weapon(s).")
    emit(
        exceptions,
        fmt,
        ["tag", "problem", "station", "state", "location", "since", "quantity", "kind"],
        title=f"Exceptions ({len(exceptions)})",
        empty="no exceptions",
    )


@app.command("return")
def scheme_return(
    ctx: typer.Context,
    out: Path = typer.Option(
        ..., "--out", help="Where to write: FILE.csv and FILE.json are made (a .csv or .json ending is dropped first)."
    ),
) -> None:
    """Your force's scheme return for the campaign (--campaign, before or after the command):
    weapons by kind and station, surrenders with and without a claim, anonymous surrenders,
    amounts claimed and payable, retailers' (business) claims, by station and in total, with the
    force, the campaign's window and the audit anchor. Written as CSV and JSON with the same
    content and digest (SHA-256 of the content), so `report national` can check either. No
    personal data; new files only, owner-only. Admins and managers.

    Example: `surrender report return --out cambs-zombie-2024` (writes cambs-zombie-2024.csv and .json)
    """
    from surrender.outfiles import check_new, write_new
    from surrender.return_files import render_csv, render_json
    from surrender.rules.money import format_gbp
    from surrender.rules.returns import digest
    from surrender.services.scheme_return import scheme_return as make_return

    stem = out.with_suffix("") if out.suffix.lower() in (".csv", ".json") else out
    paths = [stem.with_name(f"{stem.name}.csv"), stem.with_name(f"{stem.name}.json")]
    for path in paths:
        check_new(path, "scheme return", "cambs-zombie-2024")
    made = make_return(ctx.obj)
    sha256 = digest(made)
    write_new(paths[0], render_csv(made, sha256))
    write_new(paths[1], render_json(made, sha256))
    total = made.total
    say(
        f"Return of {made.force} for {made.campaign} written: {paths[0]} and {paths[1]} "
        f"({total.surrenders:,} surrenders, {total.items:,} items, {format_gbp(total.payable)} payable)"
    )
    say(("Digest: ", "dim"), sha256)
    say(("Anchor: ", "dim"), made.anchor)


@app.command("national")
def national(
    files: list[Path] = typer.Argument(..., help="Each force's return (.csv or .json, from `report return`)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """The national table: each force's return and their total, for one campaign. Reads only the
    files (no database, no sign-in: a return holds no personal data). Refused, with nothing
    shown, if a file's digest does not match its content, its anchor line is malformed, a force
    is given twice or the returns are of different campaigns.

    Example: `surrender report national cambs.json beds.csv --format csv`
    """
    from dataclasses import asdict

    from surrender.rules.money import format_pence
    from surrender.rules.returns import FIGURES, MONEY
    from surrender.services.national import national as merged

    table = merged(files)

    def cells(figures: Any) -> dict[str, object]:
        return {name: format_pence(value) if name in MONEY else value for name, value in asdict(figures).items()}

    rows = [{"force": each.force, "name": each.force_name, **cells(each.total)} for each in table.forces]
    columns = ["force", "name", *FIGURES]
    if fmt == Format.json:
        from surrender.cli.output import print_json

        print_json(
            {
                "campaign": table.campaign,
                "forces": [{**row, "anchor": each.anchor} for row, each in zip(rows, table.forces, strict=True)],
                "total": cells(table.total),
            }
        )
        return
    footer = {"force": "Total", **cells(table.total)}
    emit(
        [*rows, footer] if fmt == Format.csv else rows,
        fmt,
        columns,
        title=f"National return: {table.campaign_name} ({table.campaign})",
        totals=footer,
        drop_first=["name"],
    )
