"""`surrender audit`: the hash-chained trail of every change."""

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit, styled

app = typer.Typer(help="Verify the audit chain and read a surrender's history (manager, admin).", no_args_is_help=True)


@app.command("verify")
def verify(
    ctx: typer.Context,
    anchor: str | None = typer.Option(
        None,
        "--anchor",
        help="An anchor line kept outside the database (from `surrender audit anchor`): the chain must still hold it.",
    ),
) -> None:
    """Recompute every link of your force's audit chain, then check every surrender, item,
    claim, payment details, batch and staff record of your force against the digests its
    events recorded; exit 1 naming the first broken event or differing record. The national
    role checks every force's chain and the national one, a line each.

    Example: `surrender audit verify --anchor "surrender-anchor force=CAMBS events=123 head=9f2c...e1"`
    """
    from surrender.cli import fail
    from surrender.services.audit import chain_name
    from surrender.services.audit_log import verify_chains

    reports = verify_chains(ctx.obj, anchor)
    broken = [_problem(report) for report in reports if report.problem]
    if broken:
        intact = [chain_name(report.force) for report in reports if not report.problem]
        fail("; ".join(broken) + (f" (intact: {', '.join(intact)})" if intact else ""))
    out = console()
    held = " and holds the anchor" if anchor else ""
    if len(reports) == 1:
        (report,) = reports
        out.print(
            f"Audit chain intact{held}: {report.events} events of {chain_name(report.force)}; "
            "every record matches its events.",
            markup=False,
        )
        return
    for report in reports:
        out.print(
            f"{chain_name(report.force)}: audit chain intact: {report.events} events; every record matches.",
            markup=False,
        )


def _problem(report) -> str:
    from surrender.services.audit import chain_name

    chain = chain_name(report.force)
    if report.record:
        return f"{chain}'s audit trail: {report.problem} ({report.events} events checked)"
    where = f"event {report.broken_at}" if report.broken_at else "the chain's end"
    return f"{chain}'s audit chain broken at {where}: {report.problem} ({report.events} events checked)"


@app.command("anchor")
def anchor(ctx: typer.Context) -> None:
    """Print one line (your force's chain: its event count and head hash) to keep outside the
    database: the paper log, an email to finance. `audit verify --anchor LINE` later proves no
    event up to it was changed or removed. The national role gets a line for every chain.

    Example: `surrender audit anchor` prints `surrender-anchor force=CAMBS events=123 head=9f2c...e1`
    """
    from surrender.services.audit_log import anchor as current

    for line in current(ctx.obj):
        typer.echo(line)


@app.command("baseline")
def baseline(ctx: typer.Context) -> None:
    """Once, after `db upgrade` of a database that has records from before record digests:
    vouch for every record as it stands so `audit verify` checks them from now on (admin).
    Refused once the trail vouches for any record.

    Example: `surrender db upgrade && surrender audit baseline && surrender audit verify`
    """
    from surrender.services.audit_log import baseline as take

    count = take(ctx.obj)
    console().print(f"Audit trail now vouches for {count} records as they stand.", markup=False)


MAX_LOG_LIMIT = 1_000_000  # more than any screen or script needs; keeps the SQL LIMIT in range


@app.command("log")
def log(
    ctx: typer.Context,
    reference: str | None = typer.Option(None, "--reference", help="Only this surrender's history."),
    limit: int = typer.Option(
        200, "--limit", min=1, max=MAX_LOG_LIMIT, help=f"Most recent events to show (1 to {MAX_LOG_LIMIT:,})."
    ),
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
        emit(
            [{k: v for k, v in row.items() if k != "summary"} for row in rows],
            fmt,
            ["id", "at", "staff", "action", "entity", "detail"],
        )
        return
    out = console()
    for row in rows:  # one event per line: details are too varied for table columns
        out.print(
            styled(
                (f"#{row['id']}", "bold"),
                f" {show_time(dt.datetime.fromisoformat(row['at']))} ",
                (row["staff"] or "-", "cyan"),
                f" {row['action']} ({row['entity']}) ",
                (row["summary"], "dim"),
            ),
            soft_wrap=True,
        )
    if not rows:
        out.print(styled(("no events", "dim")))
