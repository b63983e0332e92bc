"""One turn of a `surrender desk` session: a new surrender (the default), show REF,
reprint REF, or today's surrenders here; the session stays open whatever a turn does.

`parse_choice` reads what the officer typed; `desk_turn` does it. The guided surrender itself
lives in `cli/prompts.py` (`ask_surrender`); this module only dispatches to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from surrender.cli.output import console, emit, say, styled
from surrender.errors import Refused

if TYPE_CHECKING:
    from rich.console import Console

    from surrender.rules.campaign import Campaign
    from surrender.services.context import Context

MENU = "Enter = new surrender · show REF · reprint REF · recent · quit"
_ACTIONS = {
    "": "new",
    "n": "new",
    "new": "new",
    "s": "show",
    "show": "show",
    "r": "reprint",
    "reprint": "reprint",
    "l": "recent",
    "recent": "recent",
    "q": "quit",
    "quit": "quit",
    "exit": "quit",
    "?": "help",
    "h": "help",
    "help": "help",
}
_NEEDS_REFERENCE = {"show", "reprint"}


@dataclass(frozen=True)
class Choice:
    action: str  # new, show, reprint, recent, help or quit
    reference: str | None = None  # given for show and reprint (parse_choice checks)


def parse_choice(text: str) -> Choice:
    """`show tw-z24-000001-n` → Choice("show", "tw-z24-000001-n"); blank is a new surrender."""
    word, _, rest = text.strip().partition(" ")
    action = _ACTIONS.get(word.lower())
    if action is None:
        raise Refused(f"{word!r} is not a desk command: {MENU}")
    reference = rest.strip() or None
    if action in _NEEDS_REFERENCE and reference is None:
        raise Refused(f"{action} needs a reference, e.g. `{action} TW-Z24-000017-7`")
    if action not in _NEEDS_REFERENCE and reference is not None:
        raise Refused(f"{action} takes no reference: {MENU}")
    return Choice(action, reference)


@dataclass
class Desk:
    """What stays loaded for the shift: who and where (the context), the paper and printer."""

    context: Context
    paper: str
    print_what: str | None = None  # "all", "tags" or None
    printer: str | None = None
    campaign: Campaign | None = None  # the campaign whose questions are asked, loaded once
    logged: int = 0
    out: Console = field(default_factory=console)


def ask_choice() -> Choice:
    """Ask until the answer is a desk command. Ctrl-D (EOFError) ends the session; a Ctrl-C
    here has no surrender to cancel, so it only asks again."""
    from surrender.cli.prompts import ask

    while True:
        try:
            return parse_choice(ask(f"\n{MENU}\nChoice", shown=""))
        except KeyboardInterrupt:
            say(("\n(Ctrl-C: nothing to cancel here; quit or Ctrl-D ends the session)", "dim"))
        except Refused as exc:
            say((str(exc), "red"), stderr=True)


def desk_turn(desk: Desk, choice: Choice) -> bool:
    """Do one thing the officer chose; False when the session should end."""
    if choice.action == "quit":
        return False
    if choice.action == "help":
        desk.out.print(MENU)
    elif choice.action == "new":
        new_surrender(desk)
    elif choice.action == "show":
        from surrender.cli.render import render_view
        from surrender.services.reading import show_surrender

        render_view(show_surrender(desk.context, choice.reference or ""), desk.out)
    elif choice.action == "reprint":
        from surrender.cli.printing import print_after_save
        from surrender.services.receipts import reprint_receipt

        view = reprint_receipt(desk.context, choice.reference or "", paper=desk.paper)
        desk.out.print(styled("Reprinted ", (view.reference, "bold"), f": {view.receipt}"))
        print_after_save(desk.context, view, desk.print_what, desk.printer, desk.paper, reprint=True)
    elif choice.action == "recent":
        show_recent(desk)
    return True


def new_surrender(desk: Desk) -> None:
    """The guided surrender (prompts.ask_surrender), saved, receipted and printed if set up.
    Ctrl-C part-way cancels this surrender only: nothing is saved and the session goes on."""
    from surrender.cli import prompts
    from surrender.cli.render import render_view
    from surrender.cli.saved import tell_saved
    from surrender.services.receipts import log_with_receipt

    context = desk.context
    try:
        when = prompts.ask_when(context.now())
        request = prompts.ask_surrender(
            context,
            when,
            anonymous=False,
            no_claim=False,
            name=None,
            address=None,
            postcode=None,
            declare=False,
            business=None,
            campaign=desk.campaign,
        )
    except prompts.Abandoned:
        say(("Abandoned: nothing saved.", "yellow"))
        return
    except (typer.Abort, KeyboardInterrupt):
        say(("\nCancelled: nothing saved.", "yellow"))
        return
    logged = log_with_receipt(context, request, desk.paper)
    desk.logged += 1
    tell_saved(
        context,
        logged,
        lambda view: render_view(view, desk.out, heading="Saved"),
        desk.print_what,
        desk.printer,
        desk.paper,
    )


def show_recent(desk: Desk) -> None:
    """Today's surrenders at this station, as `surrender recent` lists them."""
    from surrender.cli.output import Format
    from surrender.cli.status import RECENT_COLUMNS, recent_rows
    from surrender.services.recent import recent_surrenders

    found = recent_surrenders(desk.context)
    emit(
        recent_rows(found, Format.table),
        Format.table,
        RECENT_COLUMNS,
        title=f"{found.station} · {found.day:%a %d %b %Y}",
        empty=f"no surrenders at {found.station} today",
    )
