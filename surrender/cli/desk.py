"""Front-desk commands: log, show, receipt (reprint) and void."""

import enum
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn

import typer

from surrender.cli.helpformat import NOT_PERSONAL
from surrender.cli.output import FORMAT_HELP, Format, console, print_json, say, styled
from surrender.cli.preview import confirm_preview, stdout_is_terminal
from surrender.cli.printing import PrintWhat, chosen, print_option, print_or_fail, printer_option
from surrender.item_spec_help import ITEM_SPEC_HELP

if TYPE_CHECKING:
    from rich.progress import Progress

    from surrender.services.context import Context
    from surrender.services.intake import ItemSource
    from surrender.views import SurrenderView


class Paper(str, enum.Enum):
    a4 = "a4"
    roll = "80mm"


def log(
    ctx: typer.Context,
    at: str | None = typer.Option(
        None, "--at", help="When it was handed in, if not now (paper forms): `2024-09-01 14:30` is Europe/London time."
    ),
    anonymous: bool = typer.Option(False, "--anonymous", help="No claimant details and no claim."),
    no_claim: bool = typer.Option(False, "--no-claim", help="Named surrender without a compensation claim."),
    name: str | None = typer.Option(None, "--name", help="Claimant's full name."),
    address: str | None = typer.Option(None, "--address", help="Claimant's address."),
    postcode: str | None = typer.Option(None, "--postcode", help="Claimant's postcode."),
    phone: str | None = typer.Option(None, "--phone"),
    email: str | None = typer.Option(None, "--email"),
    business: str | None = typer.Option(None, "--business", help="Business name, for a retailer's claim."),
    declare: bool = typer.Option(
        False, "--declare", help="The claimant makes the ownership declaration (needed to claim)."
    ),
    sort_code: str | None = typer.Option(None, "--sort-code", help="For payment: 6-digit sort code."),
    account_number: str | None = typer.Option(None, "--account-number", help="For payment: 8-digit account number."),
    account_name: str | None = typer.Option(None, "--account-name", help="Name on the account (default: claimant)."),
    items_file: Path | None = typer.Option(
        None, "--items", help="CSV of items, one per row (columns above).", exists=False, dir_okay=False
    ),
    item: list[str] | None = typer.Option(None, "--item", help=ITEM_SPEC_HELP),
    errors: Path | None = typer.Option(
        None,
        "--errors",
        help="Where the full list of an items file's bad lines goes (default: FILE.errors.txt beside it);"
        " the refusal shows the count and the first five.",
        dir_okay=False,
    ),
    evidence: list[Path] | None = typer.Option(
        None,
        "--evidence",
        help="A scan or photo of a receipt, invoice or statement kept with the claim (PDF, JPEG or PNG; repeatable).",
    ),
    paper: Paper = typer.Option(Paper.a4, "--paper", help="Receipt paper: a4 or 80mm roll."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, or json for one object (csv: same as json)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="At a terminal, save --item/--items without the preview."),
    print_what: PrintWhat | None = print_option(),
    printer: str | None = printer_option(),
) -> None:
    """Log a surrender: items, eligibility and compensation, a reference and a receipt.

    Items come from `--items FILE.csv` (header: kind, description, blade_length, the campaign's
    features, claimed_value, evidence, acquired_on, quantity, seal; for both presets the features
    are plain_edge, sharp_point, serrated_length, serrated_at_handle, holes, spikes, points,
    secondary_edge, blunt_spine, point_style; empty cell = not seen, yes/no answers, a bare
    length is inches), from one or more `--item`, or, on a terminal with neither, from short
    prompts: a claimant screen, each item as one line (`10in serrated=3in`) or a blade length
    and only the questions still needed, then a review to change, remove or abandon before
    saving. Ctrl-C saves nothing.

    At a terminal, `--item`/`--items` are previewed first and saved only if you answer yes
    (`--yes` skips the question); from a script they are saved at once.

    With `--print` (or SURRENDER_PRINTER set) the receipt goes to a printer; if printing fails
    the surrender is still saved (exit 0) and a warning says how to print it again.

    \b
    Example:
      surrender log --name "Jane Smith" --address "1 High St, Cambridge" \\
        --postcode "CB1 1JG" --declare \\
        --item zombie-knife:10in:plain:point:serrated=3in \\
        --item zombie-machete:18in:plain:point:holes=3 \\
        --item zombie-knife:9in:plain:point:spikes
    """
    from surrender.cli import prompts
    from surrender.cli.bad_lines import listed_in
    from surrender.cli.saved import tell_saved
    from surrender.clock import local
    from surrender.rules.claimant import make_claimant
    from surrender.rules.window import parse_local_datetime
    from surrender.services.intake import LogRequest
    from surrender.services.receipts import log_with_receipt

    context = ctx.obj
    if items_file and item:
        raise_refused("give --items FILE or --item, not both")
    interactive = not items_file and not item
    if interactive and not stdin_is_terminal():
        raise_refused("no items given: use --items FILE.csv or --item KIND:BLADE[:FEATURES] (prompts need a terminal)")
    when = parse_local_datetime(at, today=local(context.now()).date()) if at else None
    from surrender.cli.claims_payer import bank_tables, evidence_for_log, warn_about_bank

    kept = evidence_for_log(evidence, claiming=not (anonymous or no_claim))  # read and checked before any question
    if interactive:
        from surrender.services.auth import audit_refusals, sign_in

        audit_refusals(context, lambda: sign_in(context, "log"))  # the PIN before the questions, not after
        try:
            request = prompts.ask_surrender(
                context,
                when,
                anonymous=anonymous,
                no_claim=no_claim,
                name=name,
                address=address,
                postcode=postcode,
                declare=declare,
                business=business,
            )
        except (prompts.Abandoned, KeyboardInterrupt, EOFError):
            say("\nNothing saved.", stderr=True)
            raise typer.Exit(1) from None
        progress = None
    else:
        claimant = None
        if not anonymous:
            tables = bank_tables(context, sort_code)  # the modulus tables in use on this database
            claimant = make_claimant(
                name,
                address,
                postcode,
                phone=phone,
                email=email,
                business_name=business,
                account_name=account_name,
                sort_code=sort_code,
                account_number=account_number,
                modulus=tables,
            )
            warn_about_bank(claimant, tables)
        elif any((name, address, postcode, phone, email, business, sort_code, account_number)):
            raise_refused("an anonymous surrender takes no claimant details: drop --anonymous or the details")
        items, total_rows = _item_source(items_file, item)
        request = LogRequest(
            items=items, at=when, anonymous=anonymous, no_claim=no_claim, claimant=claimant, declared=declare
        )
        with listed_in(errors):
            if not yes and stdin_is_terminal() and stdout_is_terminal() and not confirm_preview(context, request):
                console().print("Nothing saved.")
                raise typer.Exit(0)
            progress = _progress_bar(total_rows) if fmt == Format.table and total_rows > 2000 else None
    request.evidence = kept or request.evidence  # --evidence, else any the prompts asked for
    context.while_pin_checks = _load_receipt_stack
    with listed_in(errors):
        if progress:
            with progress as (_bar, advance):
                logged = log_with_receipt(context, request, paper.value, progress=advance)
        else:
            logged = log_with_receipt(context, request, paper.value)
    tell_saved(
        context,
        logged,
        lambda view: _print_saved(context, view, fmt),
        chosen(print_what, printer),
        printer,
        paper.value,
        to_stderr=fmt != Format.table,
    )


def _load_receipt_stack() -> None:
    """ReportLab and the receipt layout, loaded while the PIN is checked (see auth._check_pin)."""
    import surrender.receipts  # noqa: F401


def stdin_is_terminal() -> bool:
    """Prompts only make sense with a person at a keyboard (tests replace this)."""
    return sys.stdin.isatty()


def _item_source(items_file: Path | None, specs: list[str] | None) -> "tuple[ItemSource, int]":
    from surrender.items_csv import ItemsFile, ItemSpecs

    if items_file is not None:
        items = ItemsFile.unchecked(items_file)
        return items, items.count_rows()
    return ItemSpecs(specs or []), len(specs or [])


class _Progress:
    def __init__(self, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("Logging items", total=total)

    def __enter__(self) -> "tuple[Progress, Callable[[int], None]]":
        self.progress.__enter__()
        return self.progress, lambda done: self.progress.update(self.task, completed=done)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.progress.__exit__(exc_type, exc, traceback)


def _progress_bar(total: int) -> _Progress | None:
    return _Progress(total) if sys.stderr.isatty() else None


def raise_refused(message: str) -> NoReturn:
    from surrender.errors import Refused

    raise Refused(message)


def _print_saved(context: "Context", view: "SurrenderView", fmt: Format) -> None:
    """What `log` saved; a big list as a summary (its every line is on the receipt)."""
    from surrender.cli.stock_summary import BIG, show_view
    from surrender.services.campaigns import campaign_to_ask_about

    if fmt == Format.table and len(view.items) > BIG:
        show_view(campaign_to_ask_about(context), view, console(), heading="Saved")
        return
    _print_view(view, fmt, heading="Saved")


def _print_view(view: "SurrenderView", fmt: Format, heading: str = "") -> None:
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
    from surrender.services.reading import show_surrender

    _print_view(show_surrender(ctx.obj, reference), fmt)


def receipt(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender."),
    paper: Paper = typer.Option(Paper.a4, "--paper", help="a4, or 80mm for a receipt-printer roll."),
    print_what: PrintWhat | None = print_option(),
    printer: str | None = printer_option(),
) -> None:
    """Reprint a receipt; the copy is marked REPRINT (and VOID if the surrender was voided).

    With `--print` (or SURRENDER_PRINTER set) it also goes to the printer; a printing failure
    is an error (exit 1) with the PDF left in the receipts folder.
    Example: `surrender receipt TW-Z24-000017-7 --paper 80mm --print tags`
    """
    from surrender.services.receipts import reprint_receipt

    view = reprint_receipt(ctx.obj, reference, paper=paper.value)
    console().print(f"Reprinted {view.reference}: {view.receipt}")
    what = chosen(print_what, printer)
    if what:
        print_or_fail(ctx.obj, view, what, printer, paper.value, reprint=True)


def void(
    ctx: typer.Context,
    reference: str = typer.Argument(..., help="Reference of the surrender to void."),
    reason: str = typer.Option(..., "--reason", help=f"Why it is void (kept in the audit trail). {NOT_PERSONAL}"),
) -> None:
    """Void a surrender (manager only): its claim can never be exported or paid.

    Example: `surrender void TW-Z24-000017-7 --reason "logged twice"`
    """
    from surrender.services.surrenders import void_surrender

    if stdin_is_terminal():  # a person at a terminal sees what they are about to void, and says yes
        from surrender.cli.prompts import confirm
        from surrender.cli.render import render_view
        from surrender.services.reading import show_surrender

        render_view(show_surrender(ctx.obj, reference), console(), heading="To void")
        if not confirm(f"Void {reference.strip().upper()} for good (its claim will never be paid)?", False):
            console().print("Nothing voided.")
            raise typer.Exit(1)
    view = void_surrender(ctx.obj, reference, reason)
    console().print(f"{view.reference} is now VOID: {view.void_reason}")


def desk(
    ctx: typer.Context,
    paper: Paper = typer.Option(Paper.a4, "--paper", help="Receipt paper for the whole session."),
    lock_after: int = typer.Option(
        300,
        "--lock-after",
        envvar="SURRENDER_DESK_LOCK_AFTER",
        min=10,
        max=8 * 3600,
        help="Seconds without an answer after which the desk asks your PIN again before going on.",
    ),
    print_what: PrintWhat | None = print_option(),
    printer: str | None = printer_option(),
) -> None:
    """Stay open for a shift: log surrender after surrender through the guided prompts, each in
    milliseconds because the database and PDF stacks are loaded once; between surrenders,
    `show REF`, `reprint REF` and `recent` (today's surrenders here) at the same prompt.

    Each surrender starts with the time it was handed in (Enter: now), checked against the
    window before anything else; a refusal is shown and the session goes on, nothing
    half-saved. At the item prompt, the path of a stock list (the `--items` CSV, e.g.
    `/media/usb/stock.csv`) takes all its lines at once; a list of more than 20 lines is
    summarised (items by kind and verdict, the lines not eligible or needing a manager; `t` at
    the review lists them all). The review saves on Enter, as `log`'s preview does; n or x
    abandons. Ctrl-C or Ctrl-D cancels the surrender in hand and the session goes on; leave
    with `quit` or Ctrl-D at the menu.

    Left idle for --lock-after seconds (default 300, or SURRENDER_DESK_LOCK_AFTER), the desk
    asks your PIN before using the next answer (wrong PINs count as anywhere); if your PIN was
    changed elsewhere meanwhile, the session ends with one line instead.
    Example: `SURRENDER_STAFF=2041 surrender desk --paper 80mm --print --lock-after 120`
    """
    import datetime as dt

    import surrender.receipts  # noqa: F401  (loaded now, not at the first receipt)
    from surrender.cli import collect_as_usual
    from surrender.cli.desk_session import Desk, SessionOver, ask_choice, desk_turn
    from surrender.cli.prompts import ANSWER_GUARD
    from surrender.errors import Refused

    collect_as_usual()  # a shift is long

    from surrender.services.auth import audit_refusals, sign_in

    context = ctx.obj
    if not stdin_is_terminal():
        raise_refused("the desk session needs a terminal; to log from a script use `surrender log --items`")
    audit_refusals(context, lambda: sign_in(context, "log"))  # the PIN once, for the whole session
    from surrender.services.campaigns import campaign_to_ask_about

    campaign = campaign_to_ask_about(context)
    session = Desk(
        context,
        paper.value,
        chosen(print_what, printer),
        printer,
        campaign=campaign,
        lock_after=dt.timedelta(seconds=lock_after),
    )
    session.signed_in()
    ANSWER_GUARD.set(session.read_guarded)
    out = session.out
    out.print(
        styled(
            ("Desk session", "bold"),
            f" · staff {context.staff} · campaign {campaign.code}"
            " · Ctrl-C or Ctrl-D cancels the surrender in hand · quit or Ctrl-D here to finish",
        )
    )
    ended = 0
    while True:
        try:
            choice = ask_choice()
            if not desk_turn(session, choice):
                break
        except (typer.Abort, EOFError, KeyboardInterrupt):  # at the menu: the end of the shift
            break
        except SessionOver as exc:
            say(("Session over:", "bold red"), f" {exc}", stderr=True)
            ended = 1
            break
        except Refused as exc:
            say(("Refused:", "bold red"), f" {exc}", stderr=True)
    out.print(f"Session ended: {session.logged} surrender(s) logged.")
    if ended:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(log)
    app.command()(desk)
    app.command()(show)
    app.command()(receipt)
    app.command()(void)
