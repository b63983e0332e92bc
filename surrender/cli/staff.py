"""`surrender staff`: the register of who may do what."""

from __future__ import annotations

import enum
from typing import Optional

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit

app = typer.Typer(help="Register staff and their roles (admin). The first admin needs no --staff.",
                  no_args_is_help=True)


class Role(str, enum.Enum):
    desk = "desk"
    finance = "finance"
    manager = "manager"
    admin = "admin"


@app.command("add")
def add(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Staff (collar) number."),
    name: str = typer.Option(..., "--name", help="Full name, as printed on receipts."),
    role: Role = typer.Option(..., "--role", help="desk, finance, manager or admin."),
    station: Optional[str] = typer.Option(None, "--station", help="Home station: TW or PK."),
    pin: Optional[str] = typer.Option(None, "--pin", help="The new member's PIN (4-12 digits); needed for "
                                      "finance, manager and admin, asked for if not given."),
) -> None:
    """Add a staff member. While no staff exist, this makes the first admin with no one acting.

    Example: `surrender staff add 1234 --name "Sam Patel" --role desk --station TW`
    """
    import sys

    from surrender.rules.permissions import PIN_ROLES
    from surrender.services.staff import add_staff

    if role.value in PIN_ROLES and not pin and sys.stdin.isatty():
        pin = typer.prompt(f"PIN for {number}", hide_input=True, confirmation_prompt=True)
    row = add_staff(ctx.obj, number, name, role.value, station, pin)
    console().print(f"Added {row.number} {row.name} ({row.role}{', ' + row.station if row.station else ''})")


@app.command("list")
def list_(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """List staff with their roles and stations (admin)."""
    from dataclasses import asdict

    from surrender.services.staff import list_staff

    rows = [asdict(r) for r in list_staff(ctx.obj)]
    emit(rows, fmt, ["number", "name", "role", "station", "pin", "active"], title="Staff")
