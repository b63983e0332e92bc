"""`surrender recent` (a day's surrenders at this station) and `surrender status` (how this
terminal is set up), plus the `--version` answer."""

from typing import TYPE_CHECKING, Any

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit, print_json, say, styled

if TYPE_CHECKING:
    import datetime as dt

    from surrender.services.recent import RecentDay
    from surrender.services.status import SystemStatus

RECENT_COLUMNS = ["reference", "time", "officer", "items", "kinds", "claim", "payable", "void"]


def recent(
    ctx: typer.Context,
    date: str | None = typer.Option(None, "--date", help="Local date, YYYY-MM-DD (default: today)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """List one day's surrenders at your station: reference, time, officer, items, claim status;
    void ones marked. Finds a reference lost when a terminal crashed (desk and manager).

    Example: `surrender recent --date 2024-09-02 --format csv`
    """
    from surrender.rules.bounds import day_in_range
    from surrender.services.recent import recent_surrenders

    day = day_in_range(parse_date(date), "--date") if date else None
    found = recent_surrenders(ctx.obj, day)
    emit(
        recent_rows(found, fmt),
        fmt,
        RECENT_COLUMNS if fmt == Format.table else RECENT_COLUMNS + ["surrendered_at", "recorded_at"],
        title=f"{found.station} · {found.day:%a %d %b %Y}",
        empty=f"no surrenders at {found.station} on {found.day:%d %b %Y}",
    )


def recent_rows(found: "RecentDay", fmt: Format) -> list[dict[str, Any]]:
    """`recent`'s rows as printed (the desk's menu shows the same): local times, money in
    pounds; JSON keeps true/false and null, the table and CSV say VOID and leave blanks."""
    from surrender.clock import LONDON, iso
    from surrender.rules.money import format_pence

    rows: list[dict[str, Any]] = []
    for row in found.rows:
        at = row.surrendered_at.astimezone(LONDON)
        payable = None if row.payable_pence is None else format_pence(row.payable_pence)
        shown = {
            "reference": row.reference,
            "time": at.strftime("%H:%M") + ("" if at.date() == found.day else at.strftime(" %d %b")),
            "surrendered_at": iso(row.surrendered_at),
            "recorded_at": iso(row.recorded_at),
            "officer": row.officer,
            "items": row.items,
            "kinds": ", ".join(f"{quantity:,} {kind}" for quantity, kind in row.kinds),
            "claim": str(row.status) if row.status else ("anonymous" if row.anonymous else "no claim"),
            "payable": payable,
            "void": row.void,
        }
        if fmt != Format.json:
            shown.update(void="VOID" if row.void else "", payable=payable or "")
        rows.append(shown)
    return rows


def parse_date(text: str) -> "dt.date":
    import datetime as dt

    from surrender.errors import Refused

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(f"--date {text!r} is not a date like 2024-09-02") from None


STATUS_LABELS = [
    ("database", "Database"),
    ("schema", "Schema"),
    ("receipts", "Receipts folder"),
    ("staff", "Acting staff"),
    ("station", "Station"),
    ("campaign", "Campaign"),
    ("window", "Window"),
]


def status(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help="table, or json (csv: two columns, what and value)."),
) -> None:
    """Show how this terminal is set up: database (password hidden) and schema revision,
    receipts folder, acting staff and station, campaign and whether its window is open, and
    today's counts at the station. Needs no --staff and never fails on a missing database.

    Example: `SURRENDER_STAFF=2041 surrender status`
    """
    from surrender.services.status import system_status

    found = status_fields(system_status(ctx.obj))
    today = found["today"]
    counts = (
        f"{today['surrenders']} surrender(s), {today['items']:,} item(s), {today['claims']} claim(s), "
        f"{today['void']} void ({today['date']})"
        if today
        else "not available"
    )
    if fmt == Format.json:
        print_json(found)
        return
    pairs = [(label, found[key]) for key, label in STATUS_LABELS] + [("Today here", counts)]
    if fmt == Format.csv:
        emit([{"what": label, "value": value} for label, value in pairs], fmt, ["what", "value"])
        return
    out = console()
    width = max(len(label) for label, _ in pairs)
    for label, value in pairs:
        out.print(styled((f"{label:<{width}}", "bold"), f"  {value}"))


def status_fields(found: "SystemStatus") -> dict[str, Any]:
    """`status` as people and scripts read it, in this order: every value a string, today's
    counts a small object with an ISO date."""
    today = found.today
    campaign, window = found.campaign, found.window
    return {
        "database": found.database,
        "receipts": found.receipts,
        "schema": found.schema,
        "staff": found.staff,
        "station": found.station,
        "today": None
        if today is None
        else {
            "date": today.day.isoformat(),
            "surrenders": today.surrenders,
            "items": today.items,
            "void": today.void,
            "claims": today.claims,
        },
        "campaign": found.campaign_problem if campaign is None else f"{campaign.code} {campaign.name}",
        "window": "unknown"
        if campaign is None
        else (f"{window} ({campaign.opens:%d %b %Y} to {campaign.closes:%d %b %Y}, {campaign.timezone})"),
    }


def show_version(value: bool) -> None:
    """Eager `--version`: the installed package's version, without loading any command."""
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("surrender")
        except PackageNotFoundError:
            number = "unknown (not installed)"
        say(f"surrender {number}")
        raise typer.Exit(0)


def register(app: typer.Typer) -> None:
    app.command()(recent)
    app.command()(status)
