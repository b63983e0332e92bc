"""Receipts are written from committed data, after the transaction that made them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.services.reading import build_view, find_surrender
from surrender.views import SurrenderView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row


def write_receipt(ctx: Context, view: SurrenderView, paper: str = "a4", reprint: bool = False) -> SurrenderView:
    """Render the PDF into the receipts folder; returns the view with its receipt path."""
    from surrender.receipts import receipt_path, render_receipt

    path = receipt_path(Path(ctx.receipts_dir), view.reference, reprint=reprint)
    render_receipt(view, path, paper=paper, reprint=reprint, printed_at=ctx.now())
    return replace(view, receipt=str(path))


def reprint_receipt(ctx: Context, reference: str, paper: str = "a4") -> SurrenderView:
    def work(session: Connection, staff: Row) -> SurrenderView:
        surrender = find_surrender(session, reference, orm=False)
        audit.record(session, ctx.now(), staff.id, "receipt.reprinted", "surrender", surrender.id,
                     {"reference": surrender.reference, "paper": paper})
        return build_view(session, surrender.id, reveal=False)

    return write_receipt(ctx, perform(ctx, "receipt", work, orm=False), paper=paper, reprint=True)
