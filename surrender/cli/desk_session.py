"""One turn of a `surrender desk` session: a new surrender (the default), show REF,
reprint REF, or today's surrenders here; the session stays open whatever a turn does.

`parse_choice` reads what the officer typed; `desk_turn` does it. The guided surrender itself
lives in `cli/prompts.py` (`ask_surrender`); this module only dispatches to it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
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


class SessionOver(Exception):
    """The session ends now, whatever was in hand: the PIN was changed elsewhere, the account
    locked, or the officer left at the lock. The message says why in one line."""


@dataclass
class Desk:
    """What stays loaded for the shift: who and where (the context), the paper and printer,
    and the lock: after `lock_after` without an answer, the PIN is asked before the next
    answer is used; the stamp of the PIN the session was opened with tells a PIN changed
    elsewhere."""

    context: Context
    paper: str
    print_what: str | None = None  # "all", "tags" or None
    printer: str | None = None
    campaign: Campaign | None = None  # the campaign whose questions are asked, loaded once
    logged: int = 0
    out: Console = field(default_factory=console)
    lock_after: dt.timedelta = dt.timedelta(minutes=5)
    pin_stamp: str = ""  # services.desk_lock.pin_stamp when the PIN was last checked
    # How the lock waits out a wrong-PIN delay before asking again (tests move their clock).
    pause: Callable[[dt.timedelta], None] = field(default=lambda wait: time.sleep(wait.total_seconds()))

    def signed_in(self) -> None:
        """Note the PIN just checked (at the start, and after each unlock)."""
        from surrender.services.desk_lock import pin_stamp

        self.pin_stamp = pin_stamp(self.context)

    def check_pin_unchanged(self) -> None:
        """Before acting: end the session if the officer's PIN was changed since it was checked."""
        from surrender.services.desk_lock import pin_stamp

        if self.pin_stamp and pin_stamp(self.context) != self.pin_stamp:
            raise SessionOver(
                f"staff member {self.context.staff}'s PIN was changed elsewhere since this session began: "
                "the session ends here (nothing in hand was saved); start `surrender desk` again with the new PIN"
            )

    def read_guarded(self, read: Callable[[], str]) -> str:
        """Ask and read one answer (the time taken before the question shows); if it came
        `lock_after` or more after the question, the desk was left: the PIN is asked (again
        while wrong) before the answer is used."""
        asked = self.context.now()
        answer = read()
        idle = self.context.now() - asked
        if idle >= self.lock_after:
            self.unlock(idle)
        return answer

    def unlock(self, idle: dt.timedelta) -> None:
        from surrender.services.auth import AccountLocked, RoleRefused, TooSoon
        from surrender.services.desk_lock import sign_in_again

        self.check_pin_unchanged()
        minutes = int(idle.total_seconds() // 60)
        say(
            ("Desk locked", "bold yellow"),
            f" after {minutes} min idle ({_as_minutes(self.lock_after)} set): "
            f"staff {self.context.staff}'s PIN to go on; Ctrl-D ends the session",
        )
        while True:
            try:
                sign_in_again(self.context)
            except AccountLocked as exc:
                raise SessionOver(str(exc)) from None
            except TooSoon as exc:  # wrong PINs made the desk wait: it waits, then asks again
                say((str(exc), "yellow"), stderr=True)
                self.pause(exc.wait)
                continue
            except RoleRefused as exc:  # a wrong PIN: counted, and asked again
                say((str(exc), "red"), stderr=True)
                continue
            except (typer.Abort, EOFError, KeyboardInterrupt):
                raise SessionOver("left at the lock: the session ends (nothing in hand was saved)") from None
            self.signed_in()
            return


def _as_minutes(span: dt.timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


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
    desk.check_pin_unchanged()
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
    Ctrl-C or Ctrl-D part-way cancels this surrender only: nothing is saved and the session
    goes on (Ctrl-D at the menu ends it)."""
    from surrender.cli import prompts
    from surrender.cli.saved import tell_saved
    from surrender.cli.stock_summary import show_view
    from surrender.rules.window import check_surrender_time
    from surrender.services.receipts import log_with_receipt

    context = desk.context
    try:
        campaign = desk.campaign
        in_window = None if campaign is None else (lambda at: check_surrender_time(campaign, at, context.now()))
        when = prompts.ask_when(context.now(), check=in_window)  # outside the window: asked again in place
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
    except EOFError:
        say(("\nCtrl-D: this surrender is cancelled, nothing saved; Ctrl-D at the menu ends the session.", "yellow"))
        return
    desk.check_pin_unchanged()  # the save signs in with the PIN held: never an old one counted as wrong
    logged = log_with_receipt(context, request, desk.paper)
    desk.logged += 1
    tell_saved(
        context,
        logged,
        lambda view: show_view(desk.campaign, view, desk.out, heading="Saved"),
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
