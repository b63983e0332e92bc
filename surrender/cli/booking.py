"""`surrender booking`: bulk surrenders by appointment (anyone bringing the scheme's threshold of
items or more books a time through 101; the counter is shown the booking when they come)."""

from typing import Any

import typer

from surrender.cli.output import FORMAT_HELP, Format, emit, say

app = typer.Typer(
    help="Bookings for bulk surrenders: who is coming, where, when, with how many items.", no_args_is_help=True
)

COLUMNS = ["id", "date", "station", "name", "business", "expected", "received", "reference"]


def _day(value: str | None, option: str) -> Any:
    from surrender.cli.claims import parse_day

    return parse_day(value, option)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Who is bringing the items (as they gave it to 101)."),
    business: str | None = typer.Option(None, "--business", help="The business they bring them for, if any."),
    expected: int = typer.Option(..., "--expected", help="How many items they said they would bring."),
    on: str = typer.Option(..., "--on", help="The day they are coming (YYYY-MM-DD)."),
    station: str | None = typer.Option(None, "--station", help="The station they are coming to (default: yours)."),
) -> None:
    """Book a bulk surrender at a station you work at. When they come, `log` matches the
    surrender to this booking by business or name and shows expected against received.

    Example: `surrender booking add --name "Pat Lee" --business "Lee Knives Ltd" --expected 40 --on 2024-09-12 --station TW`
    """
    from surrender.services.bookings import add_booking

    row = add_booking(ctx.obj, name, business, expected, _day(on, "--on"), station or ctx.obj.station)
    who = f"{row.name} ({row.business})" if row.business else row.name
    say("Booked ", (f"#{row.id}", "bold"), f": {who}, {row.expected:,} items, {row.station} on {row.on:%a %d %b %Y}")


@app.command("list")
def list_(
    ctx: typer.Context,
    on: str | None = typer.Option(None, "--on", help="Only this day (YYYY-MM-DD)."),
    station: str | None = typer.Option(None, "--station", help="Only this station (default: every one you work at)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """List bookings at the stations you work at, by day: expected items, and once the surrender
    is logged, its reference and the items received.

    Example: `surrender booking list --on 2024-09-12 --station TW --format csv`
    """
    from surrender.services.bookings import list_bookings

    rows = [
        {
            "id": r.id,
            "date": r.on.isoformat(),
            "station": r.station,
            "name": r.name,
            "business": r.business,
            "expected": r.expected,
            "received": r.received,
            "reference": r.reference,
        }
        for r in list_bookings(ctx.obj, _day(on, "--on"), station)
    ]
    emit(rows, fmt, COLUMNS, title="Bookings", empty="no bookings")
