"""Front-desk commands: log, show, receipt (reprint) and void."""

from __future__ import annotations

import contextlib
import enum
import sys
from pathlib import Path
from typing import List, Optional

import typer

from surrender.cli.output import FORMAT_HELP, Format, console, print_json, say, styled
from surrender.item_spec_help import ITEM_SPEC_HELP


class Paper(str, enum.Enum):
    a4 = "a4"
    roll = "80mm"


def log(
    ctx: typer.Context,
    at: Optional[str] = typer.Option(None, "--at", help="When it was handed in, if not now (paper forms): "
                                     "`2024-09-01 14:30` is Europe/London time."),
    anonymous: bool = typer.Option(False, "--anonymous", help="No claimant details and no claim."),
    no_claim: bool = typer.Option(False, "--no-claim", help="Named surrender without a compensation claim."),
    name: Optional[str] = typer.Option(None, "--name", help="Claimant's full name."),
    address: Optional[str] = typer.Option(None, "--address", help="Claimant's address."),
    postcode: Optional[str] = typer.Option(None, "--postcode", help="Claimant's postcode."),
    phone: Optional[str] = typer.Option(None, "--phone"),
    email: Optional[str] = typer.Option(None, "--email"),
    business: Optional[str] = typer.Option(None, "--business", help="Business name, for a retailer's claim."),
    declare: bool = typer.Option(False, "--declare", help="The claimant makes the ownership declaration (needed to claim)."),
    sort_code: Optional[str] = typer.Option(None, "--sort-code", help="For payment: 6-digit sort code."),
    account_number: Optional[str] = typer.Option(None, "--account-number", help="For payment: 8-digit account number."),
    account_name: Optional[str] = typer.Option(None, "--account-name", help="Name on the account (default: claimant)."),
    items_file: Optional[Path] = typer.Option(None, "--items", help="CSV of items, one per row (columns above).",
                                              exists=False, dir_okay=False),
    item: Optional[List[str]] = typer.Option(None, "--item", help=ITEM_SPEC_HELP),
    paper: Paper = typer.Option(Paper.a4, "--paper", help="Receipt paper: a4 or 80mm roll."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, or json for one object (csv: same as json)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Save without asking after the interactive preview."),
) -> None:
    """Log a surrender: items, eligibility and compensation, a reference and a receipt.

    Items come from `--items FILE.csv` (header: kind, description, blade_length, plain_edge,
    sharp_point, serrated_length, serrated_at_handle, holes, spikes, points, secondary_edge,
    blunt_spine, point_style, claimed_value, evidence, acquired_on, quantity, seal; empty cell =
    default, booleans yes/no, a bare length is inches), from one or more `--item`, or, on a
    terminal with neither, from guided prompts that show the compensation before saving.

    \b
    Example:
      surrender log --name "Jane Smith" --address "1 High St, Cambridge" \\
        --postcode "CB1 1JG" --declare \\
        --item zombie-knife:10in:plain:point:serrated=3in \\
        --item zombie-machete:18in:plain:point:holes=3 \\
        --item zombie-knife:9in:plain:point:spikes
    """
    from surrender.cli import prompts
    from surrender.rules.claimant import make_claimant
    from surrender.rules.window import parse_local_datetime
    from surrender.services.surrenders import LogRequest, log_surrender

    context = ctx.obj
    if items_file and item:
        raise_refused("give --items FILE or --item, not both")
    interactive = not items_file and not item
    if interactive and not stdin_is_terminal():
        raise_refused("no items given: use --items FILE.csv or --item KIND:BLADE[:FEATURES] (prompts need a terminal)")
    when = parse_local_datetime(at) if at else None
    if interactive:
        from surrender.services.auth import audit_refusals, sign_in

        audit_refusals(context, lambda: sign_in(context, "log"))  # the PIN before the questions, not after
        request = prompts.ask_surrender(context, when, anonymous=anonymous, no_claim=no_claim, name=name,
                                        address=address, postcode=postcode, declare=declare, business=business)
        if request is None:
            console().print("Nothing saved.")
            raise typer.Exit(0)
        progress = None
    else:
        claimant = None
        if not anonymous:
            claimant = make_claimant(name, address, postcode, phone=phone, email=email, business_name=business,
                                     account_name=account_name, sort_code=sort_code, account_number=account_number)
        elif any((name, address, postcode, phone, email, business, sort_code, account_number)):
            raise_refused("an anonymous surrender takes no claimant details: drop --anonymous or the details")
        items, total_rows = _item_source(items_file, item)
        request = LogRequest(items=items, at=when, anonymous=anonymous, no_claim=no_claim,
                             claimant=claimant, declared=declare)
        progress = _progress_bar(total_rows) if fmt == Format.table and total_rows > 2000 else None
    if progress:
        with progress as (bar, advance):
            view = log_surrender(context, request, progress=advance)
    else:
        view = log_surrender(context, request)
    view = deliver_receipt(context, view, paper.value)
    with reference_kept(view):
        _print_view(view, fmt, heading="Saved")


def deliver_receipt(context, view, paper: str):
    """After the commit: write the receipt. The surrender is saved whatever happens here, so a
    failure is told with the reference and how to reprint, never raised."""
    from surrender.services.receipts import write_receipt

    try:
        return write_receipt(context, view, paper=paper)
    except Exception as exc:
        say((f"Saved as {view.reference}, but the receipt failed ({exc}); "
             f"reprint with `surrender receipt {view.reference}`", "yellow"), stderr=True)
        return view


@contextlib.contextmanager
def reference_kept(view):
    """Whatever goes wrong showing a saved surrender, its reference reaches the officer."""
    try:
        yield
    except BrokenPipeError:
        raise
    except Exception:
        say((f"Saved as {view.reference}.", "bold"), stderr=True)
        raise


def stdin_is_terminal() -> bool:
    """Prompts only make sense with a person at a keyboard (tests replace this)."""
    return sys.stdin.isatty()


def _item_source(items_file: Path | None, specs: list[str] | None):
    from surrender.items_csv import ItemsFile
    from surrender.rules.items import item_from_spec

    if items_file is not None:
        items = ItemsFile(items_file)
        return items, items.count_rows()
    return [item_from_spec(spec) for spec in specs or []], len(specs or [])


class _Progress:
    def __init__(self, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.progress = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console(stderr=True), transient=True)
        self.task = self.progress.add_task("Logging items", total=total)

    def __enter__(self):
        self.progress.__enter__()
        return self.progress, lambda done: self.progress.update(self.task, completed=done)

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)


def _progress_bar(total: int) -> _Progress | None:
    return _Progress(total) if sys.stderr.isatty() else None


def raise_refused(message: str):
    from surrender.errors import Refused

    raise Refused(message)


def _print_view(view, fmt: Format, heading: str = "") -> None:
    if fmt in (Format.json, Format.csv):
        print_json(view.to_json())
        return
    from surrender.cli.render import render_view

    render_view(view, console(), heading)


def show(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference, e.g. TW-Z24-000017-7 (case and dashes optional)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Show one surrender: items, eligibility, compensation and claim status.

    Claimant details are masked unless you are finance. Example: `surrender show TW-Z24-000017-7 --format json`
    """
    from surrender.services.surrenders import show_surrender

    _print_view(show_surrender(ctx.obj, reference), fmt)


def receipt(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender."),
    paper: Paper = typer.Option(Paper.a4, "--paper", help="a4, or 80mm for a receipt-printer roll."),
) -> None:
    """Reprint a receipt; the copy is marked REPRINT (and VOID if the surrender was voided).

    Example: `surrender receipt TW-Z24-000017-7 --paper 80mm`
    """
    from surrender.services.receipts import reprint_receipt

    view = reprint_receipt(ctx.obj, reference, paper=paper.value)
    console().print(f"Reprinted {view.reference}: {view.receipt}")


def void(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender to void."),
    reason: str = typer.Option(..., "--reason", help="Why it is void (kept in the audit trail)."),
) -> None:
    """Void a surrender (manager only): its claim can never be exported or paid.

    Example: `surrender void TW-Z24-000017-7 --reason "logged twice"`
    """
    from surrender.services.surrenders import void_surrender

    view = void_surrender(ctx.obj, reference, reason)
    console().print(f"{view.reference} is now VOID: {view.void_reason}")


def desk(
    ctx: typer.Context,
    paper: Paper = typer.Option(Paper.a4, "--paper", help="Receipt paper for the whole session."),
) -> None:
    """Stay open for a shift: log surrender after surrender through the guided prompts, each in
    milliseconds because the database and PDF stacks are loaded once.

    A refusal (say, a time outside the window) is shown and the next surrender starts; nothing
    half-saved is left. Leave with Ctrl-D or by answering no to "Next surrender?".
    Example: `SURRENDER_STAFF=2041 surrender desk --paper 80mm`
    """
    from surrender.cli import prompts
    from surrender.cli.render import render_view
    from surrender.errors import Refused
    from surrender.rules.window import parse_local_datetime
    from surrender.services.surrenders import log_surrender
    import surrender.receipts  # noqa: F401  (loaded now, not at the first receipt)

    from surrender.services.auth import audit_refusals, sign_in

    context = ctx.obj
    if not stdin_is_terminal():
        raise_refused("the desk session needs a terminal; to log from a script use `surrender log --items`")
    audit_refusals(context, lambda: sign_in(context, "log"))  # the PIN once, for the whole session
    out = console()
    out.print(styled(("Desk session", "bold"), f" · staff {context.staff} · campaign {context.campaign} · Ctrl-D to finish"))
    logged = 0
    while True:
        try:
            when_text = typer.prompt("\nHanded in at (blank = now, or e.g. 2024-09-01 14:30)", default="",
                                     show_default=False)
            when = parse_local_datetime(when_text) if when_text.strip() else None
            request = prompts.ask_surrender(context, when, anonymous=False, no_claim=False, name=None,
                                            address=None, postcode=None, declare=False, business=None)
            if request is not None:
                view = deliver_receipt(context, log_surrender(context, request), paper.value)
                with reference_kept(view):
                    render_view(view, out, heading="Saved")
                logged += 1
            else:
                out.print("Nothing saved.")
        except Refused as exc:
            say(("Refused:", "bold red"), f" {exc}", stderr=True)
        except (typer.Abort, EOFError, KeyboardInterrupt):
            break
        try:
            if not typer.confirm("Next surrender?", default=True):
                break
        except (typer.Abort, EOFError, KeyboardInterrupt):
            break
    out.print(f"Session ended: {logged} surrender(s) logged.")


def register(app: typer.Typer) -> None:
    app.command()(log)
    app.command()(desk)
    app.command()(show)
    app.command()(receipt)
    app.command()(void)
