"""The preview `log` shows at a terminal before saving `--item`/`--items`: items, eligibility,
money and claim total, then "Save?". Saying no spends no reference; scripts never see it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from surrender.cli.output import console, say

if TYPE_CHECKING:
    from surrender.services.context import Context
    from surrender.services.intake import LogRequest


def stdout_is_terminal() -> bool:
    """A person reads the output (tests replace this)."""
    return sys.stdout.isatty()


def confirm_preview(context: Context, request: LogRequest) -> bool:
    """Show what would be saved and ask. The default answer is yes only when every item is
    eligible and any claim pays something, so Enter never saves a surprise."""
    from surrender.cli.render import render_view
    from surrender.services.preview import all_eligible, preview_surrender

    view = preview_surrender(context, request)
    render_view(view, console(), heading="Preview: nothing saved yet")
    refused = sum(line.quantity for line in view.items if not line.eligible)
    if refused:
        say(
            ("Not eligible:", "bold red"),
            f" {refused:,} of {view.item_count:,} item(s); saving records them "
            "as handed in, with no compensation for them, and takes a reference",
        )
    try:
        return typer.confirm("Save?", default=all_eligible(view))
    except (typer.Abort, EOFError, KeyboardInterrupt):
        return False
