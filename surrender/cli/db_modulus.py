"""`surrender db modulus-tables DIR`: newer published modulus tables into use (issue 17)."""

from pathlib import Path

import typer

from surrender.cli.output import console


def modulus_tables(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help="Folder holding Vocalink's valacdos*.txt and scsubtab*.txt."),
) -> None:
    """Load newer modulus checking tables, as Vocalink (Pay.UK) publishes them, for every
    terminal on this database (admin): the weight table (valacdos*.txt) and the sort code
    substitution table (scsubtab*.txt), each checked line by line first. Until then the
    tables shipped with uk-mod-check are used. Bank details are checked against them at the
    desk, in `claims set-payment` and before `claims export` and `claims pack`.

    Example: `surrender db modulus-tables ~/Downloads/modulus-2025-06/`
    """
    from surrender.services.modulus import load_tables

    loaded = load_tables(ctx.obj, folder)
    if not loaded.new:
        console().print(
            f"Those tables are already in use ({loaded.rules:,} rules, sha256 {loaded.sha256[:16]}...); "
            "nothing changed."
        )
        return
    console().print(
        f"Modulus tables loaded from {loaded.name}: {loaded.rules:,} weight rules, "
        f"{loaded.substitutions:,} substitutions (sha256 {loaded.sha256})."
    )


def register(app: typer.Typer) -> None:
    app.command("modulus-tables")(modulus_tables)
