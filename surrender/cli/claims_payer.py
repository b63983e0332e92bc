"""`surrender claims add-evidence | evidence | pack | decisions | dispute`: evidence kept with a
claim, and the claim after the counter when the scheme's payer (the Home Office) decides and
pays it (issue 17). Registered onto the `claims` sub-app by `register`."""

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from surrender.cli.helpformat import NOT_PERSONAL
from surrender.cli.output import FORMAT_HELP, Format, console, emit, say, styled

if TYPE_CHECKING:
    from surrender.rules.claimant import ClaimantDetails
    from surrender.rules.evidence import EvidenceFile
    from surrender.rules.modulus import ModulusTables
    from surrender.services.context import Context


def evidence_for_log(paths: list[Path] | None, claiming: bool) -> "tuple[EvidenceFile, ...]":
    """`log --evidence`: each file read and checked before any question is asked or anything
    is written; evidence goes with a claim."""
    if not paths:
        return ()
    if not claiming:
        from surrender.errors import Refused

        raise Refused("evidence goes with a compensation claim: drop --evidence, or drop --anonymous/--no-claim")
    from surrender.evidence_files import read_all

    return read_all(paths)


def bank_tables(context: "Context", sort_code: str | None) -> "ModulusTables | None":
    """The modulus tables in use on this database (`db modulus-tables`; None: the package's
    own), read only when there are bank details to check."""
    if not sort_code:
        return None
    from surrender.services.modulus import tables_for

    return tables_for(context)


def warn_about_bank(claimant: "ClaimantDetails | None", tables: "ModulusTables | None") -> None:
    """After `make_claimant` (which refused a pair failing the modulus check): an unknown sort
    code is a warning on stderr, and the surrender goes ahead."""
    if claimant is None or not claimant.has_bank_details:
        return
    from surrender.rules.claimant import check_bank_pair

    warning = check_bank_pair(claimant.sort_code, claimant.account_number, tables)
    if warning:
        say(("Warning:", "bold yellow"), f" {warning}", stderr=True)


def warn_about_pair(context: "Context", sort_code: str | None, account_number: str | None) -> None:
    """After `claims set-payment` saved both: the unknown-sort-code warning, if any (a failing
    pair was refused by the service)."""
    if not (sort_code and account_number):
        return
    from surrender.rules.claimant import check_bank_pair, normalise_account_number, normalise_sort_code
    from surrender.services.modulus import tables_for

    warning = check_bank_pair(
        normalise_sort_code(sort_code), normalise_account_number(account_number), tables_for(context)
    )
    if warning:
        say(("Warning:", "bold yellow"), f" {warning}", stderr=True)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 2**20:,.1f} MB"


def add_evidence(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender whose claim the evidence supports."),
    files: list[Path] = typer.Argument(..., help="Scans or photos: PDF, JPEG or PNG (checked by content)."),
) -> None:
    """Keep scans or photos of receipts, invoices or statements with a claim, while it is
    pending or approved (desk, finance, manager). PDF, JPEG or PNG only, told by their content
    whatever their name; at most 15 MB a file and 10 files (60 MB) a claim. Each file's SHA-256
    goes in the audit trail; the file stays in the database, so backups carry it.

    Example: `surrender claims add-evidence TW-Z24-000017-7 receipt.pdf photo.jpg`
    """
    from surrender.evidence_files import read_all
    from surrender.services.evidence import add_evidence as keep

    kept = keep(ctx.obj, reference, read_all(files))
    out = console()
    for info in kept:
        out.print(
            styled(
                f"{info.reference}: kept evidence {info.number} ",
                (info.name or "", "bold"),
                f" ({info.media_type.split('/')[1].upper()}, {_size(info.size)}) sha256 {info.sha256}",
            )
        )


EVIDENCE_COLUMNS = [
    "reference",
    "number",
    "file",
    "name",
    "media_type",
    "size",
    "sha256",
    "added_at",
    "added_by",
    "purged_at",
]


def evidence(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder to write the files into (REF-e1.pdf, ...; created if missing, no file is ever replaced).",
    ),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """List the evidence kept with a claim, or extract it with --out (finance, manager).
    Extracting is audited; files are written owner-only.

    Example: `surrender claims evidence TW-Z24-000017-7 --out ~/evidence/`
    """
    from surrender.clock import iso, show_time
    from surrender.services.evidence import extract_evidence, list_evidence

    if out is not None:
        for info, path in extract_evidence(ctx.obj, reference, out):
            console().print(f"{info.reference}: evidence {info.number} -> {path} (sha256 {info.sha256})")
        return
    rows = list_evidence(ctx.obj, reference)
    if fmt != Format.table:
        emit(
            [{**vars(r), "added_at": iso(r.added_at), "purged_at": iso(r.purged_at)} for r in rows],
            fmt,
            EVIDENCE_COLUMNS,
        )
        return
    table = [
        {
            "number": r.number,
            "file": r.file,
            "name": "(purged)" if r.purged_at else r.name,
            "type": r.media_type.split("/")[1].upper(),
            "size": _size(r.size),
            "sha256": r.sha256[:16] + "...",
            "added": f"{show_time(r.added_at)} by {r.added_by}",
        }
        for r in rows
    ]
    emit(
        table,
        Format.table,
        ["number", "file", "name", "type", "size", "sha256", "added"],
        title=f"Evidence kept with {reference.strip().upper()}",
        empty="no evidence kept with this claim",
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def pack(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="New .zip to write, owner-only (never replaces a file)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would go in the pack and what is held back; write and change nothing."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="With --dry-run: " + FORMAT_HELP),
    batch: int | None = typer.Option(
        None, "--batch", min=1, max=2**31 - 1, help="Write past claim pack N again (checked against its SHA-256)."
    ),
) -> None:
    """Send the approved claims of a Home Office scheme (campaign `payer = "home-office"`) to
    the payer as one claim pack (finance): a zip with a manifest (CSV and JSON) of every claim,
    line and evidence file with its SHA-256, a claim form PDF per claim, the evidence files,
    a decisions template and the audit anchor. A pack is a batch numbered with the exports;
    each claim goes out in exactly one of them. Claims without payment details, or whose bank
    details fail the modulus check, are held back and listed.

    \b
    Examples:
      surrender claims pack --dry-run
      surrender claims pack --out pack-2024-09-30.zip
      surrender claims pack --batch 3 --out pack-3-again.zip
    """
    from surrender.rules.money import format_gbp
    from surrender.services.pack import pack_claims, plan_pack, repack_batch

    if batch is not None:
        if dry_run:
            raise typer.BadParameter("--dry-run lists the next pack; it takes no --batch", param_hint="--batch")
        if out is None:
            raise typer.BadParameter("name the new file with --out FILE.zip", param_hint="--out")
        again = repack_batch(ctx.obj, batch, out)
        for note in again.notes:
            console(stderr=True).print(f"Note: {note}")
        console().print(
            f"Re-created batch {again.batch} (claim pack): {_plural(again.count, 'claim')}, "
            f"{format_gbp(again.total_pence)} -> {again.path} (the same bytes as recorded: sha256 {again.sha256})"
        )
        return

    if dry_run:
        result = plan_pack(ctx.obj)
        plan = [{"reference": ref, "action": "pack", "missing": ""} for ref in result.references]
        plan += [
            {"reference": h["reference"], "action": "held back", "missing": h["missing"]} for h in result.held_back
        ]
        if fmt != Format.table:
            emit(plan, fmt, ["reference", "action", "missing"])
            return
        emit(
            plan,
            Format.table,
            ["reference", "action", "missing"],
            title="Claim pack (dry run)",
            empty="nothing would be packed",
        )
        console().print(
            f"Dry run: {_plural(result.count, 'claim')}, {format_gbp(result.total_pence)}; nothing written."
        )
        return
    if out is None:
        raise typer.BadParameter("name the pack with --out FILE.zip (or look first with --dry-run)", param_hint="--out")
    result = pack_claims(ctx.obj, out)
    for note in result.notes:
        console(stderr=True).print(f"Note: {note}")
    console().print(
        f"Batch {result.batch} (claim pack): {_plural(result.count, 'claim')}, "
        f"{format_gbp(result.total_pence)}, {_plural(result.evidence_files, 'evidence file')} "
        f"-> {result.path}\nsha256 {result.sha256}"
    )
    if result.held_back:
        console().print(
            f"Held back {_plural(len(result.held_back), 'claim')} (complete with "
            "`surrender claims set-payment REF`; they go in a later pack):"
        )
        for held in result.held_back:
            console().print(f"  {held['reference']}  {held['amount']}  {held['missing']}")


def decisions(
    ctx: typer.Context,
    file: Path = typer.Option(
        ...,
        "--file",
        help="The payer's decisions CSV: reference, line (empty: the whole "
        "claim), allowed, reason (needed when nothing is allowed).",
    ),
) -> None:
    """Record the payer's decisions on claims sent in a claim pack (finance): per claim or per
    item line, the amount allowed or refused with a reason. Any bad row refuses the whole
    file and nothing changes (a claim not in a pack, void, unknown, already decided, or an
    amount above what was claimed); more than five problems are listed in full in a new file
    beside it (`decisions.csv.errors.txt`), the first five quoted. Something allowed: the claim is
    decided and the remittance pays that amount; nothing: refused.

    Example: `surrender claims decisions --file home-office-decisions-2024-10-14.csv`
    """
    from surrender.rules.money import format_gbp
    from surrender.services.decisions import record_decisions

    result = record_decisions(ctx.obj, file)
    console().print(
        f"Recorded the payer's decisions on {_plural(result.claims, 'claim')}: {result.decided} decided, "
        f"{result.refused} refused; {format_gbp(result.allowed_pence)} allowed of "
        f"{format_gbp(result.claimed_pence)} claimed."
    )


def dispute(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender whose claim is disputed."),
    note: str = typer.Option(..., "--note", help=f"What the claimant disputes, or the payer's answer. {NOT_PERSONAL}"),
    outcome: str | None = typer.Option(
        None,
        "--outcome",
        help="upheld (back to the payer for a new decision) "
        "or dismissed (the decision stands): closes the open dispute.",
    ),
) -> None:
    """Record a claimant's dispute of the payer's decision, then its outcome (finance, manager).

    \b
    Examples:
      surrender claims dispute TW-Z24-000017-7 --note "receipt for line 2 was sent late"
      surrender claims dispute TW-Z24-000017-7 --outcome upheld --note "payer will decide again"
    """
    from surrender.services.decisions import dispute as record

    console().print(record(ctx.obj, reference, note, outcome))


def register(app: typer.Typer) -> None:
    app.command("add-evidence")(add_evidence)
    app.command("evidence")(evidence)
    app.command("pack")(pack)
    app.command("decisions")(decisions)
    app.command("dispute")(dispute)
