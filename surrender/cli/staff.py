"""`surrender staff`: the register of who may do what, their PINs, locks and stations."""

import enum
import sys

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit

app = typer.Typer(
    help="Register staff, their roles, stations and PINs (admin; set-pin: anyone, own PIN). "
    "The first admin needs no --staff.",
    no_args_is_help=True,
)

NEW_PIN_HELP = (
    "The new PIN (6-12 digits), for scripts; also SURRENDER_NEW_PIN. On a terminal leave it out "
    "and type it (hidden, twice): a PIN on the command line is visible to other users."
)
STATIONS_HELP = "Stations they may act at besides their own, comma-separated: TW,PK (empty: none)."


class Role(str, enum.Enum):
    desk = "desk"
    finance = "finance"
    manager = "manager"
    admin = "admin"
    property = "property"
    national = "national"


def _new_pin(given: str | None, number: str) -> str | None:
    """The PIN given for scripts, else typed twice (hidden) at a terminal, else None."""
    if given or not sys.stdin.isatty():
        return given
    from surrender.cli.output import say
    from surrender.errors import Refused
    from surrender.services.pins import check_pin_format

    while True:
        pin: str = typer.prompt(f"New PIN for {number}", hide_input=True, err=True)  # no `type`: text as typed
        try:
            check_pin_format(pin)
        except Refused as exc:
            say(str(exc), stderr=True)
            continue
        if typer.prompt("Repeat the new PIN", hide_input=True, err=True) == pin:
            return pin
        say("the two PINs differ: again", stderr=True)


@app.command("add")
def add(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Staff (collar) number."),
    name: str = typer.Option(..., "--name", help="Full name, as printed on receipts."),
    role: Role = typer.Option(
        ...,
        "--role",
        help="desk, finance, manager, admin, property (store officer) or national (figures by force only).",
    ),
    station: str | None = typer.Option(None, "--station", help="Their own station: TW or PK."),
    stations: str | None = typer.Option(None, "--stations", help=STATIONS_HELP),
    force: str | None = typer.Option(
        None,
        "--force",
        help="The force they join (default: yours; the first admin: the database's only force). "
        "National staff join none.",
    ),
    pin: str | None = typer.Option(None, "--pin", "--new-pin", envvar="SURRENDER_NEW_PIN", help=NEW_PIN_HELP),
) -> None:
    """Add a staff member with their PIN. While no staff exist, this makes the first admin with
    no one acting.

    Example: `surrender staff add 2041 --name "Sam Patel" --role desk --station TW` (then type
    the new PIN twice; your own PIN is asked first). A new force's first admin:
    `surrender staff add 1 --name "Bea Admin" --role admin --force BEDS`.
    """
    from surrender.services.staff import add_staff, parse_stations, sign_in_for_staff_change

    if not pin and sys.stdin.isatty():
        sign_in_for_staff_change(ctx.obj)  # your PIN before theirs
    row = add_staff(
        ctx.obj, number, name, role.value, station, _new_pin(pin, number), parse_stations(stations), force=force
    )
    console().print(
        f"Added {row.number} {row.name} ({row.role}{', ' + row.stations if row.stations else ''})", markup=False
    )


@app.command("list")
def list_(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """List staff with their roles, stations, and whether locked or inactive (admin).

    Example: `surrender staff list --format csv`
    """
    from dataclasses import asdict

    from surrender.services.staff import list_staff

    rows = [asdict(r) for r in list_staff(ctx.obj)]
    columns = ["number", "name", "role", "force", "station", "stations", "pin", "locked", "active"]
    emit(rows, fmt, columns, title="Staff")


@app.command("set-pin")
def set_pin(
    ctx: typer.Context,
    number: str | None = typer.Argument(None, help="Whose PIN (admin only); leave out for your own."),
    new_pin: str | None = typer.Option(None, "--new-pin", envvar="SURRENDER_NEW_PIN", help=NEW_PIN_HELP),
) -> None:
    """Change your own PIN (your current PIN is asked first), or, as an admin, anyone's.

    Example: `surrender staff set-pin` (yours) or `surrender staff set-pin 2041` (admin)
    """
    from surrender.services.staff import is_own, sign_in_for_staff_change
    from surrender.services.staff import set_pin as set_member_pin

    if not new_pin and sys.stdin.isatty():
        sign_in_for_staff_change(ctx.obj, own_pin=is_own(ctx.obj, number))
    row = set_member_pin(ctx.obj, number, _new_pin(new_pin, number or ctx.obj.staff or "you"))
    note = " (still locked: `surrender staff unlock " + row.number + "`)" if row.locked else ""
    console().print(f"New PIN set for {row.number}{note}.", markup=False)


@app.command("unlock")
def unlock(ctx: typer.Context, number: str = typer.Argument(..., help="Staff number to unlock.")) -> None:
    """Unlock a member locked after 5 wrong PINs in a row (admin); their count starts again.

    Example: `surrender staff unlock 2041`
    """
    from surrender.services.staff import unlock_staff

    row = unlock_staff(ctx.obj, number)
    console().print(f"Unlocked {row.number}.", markup=False)


@app.command("recover")
def recover(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Staff number of the admin to recover."),
    new_pin: str | None = typer.Option(None, "--new-pin", envvar="SURRENDER_NEW_PIN", help=NEW_PIN_HELP),
) -> None:
    """Give a locked-out admin (the last one, say) a new PIN and unlock them, as the database's
    owner: on SQLite run it as the operating-system user owning the database file; on
    PostgreSQL connect as the database's owner role. No one's PIN is asked; it is audited.

    Example: `sudo -u surrender surrender --db sqlite:////srv/surrender/surrender.db staff recover 1`
    """
    from surrender.services.staff import recover_admin

    row = recover_admin(ctx.obj, number, _new_pin(new_pin, number))
    console().print(f"Recovered {row.number}: unlocked, with the new PIN.", markup=False)


@app.command("deactivate")
def deactivate(ctx: typer.Context, number: str = typer.Argument(..., help="Staff number to deactivate.")) -> None:
    """Stop a member acting at all (admin); their past records keep their name. The last
    active admin cannot be deactivated.

    Example: `surrender staff deactivate 2041`
    """
    from surrender.services.staff import deactivate_staff

    row = deactivate_staff(ctx.obj, number)
    console().print(f"Deactivated {row.number} {row.name}.", markup=False)


@app.command("update")
def update(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Staff number to change."),
    stations: str | None = typer.Option(None, "--stations", help=STATIONS_HELP),
    role: Role | None = typer.Option(None, "--role", help="New role."),
    name: str | None = typer.Option(None, "--name", help="New name."),
    station: str | None = typer.Option(None, "--station", help="New own station."),
) -> None:
    """Change a member's stations, role, name or own station (admin).

    Example: `surrender staff update 2041 --stations TW,PK` lets a Thorpe Wood officer log at
    Parkside too; `--stations ""` takes the extra stations away.
    """
    from surrender.services.staff import parse_stations, update_staff

    row = update_staff(
        ctx.obj,
        number,
        stations=None if stations is None else parse_stations(stations),
        role=role.value if role else None,
        name=name,
        station=station,
    )
    console().print(f"Updated {row.number} {row.name}: {row.role}, stations {row.stations or 'none'}.", markup=False)
