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
        fresh = " Stations TW and PK (Cambridgeshire); another force: `surrender force add --help`."
        console().print(f"Database migrated from {before or 'empty'} to {after}.{fresh if before is None else ''}")
    if upgraded.baseline is not None:
        console().print(f"Audit trail now vouches field by field for {upgraded.baseline} records as they stand.")
    if upgraded.trail_problem is not None:
        say(f"Warning: no audit baseline taken: {upgraded.trail_problem}", stderr=True)


@app.command("backup")
def backup(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The new backup file (never overwritten; created owner-only)."),
    force: str | None = typer.Option(
        None, "--force", help="PostgreSQL: that force's data alone, as a SQLite file (your own force)."
    ),
) -> None:
    """Copy the SQLite database to a new file (VACUUM INTO, one snapshot): safe while other
    terminals keep logging (admin). The copy appears under its name only when whole; a backup
    killed part-way leaves nothing there. On PostgreSQL, `--force CODE` writes that force's data
    alone (its force-owned rows, its staff, campaigns and modulus tables, read in one snapshot)
    to a new SQLite file that `surrender --db FILE` opens like any one-force database. A whole
    PostgreSQL database is backed up with pg_dump (the refusal gives the command).

    Restore: stop the terminals, then use the copy with `--db FILE`, or copy it over the
    database file (delete its -wal and -shm first); a force's copy is read with `--db FILE`.

    Example: `surrender db backup --out /secure/surrender-2024-09-10.db`

    Example: `surrender --db postgresql://owner@dbhost/surrender db backup --force BEDS --out /secure/beds.db`
    """
    if force is not None:
        from surrender.services.force_backup import backup_force

        taken = backup_force(ctx.obj, force, out)
        rows = sum(taken.rows.values())
        console().print(
            f"Backup of force {taken.force} written to {taken.path} (owner-only): {rows} rows, "
            f"sha256 {taken.sha256}. Read it: surrender --db {taken.path} claims list",
            markup=False,
        )
        return
    from surrender.services.backup import backup as take

    path = take(ctx.obj, out)
    console().print(
        f"Backup written to {path} (owner-only). Check it: surrender --db {path} audit verify", markup=False
    )


@app.command("force-role")
def force_role(
    ctx: typer.Context,
    code: str = typer.Argument(
        ..., metavar="FORCE", help="Your force's code (e.g. BEDS), or `national` for figures by force only."
    ),
    role: str = typer.Argument(
        ..., metavar="DBROLE", help="The PostgreSQL role (made beforehand with CREATE ROLE ... LOGIN)."
    ),
) -> None:
    """Map a PostgreSQL role to your force (PostgreSQL only; admin, connected as the database
    owner). Row-level security then shows that role its force's rows alone, through this tool
    or psql, and refuses it any row of another force; it is granted what the tool needs, so
    `--db postgresql://ROLE@host/db --staff N` works with no other credential. A role mapped
    to `national` reads only the force_totals view (figures by force; nothing personal).

    Example: `surrender --db postgresql://owner@dbhost/surrender db force-role BEDS beds_app`
    """
    from surrender.services.force_roles import map_force_role

    mapped = map_force_role(ctx.obj, code, role)
    target = mapped.force or "national"
    head = (
        f"Role {mapped.role} mapped to {target}"
        if mapped.newly
        else (f"Role {mapped.role} was mapped to {target} already, grants renewed")
    )
    if mapped.force is None:
        what = "it reads the force_totals view (figures by force) and nothing else"
    else:
        what = f"it reads and writes force {mapped.force}'s rows only ({len(mapped.tables)} tables granted)"
    console().print(f"{head}: {what}.", markup=False)
