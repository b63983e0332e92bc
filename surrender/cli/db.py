"""`surrender db`: create or migrate the schema."""

from pathlib import Path

import typer

from surrender.cli.output import console, say

app = typer.Typer(help="Database schema and backups (admin).", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context, revision: str = typer.Option("head", help="Target revision.")) -> None:
    """Create the schema on a new database or migrate an existing one (Alembic).

    Safe to run again. Once staff exist, only an admin may run it.
    Example: `surrender --db postgresql://surrender@dbhost/surrender db upgrade`
    """
    from surrender.services.schema import upgrade_schema

    upgraded = upgrade_schema(ctx.obj, revision)
    before, after = upgraded.before, upgraded.after
    if before == after:
        console().print(f"Database already at revision {after}.")
    else:
        console().print(f"Database migrated from {before or 'empty'} to {after}. Stations: TW, PK.")
    if upgraded.baseline is not None:
        console().print(f"Audit trail now vouches field by field for {upgraded.baseline} records as they stand.")
    if upgraded.trail_problem is not None:
        say(f"Warning: no audit baseline taken: {upgraded.trail_problem}", stderr=True)


@app.command("backup")
def backup(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The new backup file (never overwritten; created owner-only)."),
) -> None:
    """Copy the SQLite database to a new file (VACUUM INTO, one snapshot): safe while other
    terminals keep logging (admin). The copy appears under its name only when whole; a backup
    killed part-way leaves nothing there. On PostgreSQL use pg_dump (the refusal gives the command).

    Restore: stop the terminals, then use the copy with `--db FILE`, or copy it over the
    database file (delete its -wal and -shm first).
    Example: `surrender db backup --out /secure/surrender-2024-09-10.db`
    """
    from surrender.services.backup import backup as take

    path = take(ctx.obj, out)
    console().print(
        f"Backup written to {path} (owner-only). Check it: surrender --db {path} audit verify", markup=False
    )
