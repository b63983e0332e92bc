"""Telling the officer about a surrender just saved, for `log` and the desk session alike:
the receipt's fate, the surrender, then printing. Whatever fails here, the reference is told."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from surrender.cli.output import say
from surrender.cli.printing import print_after_save
from surrender.services.context import Context
from surrender.services.receipts import Logged
from surrender.views import SurrenderView


def tell_saved(
    context: Context,
    logged: Logged,
    show: Callable[[SurrenderView], None],
    print_what: str | None,
    printer: str | None,
    paper: str,
    to_stderr: bool = False,
) -> None:
    """A failed receipt is one warning with the reference and how to reprint; then `show`;
    then the receipt to the printer if one was asked for (never raising either)."""
    view = logged.view
    if logged.receipt_failed is not None:
        told = (
            f"Saved as {view.reference}, but the receipt failed ({logged.receipt_failed}); "
            f"reprint with `surrender receipt {view.reference}`"
        )
        say((told, "yellow"), stderr=True)
    with reference_kept(view):
        show(view)
    print_after_save(context, view, print_what, printer, paper, to_stderr=to_stderr)


@contextlib.contextmanager
def reference_kept(view: SurrenderView) -> Iterator[None]:
    """Whatever goes wrong showing a saved surrender, its reference reaches the officer."""
    try:
        yield
    except BrokenPipeError:
        raise
    except Exception:
        say((f"Saved as {view.reference}.", "bold"), stderr=True)
        raise
