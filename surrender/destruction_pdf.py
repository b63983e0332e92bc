"""The certificate of destruction for a sealed batch as a PDF (ReportLab): who destroyed what,
how, witnessed by whom, every tag with its kind and count, totals by kind, and the audit anchor.

Drawn from a `BatchDetail` only (no database here); written owner-only and never over a file,
as the managers' report is. ReportLab is imported here only; the CLI imports this lazily.
"""

from __future__ import annotations

import io
from functools import partial
from html import escape as html_escape
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from surrender.clock import show_time
from surrender.outfiles import check_new, write_new
from surrender.services.destruction import BatchDetail

escape = partial(html_escape, quote=False)

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#EEEEEE")
TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=4)
HEADING = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=12)
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
MONO = ParagraphStyle("mono", fontName="Courier", fontSize=7.5, leading=9.5)
SMALL = ParagraphStyle("small", fontName="Helvetica", fontSize=7.5, leading=10, textColor=GREY)


def check_out(out: Path) -> None:
    """Refuse a destination that exists or is a folder, before any work is done."""
    check_new(out, "certificate", "batch-3.pdf")


def write_certificate(detail: BatchDetail, out: Path) -> Path:
    """Render, then put the file at `out` owner-only and atomically, never replacing a file."""
    check_out(out)
    return write_new(out, render_certificate(detail))


def render_certificate(detail: BatchDetail) -> bytes:
    batch = detail.batch
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"Certificate of destruction: batch {batch.id}",
        author=batch.sealed_by or "",
        subject=detail.anchor,
        creator="surrender",
    )

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, f"Destruction batch {batch.id} · {detail.station_name}")
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(_story(detail), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _labelled(rows: list[tuple[str, str]], mono: frozenset[str] = frozenset()) -> LongTable:
    cells = [
        [Paragraph(escape(label), CELL), Paragraph(escape(value), MONO if label in mono else CELL)]
        for label, value in rows
    ]
    table = LongTable(cells, colWidths=[38 * mm, WIDTH - 38 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TEXTCOLOR", (0, 0), (0, -1), GREY),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, LIGHT),
            ]
        )
    )
    return table


def _grid(header: list[str], rows: list[list[str]], widths: list[float], right: tuple[int, ...] = ()) -> LongTable:
    def style(column: int) -> ParagraphStyle:
        return CELL_RIGHT if column in right else CELL

    cells = [[Paragraph(f"<b>{escape(h)}</b>", style(c)) for c, h in enumerate(header)]]
    cells += [[Paragraph(escape(v), style(c)) for c, v in enumerate(row)] for row in rows]
    table = LongTable(cells, colWidths=widths, repeatRows=1)
    look = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ]
    table.setStyle(TableStyle(look))
    return table


def _story(detail: BatchDetail) -> list[Any]:
    batch = detail.batch
    witnesses = " and ".join(batch.witnesses) or "-"
    story = [
        Paragraph(f"Certificate of destruction — batch {batch.id}", TITLE),
        Paragraph(escape(f"{detail.force}, {detail.station_name} ({batch.station})"), BODY),
        Spacer(1, 3 * mm),
        _labelled(
            [
                ("Method", batch.method),
                ("Contractor", batch.contractor),
                ("Opened", f"{show_time(batch.opened_at)} by {batch.opened_by}"),
                ("Sealed (destroyed)", f"{show_time(batch.sealed_at)} by {batch.sealed_by or '-'}"),
                ("Witnessed by", f"{witnesses}, each confirming with their own PIN"),
                (
                    "Contractor's certificate",
                    f"{batch.certificate} (recorded {show_time(batch.confirmed_at)})"
                    if batch.certificate
                    else "not yet received",
                ),
                ("Tags / weapons", f"{batch.tags:,} tags, {batch.weapons:,} weapons"),
                ("Audit anchor", detail.anchor),
            ],
            mono=frozenset({"Audit anchor"}),
        ),
        Paragraph("Totals by kind", HEADING),
        _grid(
            ["Scheme", "Kind", "Tags", "Weapons"],
            [[k.campaign, k.kind_label, f"{k.tags:,}", f"{k.weapons:,}"] for k in detail.by_kind]
            + [["Total", "", f"{batch.tags:,}", f"{batch.weapons:,}"]],
            [40 * mm, WIDTH - 40 * mm - 50 * mm, 25 * mm, 25 * mm],
            right=(2, 3),
        ),
        Paragraph(f"Every tag destroyed ({len(detail.exhibits):,})", HEADING),
        _grid(
            ["Tag", "Kind", "Count", "Description", "Seal"],
            [[e.tag, e.kind_label, f"{e.quantity:,}", e.description, e.seal or "-"] for e in detail.exhibits],
            [48 * mm, 34 * mm, 14 * mm, WIDTH - 48 * mm - 34 * mm - 14 * mm - 24 * mm, 24 * mm],
            right=(2,),
        ),
        Spacer(1, 6 * mm),
        KeepTogether(
            [
                Paragraph(
                    escape(
                        "We certify that the weapons under the tags listed above were destroyed by the method stated, "
                        "in our presence. The audit anchor above proves the record of this batch as it stood when this "
                        "certificate was made (`surrender audit verify --anchor`)."
                    ),
                    SMALL,
                ),
                Spacer(1, 10 * mm),
                _signatures(batch.witnesses),
            ]
        ),
    ]
    return story


def _signatures(witnesses: tuple[str, ...]) -> LongTable:
    names = list(witnesses) or ["", ""]
    rows = [[Paragraph("_" * 40, CELL) for _ in names], [Paragraph(escape(f"Witness: {n}"), SMALL) for n in names]]
    table = LongTable(rows, colWidths=[WIDTH / len(names)] * len(names))
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table
