"""`surrender purge`: anonymise claimants of closed claims past the retention date (admin)."""

import datetime as dt

import typer

from surrender.cli.output import console


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
    rejected, not payable, voided, or no claim) surrendered before DATE. Refused if a claim
    before DATE is still open. Totals and `audit verify` are unaffected (admin, PIN).

    Example: `surrender purge --before 2025-01-01`
    """
    from surrender.services.purge import purge as run

    result = run(ctx.obj, before.date())
    console().print(
        f"Purged the personal data of {result.claimants} claimant(s) of closed claims "
        f"surrendered before {result.before.isoformat()}.",
        markup=False,
    )
