"""`surrender claims`: finance's review, export and reconciliation."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Optional

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, emit

app = typer.Typer(help="Review, approve, export and mark paid compensation claims (finance; managers "
                       "approve flagged claims).", no_args_is_help=True)

LIST_COLUMNS = ["reference", "station", "surrendered_at", "status", "void", "items", "claimed", "payable", "flagged",
                "manager_approved", "batch", "claimant"]

TABLE_COLUMNS = ["reference", "station", "status", "void", "items", "payable", "flagged", "batch"]


def parse_day(value: Optional[str], option: str) -> Optional[dt.date]:
    if not value:
        return None
    from surrender.rules.items import parse_date

    return parse_date(value, option)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Optional[str] = typer.Option(None, "--status", help="pending, approved, rejected, exported, paid, not_payable."),
    station: Optional[str] = typer.Option(None, "--station", help="Only this station (TW, PK)."),
    date_from: Optional[str] = typer.Option(None, "--from", help="Surrendered on or after (YYYY-MM-DD, local)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Surrendered on or before (YYYY-MM-DD, local)."),
    flagged: Optional[bool] = typer.Option(None, "--flagged/--not-flagged", help="Only claims flagged (or not) for manager review."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """List claims, oldest first. Claimant names are masked.

    Example: `surrender claims list --status pending --flagged`
    """
    from surrender.services.claims import ClaimFilter, list_claims

    where = ClaimFilter(status=status, station=station, date_from=parse_day(date_from, "--from"),
                        date_to=parse_day(date_to, "--to"), flagged=flagged)
    rows = list_claims(ctx.obj, where)
    columns = LIST_COLUMNS if fmt != Format.table else TABLE_COLUMNS
    emit(rows, fmt, columns, title="Claims", empty="no claims match")


@app.command("approve")
def approve(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender whose claim to approve."),
    note: Optional[str] = typer.Option(None, "--note", help="A note kept with the decision."),
) -> None:
    """Approve a pending claim for payment (finance). A flagged claim needs a manager's approval
    first: a manager running this records that sign-off.

    Example: `surrender claims approve TW-Z24-000017-7 --note "receipt checked"`
    """
    from surrender.services.claims import approve_claim

    console().print(approve_claim(ctx.obj, reference, note))


@app.command("reject")
def reject(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender whose claim to reject."),
    reason: str = typer.Option(..., "--reason", help="Why (told to the claimant; kept in the audit trail)."),
) -> None:
    """Reject a pending claim (finance or manager).

    Example: `surrender claims reject TW-Z24-000017-7 --reason "declaration withdrawn"`
    """
    from surrender.services.claims import reject_claim

    console().print(reject_claim(ctx.obj, reference, reason))


class ExportFormat(str, enum.Enum):
    csv = "csv"
    json = "json"


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="File to write (owner-only permissions)."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", help="csv or json."),
    batch: Optional[int] = typer.Option(None, "--batch", help="Re-create past batch ID byte for byte."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be exported; change nothing."),
) -> None:
    """Export every approved claim not yet exported (and not void) as one new payment batch.

    Each claim lands in exactly one batch, ever. The batch records who, when, how many, the
    total and the file's SHA-256. Example: `surrender claims export --out batch.csv`
    """
    from surrender.rules.money import format_gbp
    from surrender.services.export import export_claims, recreate_batch

    if batch is not None:
        result = recreate_batch(ctx.obj, batch, out)
        console().print(f"Re-created batch {result.batch}: {result.count} claims, {format_gbp(result.total_pence)} "
                        f"-> {result.path} (sha256 {result.sha256} matches)")
        return
    result = export_claims(ctx.obj, out, fmt.value, dry_run=dry_run)
    if dry_run:
        emit([{k: r[k] for k in ("reference", "station", "items", "amount")} for r in result.rows], Format.table,
             ["reference", "station", "items", "amount"], title="Would export")
        console().print(f"Dry run: {result.count} claims, {format_gbp(result.total_pence)}; nothing written.")
        return
    console().print(f"Batch {result.batch}: {result.count} claims, {format_gbp(result.total_pence)} -> {result.path}\n"
                    f"sha256 {result.sha256}")


@app.command("paid")
def paid(
    ctx: typer.Context,
    file: Path = typer.Option(..., "--file", help="Remittance CSV with reference and amount columns."),
) -> None:
    """Mark exported claims paid from a remittance file. Any bad line refuses the whole file,
    listing every problem, and nothing changes.

    Example: `surrender claims paid --file remittance-2024-10-01.csv`
    """
    from surrender.rules.money import format_gbp
    from surrender.services.payments import mark_paid

    result = mark_paid(ctx.obj, file)
    console().print(f"Marked {result.count} claims paid, {format_gbp(result.total_pence)} "
                    f"(batch {', '.join(map(str, result.batches))}).")
