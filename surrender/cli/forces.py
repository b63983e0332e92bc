"""`surrender force` and `surrender station`: the forces using this database and their stations."""

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit

force_app = typer.Typer(help="The forces using this database (admin; list: admin or national).", no_args_is_help=True)
station_app = typer.Typer(
    help="Your force's stations: add, list, update and close them (admin; list: any member).", no_args_is_help=True
)

ADDRESS_HELP = "Street address, as a claimant would find it."
HOURS_HELP = "When the front desk takes surrenders, e.g. 'Mon-Fri 08:00-20:00'."
CONTACT_HELP = "Who to contact about a surrender (printed on receipts), e.g. '101, ask for property'."


@force_app.command("add")
def force_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Force code: 2-10 letters or digits, e.g. BEDS."),
    name: str = typer.Option(..., "--name", help="The force's name, as printed on receipts."),
) -> None:
    """Add a force to a shared (PostgreSQL) database; its first admin is added next with `staff
    add ... --force CODE`. A SQLite file holds one force: on a new file (before anyone is added)
    this makes the file that force's instead of Cambridgeshire's (its stations TW and PK go), and
    its first admin is added with `staff add ... --role admin`.

    Example: `surrender force add BEDS --name "Bedfordshire Police"`
    """
    from surrender.services.forces import add_force

    row = add_force(ctx.obj, code, name)
    console().print(f"Added force {row.code} {row.name}.", markup=False)


@force_app.command("list")
def force_list(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """Every force in this database with its number of stations.

    Example: `surrender force list --format json`
    """
    from dataclasses import asdict

    from surrender.services.forces import list_forces

    emit([asdict(r) for r in list_forces(ctx.obj)], fmt, ["code", "name", "stations"], title="Forces")


@station_app.command("add")
def station_add(
    ctx: typer.Context,
    code: str = typer.Argument(
        ..., help="Station code: two letters, unique in the database (references start with it)."
    ),
    name: str = typer.Option(..., "--name", help="Station name, as printed on receipts."),
    town: str = typer.Option(..., "--town", help="Town."),
    force: str | None = typer.Option(None, "--force", help="The station's force: yours (the default)."),
    address: str | None = typer.Option(None, "--address", help=ADDRESS_HELP),
    hours: str | None = typer.Option(None, "--hours", help=HOURS_HELP),
    contact: str | None = typer.Option(None, "--contact", help=CONTACT_HELP),
) -> None:
    """Add a station to your force (admin).

    Example: `surrender station add LU --name "Luton Police Station" --town Luton --force BEDS
    --contact "101, ask for the property office"`
    """
    from surrender.services.forces import add_station

    row = add_station(ctx.obj, code, name, town, force, address, hours, contact)
    console().print(f"Added station {row.code} {row.name} ({row.force_name}).", markup=False)


@station_app.command("list")
def station_list(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """Your force's stations, open and closed (closed: the date it stopped taking surrenders).

    Example: `surrender station list --format csv`
    """
    from surrender.clock import iso
    from surrender.services.forces import list_stations

    rows = [
        {
            "code": r.code,
            "name": r.name,
            "town": r.town,
            "force": r.force,
            "address": r.address,
            "hours": r.hours,
            "contact": r.contact,
            "closed": iso(r.closed_at),
        }
        for r in list_stations(ctx.obj)
    ]
    emit(rows, fmt, ["code", "name", "town", "force", "address", "hours", "contact", "closed"], title="Stations")


@station_app.command("update")
def station_update(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Station code."),
    name: str | None = typer.Option(None, "--name", help="New name."),
    town: str | None = typer.Option(None, "--town", help="New town."),
    address: str | None = typer.Option(None, "--address", help=ADDRESS_HELP + " Empty: none."),
    hours: str | None = typer.Option(None, "--hours", help=HOURS_HELP + " Empty: none."),
    contact: str | None = typer.Option(None, "--contact", help=CONTACT_HELP + " Empty: none."),
) -> None:
    """Change a station's name, town, address, hours or contact (admin of its force). Its code
    never changes: references carry it.

    Example: `surrender station update TW --hours "Mon-Sat 08:00-20:00"`
    """
    from surrender.services.forces import update_station

    row = update_station(ctx.obj, code, name=name, town=town, address=address, hours=hours, contact=contact)
    console().print(f"Updated station {row.code} {row.name}.", markup=False)


@station_app.command("close")
def station_close(ctx: typer.Context, code: str = typer.Argument(..., help="Station code.")) -> None:
    """Close a station (admin of its force): no new surrenders are logged there from now on;
    everything logged there stays readable.

    Example: `surrender station close PK`
    """
    from surrender.services.forces import close_station

    row = close_station(ctx.obj, code)
    console().print(f"Closed station {row.code} {row.name}: it takes no new surrenders.", markup=False)
