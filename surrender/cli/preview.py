"""The preview `log` shows at a terminal before saving `--item`/`--items`: items, eligibility,
money and claim total, then "Save?". Saying no spends no reference; scripts never see it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from surrender.cli.output import console, say

if TYPE_CHECKING:
    from surrender.services.context import Context
    from surrender.services.intake import LogRequest


def stdout_is_terminal() -> bool:
    """A person reads the output (tests replace this)."""
    return sys.stdout.isatty()


def confirm_preview(context: Context, request: LogRequest) -> bool:
    """Show what would be saved and ask the one save question (prompts.SAVE_QUESTION): Enter
    saves, as at the desk; `n` saves nothing. Items not eligible are said aloud first. A big
    list is summarised, its whole table behind `t`."""
    from surrender.cli.prompts import SAVE_QUESTION, ask
    from surrender.cli.render import render_view
    from surrender.cli.stock_summary import BIG, render_big_view
    from surrender.services.campaigns import campaign_to_ask_about
    from surrender.services.preview import preview_surrender

    view = preview_surrender(context, request)
    heading = "Preview: nothing saved yet"
    big = len(view.items) > BIG
    if big:
        render_big_view(campaign_to_ask_about(context), view, console(), heading, full="t shows them all")
    else:
        render_view(view, console(), heading)
    refused = sum(line.quantity for line in view.items if not line.eligible)
    if refused:
        say(
            ("Not eligible:", "bold red"),
            f" {refused:,} of {view.item_count:,} item(s); saving records them "
            "as handed in, with no compensation for them, and takes a reference",
        )
    question = f"{SAVE_QUESTION}; n saves nothing" + ("; t the full table" if big else "")
    try:
        while True:
            answer = ask(question, "y", shown="Y/n").lower()
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            if answer == "t" and big:
                render_view(view, console(), heading)
                continue
            say(("answer Enter or y to save, n to save nothing" + (", t for the full table" if big else ""), "yellow"))
    except (EOFError, KeyboardInterrupt):
        return False
