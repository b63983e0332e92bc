"""`surrender claims`: finance's review, export and reconciliation."""

import datetime as dt
import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from surrender.cli.helpformat import NOT_PERSONAL
from surrender.cli.output import FORMAT_HELP, Format, console, emit, print_json, say, styled

if TYPE_CHECKING:
    from surrender.services.claims import ClaimRow
    from surrender.services.export import HeldBack

app = typer.Typer(
    help="Review, approve, export and mark paid compensation claims (finance; managers approve flagged claims).",
    no_args_is_help=True,
)

LIST_COLUMNS = [
    "reference",
    "station",
    "date",
    "surrendered_at",
    "status",
    "void",
    "items",
    "claimed",
    "payable",
    "flagged",
    "flags",
    "manager_approval",
    "batch",
    "bank_details",
    "claimant",
    "business",
]

TABLE_COLUMNS = [
    "reference",
    "station",
    "date",
    "status",
    "void",
    "claimed",
    "payable",
    "flags",
    "manager_approval",
    "batch",
    "bank_details",
    "claimant",
]

# What a narrow terminal gives up first in `claims list` (cli/layout.py): the status and the
# claimant matter more to finance than where and when.
NARROW_DROPS = ["flags", "batch", "bank_details", "manager_approval", "void", "station", "date"]


def parse_day(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    from surrender.rules.bounds import day_in_range
    from surrender.rules.items import parse_date

    return day_in_range(parse_date(value, option), option)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None, "--status", help="pending, approved, rejected, exported, paid, not_payable."
    ),
    station: str | None = typer.Option(None, "--station", help="Only this station (TW, PK)."),
    date_from: str | None = typer.Option(None, "--from", help="Surrendered on or after (YYYY-MM-DD, local)."),
    date_to: str | None = typer.Option(None, "--to", help="Surrendered on or before (YYYY-MM-DD, local)."),
    flagged: bool | None = typer.Option(
        None, "--flagged/--not-flagged", help="Only claims flagged (or not) for manager review."
    ),
    awaiting_manager: bool = typer.Option(
        False, "--awaiting-manager", help="Only flagged pending claims with no manager approval yet."
    ),
    needs_payment: bool = typer.Option(
        False,
        "--needs-payment",
        help="Only pending or approved claims whose bank details are missing or fail the banks' modulus check "
        "(complete or correct them with `claims set-payment`).",
    ),
    flag: str | None = typer.Option(
        None,
        "--flag",
        help="Only claims flagged for this reason: shared-account, several-stations, above-price-list, "
        "acquired-after-cutoff.",
    ),
    search: str | None = typer.Option(
        None,
        "--search",
        help="Part of the claimant's name, business or postcode (any case; spaces in postcodes optional).",
    ),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """List claims, oldest first, with what finance decides on: date (local), status, claimed,
    payable (0 once rejected, not payable or void), flags, manager approval, batch and whether
    bank details are complete. Finance sees claimant names; managers see them masked, and
    `--search` still finds the claim.

    Patterns flagged for a manager (`--flag`): shared-account (one bank account on different
    claimants' claims), several-stations (one claimant, name and postcode, at several stations),
    above-price-list (a value above the campaign's price list for the model), acquired-after-cutoff
    (an item acquired after the ownership cut-off).

    Example: `surrender claims list --needs-payment --station TW --search smith`;
    `surrender claims list --flag shared-account --format csv`
    """
    from surrender.services.claims import ClaimFilter, list_claims

    where = ClaimFilter(
        status=status,
        station=station,
        date_from=parse_day(date_from, "--from"),
        date_to=parse_day(date_to, "--to"),
        flagged=flagged,
        awaiting_manager=awaiting_manager,
        needs_payment=needs_payment,
        search=search,
        flag=flag,
    )
    rows = [claim_cells(row) for row in list_claims(ctx.obj, where)]
    columns = LIST_COLUMNS if fmt != Format.table else TABLE_COLUMNS
    emit(rows, fmt, columns, title="Claims", empty="no claims match", drop_first=NARROW_DROPS)


def manager_approval(flagged: bool, approved_at: dt.datetime | None) -> str:
    """What `claims list` says of a manager's sign-off: approved, needed, or nothing to sign."""
    if approved_at is not None:
        return "approved"
    return "needed" if flagged else ""


def claim_cells(row: "ClaimRow") -> dict[str, Any]:
    """A `ClaimRow` as `claims list` prints it: money as `1234.50`, times local ISO."""
    from surrender.clock import iso
    from surrender.rules.money import format_pence

    return {
        "reference": row.reference,
        "station": row.station,
        "date": row.surrendered_on.isoformat(),
        "surrendered_at": iso(row.surrendered_at),
        "status": row.status.value,
        "void": row.void,
        "items": row.items,
        "claimed": format_pence(row.claimed_pence),
        "payable": format_pence(row.payable_pence),
        "flagged": row.flagged,
        "flags": list(row.flags),
        "manager_approval": manager_approval(row.flagged, row.manager_approved_at),
        "batch": row.batch,
        "bank_details": row.bank_details,
        "claimant": row.claimant,
        "business": row.business,
    }


@app.command("set-payment")
def set_payment(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender whose claim to complete."),
    sort_code: str | None = typer.Option(None, "--sort-code", help="6-digit sort code, e.g. 12-34-56."),
    account_number: str | None = typer.Option(None, "--account-number", help="8-digit account number."),
    account_name: str | None = typer.Option(None, "--account-name", help="Name on the account (default: claimant)."),
    phone: str | None = typer.Option(None, "--phone", help="Claimant's phone number."),
    email: str | None = typer.Option(None, "--email", help="Claimant's email address."),
    address: str | None = typer.Option(None, "--address", help="Claimant's address."),
    postcode: str | None = typer.Option(None, "--postcode", help="Claimant's postcode."),
) -> None:
    """Add or correct a claimant's bank and contact details (finance) while the claim is pending
    or approved, so it can go in the next export. Only what you give changes; the audit trail
    records which fields changed, never their values.

    Example: `surrender claims set-payment TW-Z24-000017-7 --sort-code 12-34-56 --account-number 12345678`
    """
    from surrender.services.claims import PaymentDetails
    from surrender.services.claims import set_payment as complete

    details = PaymentDetails(
        sort_code=sort_code,
        account_number=account_number,
        account_name=account_name,
        phone=phone,
        email=email,
        address=address,
        postcode=postcode,
    )
    console().print(complete(ctx.obj, reference, details))
    from surrender.cli.claims_payer import warn_about_pair

    warn_about_pair(ctx.obj, sort_code, account_number)  # an unknown sort code: a warning on stderr


@app.command("batches")
def batches(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Every export batch: when (local), who, how many claims and how much, what has been paid
    and what is outstanding, and the file's name and SHA-256 (finance, manager).

    Example: `surrender claims batches --format csv`
    """
    from surrender.clock import iso, show_time
    from surrender.rules.money import format_gbp, format_pence
    from surrender.services.batches import list_batches
    from surrender.services.export import finish_interrupted

    rows = list_batches(ctx.obj)
    for note in finish_interrupted(ctx.obj):  # an export killed part-way is finished or undone first
        say((note, "yellow"), stderr=True)
    if fmt != Format.table:
        cells = [
            {
                "batch": r.batch,
                "exported_at": iso(r.exported_at),
                "staff": r.staff,
                "staff_name": r.staff_name,
                "claims": r.claims,
                "total": format_pence(r.total_pence),
                "paid_claims": r.paid_claims,
                "paid": format_pence(r.paid_pence),
                "outstanding_claims": r.outstanding_claims,
                "outstanding": format_pence(r.outstanding_pence),
                "format": r.format,
                "sha256": r.sha256,
                "filename": r.filename,
            }
            for r in rows
        ]
        emit(
            cells,
            fmt,
            [
                "batch",
                "exported_at",
                "staff",
                "staff_name",
                "claims",
                "total",
                "paid_claims",
                "paid",
                "outstanding_claims",
                "outstanding",
                "format",
                "sha256",
                "filename",
            ],
        )
        return
    table = [
        {
            "batch": r.batch,
            "when": show_time(r.exported_at),
            "by": r.staff,
            "claims": r.claims,
            "total": format_gbp(r.total_pence),
            "paid": f"{r.paid_claims} · {format_gbp(r.paid_pence)}",
            "outstanding": f"{r.outstanding_claims} · {format_gbp(r.outstanding_pence)}",
            "sha256": r.sha256[:12],
            "file": r.filename,
        }
        for r in rows
    ]
    emit(
        table,
        Format.table,
        ["batch", "when", "by", "claims", "total", "paid", "outstanding", "sha256", "file"],
        title="Export batches",
        empty="no batches exported yet",
        drop_first=["sha256", "file", "by"],
    )


@app.command("status")
def status(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="The reference on the claimant's receipt."),
    postcode: str = typer.Option(
        ..., "--postcode", help="The claimant's whole postcode, as a check (any case or spacing)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Answer "where is my money?" (desk, finance, manager): the claim's status, its dates
    (logged, approved, exported, paid) and the amount payable, nothing else; for a Home Office
    scheme, "with the Home Office since DATE", "decided" or "paid". The whole postcode must
    match the claimant's; any mismatch says only "no match" (check both the reference and the
    postcode). Five misses in an hour, by a member or from a terminal, stop lookups for the
    rest of that hour. Matches are audited; a member's misses, once an hour.

    Example: `surrender claims status TW-Z24-000017-7 --postcode "CB1 1JG"`
    """
    from surrender.clock import iso, local, show_time
    from surrender.rules.money import format_gbp, format_pence
    from surrender.services.claim_status import claim_status

    found = claim_status(ctx.obj, reference, postcode)
    state = "void" if found.void else found.status.value
    standing = None
    if found.payer is not None and not found.void:
        since = found.payer.since
        standing = found.payer.words + (f" {local(since).strftime('%d %b %Y')}" if since else "")
    dates = {
        "logged": found.logged,
        "approved": found.approved,
        "rejected": found.rejected,
        "exported": found.exported,
        "paid": found.paid,
    }
    if fmt != Format.table:
        cells = {
            "reference": found.reference,
            "status": state,
            "standing": standing,
            **{k: iso(v) for k, v in dates.items()},
            "payable": format_pence(found.payable_pence),
        }
        if fmt == Format.json:
            print_json(cells)
        else:
            emit([cells], fmt, list(cells))
        return
    out = console()
    out.print(styled((found.reference, "bold"), f"  {standing or state}"))
    for label, when in dates.items():
        if when:
            out.print(f"  {label:<9} {show_time(when)}")
    out.print(styled("  payable   ", (format_gbp(found.payable_pence), "bold")))


@app.command("approve")
def approve(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender whose claim to approve."),
    note: str | None = typer.Option(None, "--note", help=f"A note kept with the decision. {NOT_PERSONAL}"),
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
    reason: str = typer.Option(
        ..., "--reason", help=f"Why (told to the claimant; kept in the audit trail). {NOT_PERSONAL}"
    ),
) -> None:
    """Reject a pending claim (finance or manager).

    Example: `surrender claims reject TW-Z24-000017-7 --reason "declaration withdrawn"`
    """
    from surrender.services.claims import reject_claim

    console().print(reject_claim(ctx.obj, reference, reason))


class ExportFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


PLAN_COLUMNS = ["reference", "station", "items", "amount", "action", "missing"]


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None,
        "--out",
        help="New file to write, owner-only; an existing file, a "
        "folder or the database is refused. Not needed with --dry-run.",
    ),
    fmt: ExportFormat | None = typer.Option(
        None, "--format", help="File format: csv (default) or json. With --dry-run: table (default), csv or json."
    ),
    batch: int | None = typer.Option(
        None, "--batch", min=1, max=2**31 - 1, help="Write past batch N again (checked against its SHA-256)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would be exported and what is held back; write and change nothing."
    ),
) -> None:
    """Export every approved claim not yet exported (and not void) as one new payment batch.

    Each claim lands in exactly one batch, ever. A claim without complete payment details
    (sort code, account number, account name) is held back and listed; it goes in a later
    batch once `surrender claims set-payment` completes it. The batch records who, when, how
    many, the total and the file's SHA-256; the file carries the audit anchor. A batch and
    its file exist together: an export interrupted by a crash is finished (or its staged
    file removed) by the next export.

    \b
    Examples:
      surrender claims export --dry-run
      surrender claims export --out batch-2024-09-30.csv
      surrender claims export --batch 3 --format json --out batch-3.json
    """
    from surrender.rules.money import format_gbp, format_pence
    from surrender.services.export import export_claims, plan_export, recreate_batch

    if dry_run:
        if batch is not None:
            raise typer.BadParameter("--dry-run lists the next batch; it takes no --batch", param_hint="--batch")
        result = plan_export(ctx.obj)
        held_back = [held_cells(h) for h in result.held_back]
        plan = [
            {
                "reference": r.reference,
                "station": r.station,
                "items": r.items,
                "amount": format_pence(r.amount_pence),
                "action": "export",
                "missing": "",
            }
            for r in result.rows
        ]
        plan += [{**h, "items": None, "action": "held back"} for h in held_back]
        shown = fmt or ExportFormat.table
        if shown != ExportFormat.table:
            emit(plan, Format(shown.value), PLAN_COLUMNS)
            return
        emit(
            [p for p in plan if p["action"] == "export"],
            Format.table,
            ["reference", "station", "items", "amount"],
            title="Would export",
            empty="nothing would be exported",
        )
        if held_back:
            emit(
                held_back,
                Format.table,
                ["reference", "station", "amount", "missing"],
                title="Held back: payment details missing",
            )
        held = f"; {plural(len(result.held_back), 'claim')} held back" if result.held_back else ""
        console().print(
            f"Dry run: {plural(result.count, 'claim')}, {format_gbp(result.total_pence)}{held}; nothing written."
        )
        return
    if fmt == ExportFormat.table:
        raise typer.BadParameter("table is only for --dry-run; an export file is csv or json", param_hint="--format")
    if out is None:
        raise typer.BadParameter(
            "name the export file with --out FILE (or look first with --dry-run)", param_hint="--out"
        )
    if batch is not None:
        result = recreate_batch(ctx.obj, batch, out, fmt.value if fmt else None)
        _notes(result.notes)
        console().print(
            f"Re-created batch {result.batch} as {result.format}: {plural(result.count, 'claim')}, "
            f"{format_gbp(result.total_pence)} -> {result.path} (checked against its recorded "
            f"sha256; this file's sha256 {result.sha256})"
        )
        return
    result = export_claims(ctx.obj, out, (fmt or ExportFormat.csv).value)
    _notes(result.notes)
    console().print(
        f"Batch {result.batch}: {plural(result.count, 'claim')}, {format_gbp(result.total_pence)} "
        f"-> {result.path}\nsha256 {result.sha256}"
    )
    if result.held_back:
        console().print(
            f"Held back {plural(len(result.held_back), 'claim')} without payment details "
            "(complete with `surrender claims set-payment REF`; they go in a later batch):"
        )
        for cells in map(held_cells, result.held_back):
            console().print(f"  {cells['reference']}  {cells['amount']}  {cells['missing']}")


def held_cells(held: "HeldBack") -> dict[str, str]:
    """A claim held back from an export, as listed: amount `1234.50`, what is missing in one cell."""
    from surrender.rules.money import format_pence

    return {
        "reference": held.reference,
        "station": held.station,
        "amount": format_pence(held.amount_pence),
        "missing": "; ".join(held.missing),
    }


def _notes(notes: list[str]) -> None:
    for note in notes:
        console(stderr=True).print(f"Note: {note}")


@app.command("paid")
def paid(
    ctx: typer.Context,
    file: Path = typer.Option(..., "--file", help="Remittance CSV with reference and amount columns."),
) -> None:
    """Mark exported claims paid from a remittance file. Any bad line refuses the whole file
    and nothing changes; the refusal quotes the first five problems and, when there are more,
    lists every one in a new file beside the remittance (`remittance.csv.errors.txt`).

    Example: `surrender claims paid --file remittance-2024-10-01.csv`
    """
    from surrender.rules.money import format_gbp
    from surrender.services.payments import mark_paid

    result = mark_paid(ctx.obj, file)
    console().print(
        f"Marked {plural(result.count, 'claim')} paid, {format_gbp(result.total_pence)} "
        f"(batch {', '.join(map(str, result.batches))})."
    )
