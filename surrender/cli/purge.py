"""`surrender purge`: anonymise claimants of closed claims past the retention date (admin)."""

import datetime as dt
from typing import TYPE_CHECKING

import typer

from surrender.cli.output import console

if TYPE_CHECKING:
    from surrender.services.purge import PurgeResult


def register(app: typer.Typer) -> None:
    app.command("purge")(purge)


def purge(
    ctx: typer.Context,
    before: dt.datetime = typer.Option(
        ...,
        "--before",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Retention date (YYYY-MM-DD): closed claims surrendered before it.",
    ),
) -> None:
    """Anonymise the claimants (name, address, contact, bank details) of closed claims (paid,
    rejected, not payable, voided, or no claim) surrendered before DATE, and erase what staff
    typed about those surrenders (reasons, notes, item descriptions). Then the copies: a SQLite
    database is vacuumed and its write-ahead log emptied, the receipts of those surrenders are
    removed from the receipts folder (a reprint prints without the person), and the copies out
    of reach (export files and claim packs sent, backups, evidence taken out) are listed with
    their paths to expire by hand. Refused if a claim before DATE is still open. Totals and
    `audit verify` are unaffected (admin, PIN).

    Example: `surrender purge --before 2025-01-01`
    """
    from surrender.services.purge import purge as run

    result = run(ctx.obj, before.date())
    for line in purge_report(result):
        console().print(line, markup=False, highlight=False)


def purge_report(result: "PurgeResult") -> list[str]:
    """What was erased, where, and what the tool could not reach: a line each, a copy a line."""
    from surrender.clock import show_time

    lines = [
        f"Purged the personal data of {result.claimants} claimant(s) of closed claims "
        f"surrendered before {result.before.isoformat()}; erased {result.texts_erased} reason(s), "
        "note(s) and description(s) typed about them."
    ]
    if result.receipts_removed:
        folder = result.receipts_removed[0].parent
        lines.append(
            f"Receipts: removed {len(result.receipts_removed)} file(s) from {folder} "
            "(`surrender receipt REF` prints one again, without the person)."
        )
    wipe = result.database
    if wipe is not None and wipe.backend == "postgresql":
        from surrender.services.erasure import POSTGRES_ADVICE

        lines.append(f"Database: {POSTGRES_ADVICE}")
    elif wipe is not None and wipe.problem:
        lines.append(
            f"Database: NOT vacuumed ({wipe.problem}): the freed pages still hold old bytes; when no terminal "
            "is writing run: sqlite3 DATABASE 'PRAGMA secure_delete=ON; VACUUM; PRAGMA wal_checkpoint(TRUNCATE);'"
        )
    elif wipe is not None:
        log = (
            "write-ahead log emptied"
            if wipe.wal_emptied
            else (f"write-ahead log {wipe.wal} still open in another terminal: it empties when they all close")
        )
        lines.append(f"Database: freed pages vacuumed with secure_delete on; {log}.")
    if result.copies:
        lines.append("Files already sent, out of reach (expire or delete them by hand):")
        lines += [
            f"  {c.kind} {c.label}, {show_time(c.made_at)}: {c.where or 'where to was not recorded'}"
            for c in result.copies
        ]
    return lines
