"""`surrender audit`: the hash-chained trail of every change."""

from __future__ import annotations

from typing import Optional

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit, styled

app = typer.Typer(help="Verify the audit chain and read a surrender's history (manager, admin).",
                  no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Recompute every link of the audit chain; exit 1 naming the first broken one.

    Example: `surrender audit verify`
    """
    from surrender.cli import fail
    from surrender.services.audit_log import verify as check

    report = check(ctx.obj)
    if report.problem:
        where = f"event {report.broken_at}" if report.broken_at else "the chain's end"
        fail(f"audit chain broken at {where}: {report.problem} ({report.events} events checked)")
    console().print(f"Audit chain intact: {report.events} events.")


@app.command("log")
def log(
    ctx: typer.Context,
    reference: Optional[str] = typer.Option(None, "--reference", help="Only this surrender's history."),
    limit: int = typer.Option(200, "--limit", help="Most recent events to show."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Show audit events, oldest first: when (Europe/London), who (staff number), what changed,
    money in pounds. JSON keeps exact values ("10.00", ISO times with offset); CSV holds the
    detail as JSON text.

    Example: `surrender audit log --reference TW-Z24-000017-7`
    """
    import datetime as dt

    from surrender.clock import show_time
    from surrender.services.audit_log import history

    rows = history(ctx.obj, reference, limit)
    if fmt != Format.table:
        emit([{k: v for k, v in row.items() if k != "summary"} for row in rows], fmt,
             ["id", "at", "staff", "action", "entity", "detail"])
        return
    out = console()
    for row in rows:  # one event per line: details are too varied for table columns
        out.print(styled((f"#{row['id']}", "bold"), f" {show_time(dt.datetime.fromisoformat(row['at']))} ",
                         (row['staff'] or '-', "cyan"), f" {row['action']} ({row['entity']}) ",
                         (row['summary'], "dim")), soft_wrap=True)
    if not rows:
        out.print(styled(("no events", "dim")))
