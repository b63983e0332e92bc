"""`surrender db`: create or migrate the schema."""

from __future__ import annotations

import typer

from surrender.cli.output import console

app = typer.Typer(help="Database schema (admin).", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context, revision: str = typer.Option("head", help="Target revision.")) -> None:
    """Create the schema on a new database or migrate an existing one (Alembic).

    Safe to run again. Once staff exist, only an admin may run it.
    Example: `surrender --db postgresql://surrender@dbhost/surrender db upgrade`
    """
    from surrender.services.schema import upgrade_schema

    before, after = upgrade_schema(ctx.obj, revision)
    if before == after:
        console().print(f"Database already at revision {after}.")
    else:
        console().print(f"Database migrated from {before or 'empty'} to {after}. Stations: TW, PK.")
