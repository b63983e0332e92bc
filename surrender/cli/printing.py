"""`--print` and `--printer` for commands that write a receipt, and how their outcome is told.

`--print` alone means both copies; `--print tags` the retained copy alone; `--print none`
turns off the printing SURRENDER_PRINTER switches on. Click has no optional-value options,
so a bare `--print` is spelled `--print=all` before parsing (`expand_bare_print`).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import typer

from surrender.cli.output import say

if TYPE_CHECKING:
    from surrender.services.context import Context
    from surrender.services.printing import Printed
    from surrender.views import SurrenderView

PRINT_HELP = (
    "Send the receipt to a printer through CUPS `lp`: `--print` for both copies, "
    "`--print tags` for the retained copy (bag tags) alone, `--print none` to skip."
)
PRINTER_HELP = "Printer (CUPS queue) to use; when set (SURRENDER_PRINTER), receipts print by default."


class PrintWhat(str, enum.Enum):
    all = "all"
    tags = "tags"
    none = "none"


def print_option() -> Any:  # Typer's declaration of an option (typer.Option returns Any)
    return typer.Option(None, "--print", help=PRINT_HELP, show_default=False)


def printer_option() -> Any:
    return typer.Option(None, "--printer", envvar="SURRENDER_PRINTER", help=PRINTER_HELP)


def expand_bare_print(args: list[str]) -> list[str]:
    """`--print` followed by nothing, an option or a non-choice becomes `--print=all`."""
    choices = {member.value for member in PrintWhat}
    out = []
    for index, arg in enumerate(args):
        following = args[index + 1] if index + 1 < len(args) else None
        out.append("--print=all" if arg == "--print" and following not in choices else arg)
    return out


def chosen(what: PrintWhat | None, printer: str | None) -> str | None:
    """What to print: as asked; else everything when a printer is configured; else nothing."""
    if what is None:
        return "all" if printer else None
    return None if what == PrintWhat.none else what.value


def print_after_save(
    context: Context,
    view: SurrenderView,
    what: str | None,
    printer: str | None,
    paper: str,
    reprint: bool = False,
    to_stderr: bool = False,
) -> bool:
    """Print a saved surrender's receipt. A failure is one warning line that says the surrender
    is saved and how to print again; it never raises (the reference must not be lost)."""
    if what is None:
        return True
    from surrender.errors import Refused
    from surrender.services.printing import print_receipt

    try:
        printed = print_receipt(context, view, what, printer, paper, reprint=reprint)
    except Refused as exc:
        again = f"surrender receipt {view.reference} --print" + (" tags" if what == "tags" else "")
        say(
            ("Warning:", "bold yellow"),
            f" {view.reference} is saved but was not printed: {exc}; print it with `{again}`",
            stderr=True,
        )
        return False
    _tell(printed, to_stderr)
    return True


def print_or_fail(
    context: Context, view: SurrenderView, what: str, printer: str | None, paper: str, reprint: bool
) -> None:
    """For `receipt --print`: printing is the point, so a failure is an error (exit 1)."""
    from surrender.services.printing import print_receipt

    _tell(print_receipt(context, view, what, printer, paper, reprint=reprint), False)


def _tell(printed: Printed, to_stderr: bool) -> None:
    where = f"printer {printed.printer}" if printed.printer else "the default printer"
    say(f"Sent {printed.file.name} to {where}" + (f": {printed.answer}" if printed.answer else ""), stderr=to_stderr)
