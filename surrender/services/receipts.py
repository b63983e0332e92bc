"""Receipts are written from committed data, after the transaction that made them: a new
surrender's (`log_with_receipt`) and a reprint (`reprint_receipt`) alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from surrender.rules.permissions import sees_personal_data
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.intake import LogRequest
from surrender.services.reading import build_view
from surrender.services.surrenders import log_surrender
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender
from surrender.views import SurrenderView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row


@dataclass(frozen=True)
class Logged:
    """A saved surrender, with its receipt file in `view.receipt`; `receipt_failed` says why
    there is none. The surrender is saved whatever became of its receipt."""

    view: SurrenderView
    receipt_failed: str | None = None


def write_receipt(ctx: Context, view: SurrenderView, paper: str = "a4", reprint: bool = False) -> SurrenderView:
    """Render the PDF into the receipts folder; returns the view with its receipt path. A stock
    claim on the roll also gets its bag tags on A4 (`REF-tags.pdf`)."""
    from surrender.receipts import receipt_path, render_receipt, summarised, tags_path

    path = receipt_path(Path(ctx.receipts_dir), view.reference, reprint=reprint)
    render_receipt(view, path, paper=paper, reprint=reprint, printed_at=ctx.now())
    if summarised(view, paper):  # a stock claim's roll has a summary: its bag tags go on A4 beside it
        render_receipt(view, tags_path(path), paper="a4", reprint=reprint, printed_at=ctx.now(), copies=("retained",))
    return replace(view, receipt=str(path))


def log_with_receipt(
    ctx: Context, request: LogRequest, paper: str | None = "a4", progress: Callable[[int], None] | None = None
) -> Logged:
    """Log the surrender (committed), then write its receipt (`paper` None: none, as the demo
    does after its first day). A receipt that fails is told in `receipt_failed`, never
    raised: the reference is spent and the officer must hear it."""
    view = log_surrender(ctx, request, progress=progress)
    if paper is None:
        return Logged(view)
    try:
        return Logged(write_receipt(ctx, view, paper=paper))
    except Exception as exc:  # noqa: BLE001  (anything at all: the surrender is saved)
        return Logged(view, str(exc))


def reprint_receipt(ctx: Context, reference: str, paper: str = "a4") -> SurrenderView:
    def work(conn: Connection, staff: Row) -> SurrenderView:
        surrender = find_surrender(conn, reference, scope_of(conn, staff))
        audit.record(
            conn,
            ctx.now(),
            staff.id,
            "receipt.reprinted",
            "surrender",
            surrender.id,
            {"reference": surrender.reference, "paper": paper},
        )
        return build_view(conn, surrender.id, reveal=sees_personal_data(staff.role, "receipt"))  # as `show` masks

    return write_receipt(ctx, perform(ctx, "receipt", work), paper=paper, reprint=True)
