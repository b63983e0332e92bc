"""Sending receipt PDFs to a printer through the system's `lp` (CUPS).

Printing happens after the commit, on a file already written: a printer that is missing,
offline or refuses the job never undoes a surrender, it only means printing again later.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from surrender.errors import Refused
from surrender.services.context import Context
from surrender.views import SurrenderView

LP = "lp"
LP_TIMEOUT_S = 60
WHAT = ("all", "tags")  # both copies, or the retained copy (bag tags) alone


class PrintFailed(Refused):
    """The job did not reach the print queue; the PDF is still on disk."""


@dataclass(frozen=True)
class Printed:
    file: Path
    printer: str | None  # None: the system's default printer
    answer: str  # what lp said, e.g. "request id is Desk-12 (1 file(s))"


def check_printer_name(name: str) -> str:
    """A CUPS queue name: printable, no spaces, `/` or `#`, and not an option to lp."""
    if not re.fullmatch(r"[^\s/#\x00-\x1f\x7f-]{1}[^\s/#\x00-\x1f\x7f]{0,126}", name):
        raise Refused(f"{name!r} is not a printer name (CUPS names have no spaces, '/' or '#'; see `lpstat -p`)")
    return name


def lp_command(file: Path, title: str, printer: str | None = None) -> list[str]:
    """`lp [-d PRINTER] -t TITLE /abs/FILE`: argv for subprocess, never a shell line; the file
    is absolute, so no name can pass for an option."""
    destination = ["-d", check_printer_name(printer)] if printer else []
    return [LP, *destination, "-t", title, str(Path(file).resolve())]


def send_to_printer(file: Path, title: str, printer: str | None = None) -> Printed:
    """Queue `file` with lp; raise PrintFailed with lp's own first line if it is refused."""
    where = f"printer {printer}" if printer else "the default printer"
    try:
        done = subprocess.run(
            lp_command(file, title, printer),
            capture_output=True,
            text=True,
            timeout=LP_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        raise PrintFailed("the `lp` command (CUPS) is not installed on this machine") from None
    except subprocess.TimeoutExpired:
        raise PrintFailed(f"lp did not answer within {LP_TIMEOUT_S} s sending to {where}") from None
    except OSError as exc:
        raise PrintFailed(f"lp could not be run: {exc.strerror or exc}") from None
    said = _first_line(done.stderr) or _first_line(done.stdout)
    if done.returncode != 0:
        raise PrintFailed(f"{where} refused the job (lp exit {done.returncode}" + (f": {said})" if said else ")"))
    return Printed(Path(file), printer, _first_line(done.stdout))


def print_receipt(
    ctx: Context,
    view: SurrenderView,
    what: str = "all",
    printer: str | None = None,
    paper: str = "a4",
    reprint: bool = False,
) -> Printed:
    """Print a written receipt: the whole file, or the tags alone (rendered beside it)."""
    if what not in WHAT:
        raise Refused(f"print {what!r}: use all or tags")
    if view.receipt is None:
        raise PrintFailed(f"no receipt file was written for {view.reference}")
    file = Path(view.receipt)
    title = f"Receipt {view.reference}"
    if what == "tags":
        from surrender.receipts import render_receipt, tags_paper, tags_path

        file = render_receipt(
            view,
            tags_path(file),
            paper=tags_paper(view, paper),
            reprint=reprint,
            printed_at=ctx.now(),
            copies=("retained",),
        )
        title = f"Tags {view.reference}"
    return send_to_printer(file, title, printer)


def _first_line(text: str | None) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
