"""One claim of a claim pack as a PDF laid out like the claim form: who claims, the items and
the values claimed, the evidence kept (by digest), the declaration, the receiving officer and
the receipt reference. ReportLab, drawn from a `pack_views.ClaimForm` only; the bytes are the
same for the same form (ReportLab's invariant mode), so a pack's digests can be checked."""

from __future__ import annotations

import io
from functools import partial
from html import escape as html_escape
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from surrender.clock import show_time
from surrender.pack_views import ClaimForm
from surrender.rules.evidence import LABEL, MediaType
from surrender.rules.money import format_gbp
from surrender.rules.payer import payer_name

escape = partial(html_escape, quote=False)
MARGIN = 15 * mm
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
SHADE = colors.HexColor("#EEEEEE")

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11.5)
SMALL = ParagraphStyle("small", BODY, fontSize=7.5, leading=9.5, textColor=GREY)
CELL = ParagraphStyle("cell", BODY, fontSize=8, leading=10)
CELL_RIGHT = ParagraphStyle("cellr", CELL, alignment=TA_RIGHT)
TITLE = ParagraphStyle("title", BODY, fontName="Helvetica-Bold", fontSize=14, leading=17)
HEADING = ParagraphStyle(
    "heading", BODY, fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=7, spaceAfter=3
)
REF = ParagraphStyle("ref", BODY, fontName="Helvetica-Bold", fontSize=16, leading=19, alignment=TA_RIGHT)
LABEL_STYLE = ParagraphStyle("label", CELL, fontName="Helvetica-Bold", textColor=GREY)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 2**20:,.1f} MB"


def _p(text: str | None, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text or ""), style)


def render_form(form: ClaimForm) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"Compensation claim {form.reference}",
        author=form.force,
        subject=f"claim pack batch {form.batch}",
        creator="surrender",
        invariant=1,
    )

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(
            MARGIN,
            MARGIN - 2 * mm,
            f"Claim {form.reference} · claim pack batch {form.batch} · for {payer_name(form.payer)}",
        )
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(_story(form), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _grid(rows: list[list[Any]], widths: list[float], header: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(style))
    return table


def _story(form: ClaimForm) -> list[Any]:
    width = A4[0] - 2 * MARGIN
    zone = form.timezone
    person = form.claimant
    head = Table(
        [
            [
                [
                    _p("Weapons surrender: compensation claim", TITLE),
                    _p(form.campaign_name, BODY),
                    _p(form.legal_basis, SMALL),
                ],
                [_p("Receipt reference", SMALL), _p(form.reference, REF)],
            ]
        ],
        colWidths=[width * 0.64, width * 0.36],
    )
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story: list[Any] = [head, Spacer(1, 3 * mm)]
    taken = [
        [
            _p("Force", LABEL_STYLE),
            _p(form.force),
            _p("Station", LABEL_STYLE),
            _p(f"{form.station_name} ({form.station})"),
        ],
        [
            _p("Surrendered", LABEL_STYLE),
            _p(show_time(form.surrendered_at, zone)),
            _p("Receiving officer", LABEL_STYLE),
            _p(form.officer),
        ],
        [
            _p("Approved for the payer", LABEL_STYLE),
            _p(f"{form.approved_by or ''} {show_time(form.approved_at, zone)}".strip() or "-"),
            _p("Decided and paid by", LABEL_STYLE),
            _p(payer_name(form.payer).capitalize()),
        ],
    ]
    story.append(_grid(taken, [width * 0.18, width * 0.32, width * 0.18, width * 0.32]))
    story.append(Paragraph("1. The claimant", HEADING))
    who = [
        [_p("Name", LABEL_STYLE), _p(person.name), _p("Business", LABEL_STYLE), _p(person.business_name or "-")],
        [_p("Address", LABEL_STYLE), _p(person.address), _p("Postcode", LABEL_STYLE), _p(person.postcode)],
        [_p("Phone", LABEL_STYLE), _p(person.phone or "-"), _p("Email", LABEL_STYLE), _p(person.email or "-")],
        [
            _p("Name on the account", LABEL_STYLE),
            _p(person.account_name),
            _p("Sort code / account", LABEL_STYLE),
            _p(f"{person.sort_code}  {person.account_number}"),
        ],
    ]
    story.append(_grid(who, [width * 0.18, width * 0.32, width * 0.18, width * 0.32]))
    story.append(Paragraph(f"2. The items ({form.item_count:,}) and the values claimed", HEADING))
    rows: list[list[Any]] = [
        [
            _p(h, LABEL_STYLE)
            for h in (
                "Line",
                "Item",
                "Blade",
                "Qty",
                "Evidence of value",
                "Claimed each",
                "Claimed",
                "Force's assessment",
            )
        ]
    ]
    for line in form.lines:
        what = line.kind_label + (f": {line.description}" if line.description else "")
        if not line.eligible:
            what += " (not eligible: " + "; ".join(line.reasons) + ")"
        if line.seal:
            what += f" · seal {line.seal}"
        rows.append(
            [
                _p(str(line.number)),
                _p(what),
                _p(f"{line.blade_length_mm} mm"),
                _p(f"{line.quantity:,}", CELL_RIGHT),
                _p(line.evidence),
                _p(format_gbp(line.unit_claimed_pence), CELL_RIGHT),
                _p(format_gbp(line.claimed_pence), CELL_RIGHT),
                _p(format_gbp(line.assessed_pence), CELL_RIGHT),
            ]
        )
    rows.append(
        [
            _p(""),
            _p("Total", LABEL_STYLE),
            _p(""),
            _p(f"{form.item_count:,}", CELL_RIGHT),
            _p(""),
            _p(""),
            _p(format_gbp(form.claimed_pence), CELL_RIGHT),
            _p(format_gbp(form.assessed_pence), CELL_RIGHT),
        ]
    )
    story.append(_grid(rows, [w * width for w in (0.06, 0.33, 0.09, 0.07, 0.12, 0.11, 0.11, 0.11)], header=True))
    notes = list(form.reasons) + [f"flagged: {flag} (a manager approved it)" for flag in form.flags]
    if notes:
        story.append(_p("; ".join(notes), SMALL))
    story.append(Paragraph(f"3. Evidence of value kept with the claim ({len(form.evidence)})", HEADING))
    if form.evidence:
        files = [[_p(h, LABEL_STYLE) for h in ("No.", "File in this pack", "Type", "Size", "SHA-256", "Added")]]
        for item in form.evidence:
            files.append(
                [
                    _p(str(item.number)),
                    _p(item.file),
                    _p(LABEL.get(MediaType(item.media_type), item.media_type)),
                    _p(_size(item.size), CELL_RIGHT),
                    _p(item.sha256, SMALL),
                    _p(f"{show_time(item.added_at, zone)} by {item.added_by}", SMALL),
                ]
            )
        story.append(_grid(files, [w * width for w in (0.05, 0.22, 0.07, 0.08, 0.36, 0.22)], header=True))
    else:
        story.append(_p("None kept: items without evidence of value are claimed at the standard amount.", BODY))
    declaration = [
        Paragraph("4. Declaration", HEADING),
        _p(form.declaration, BODY),
        Spacer(1, 1.5 * mm),
        _p("Made by the claimant at the counter." if form.declared else "NOT MADE.", LABEL_STYLE),
    ]
    story.append(KeepTogether(declaration))
    sign = [
        [
            _p("Receiving officer", LABEL_STYLE),
            _p(form.officer),
            _p("Receipt reference", LABEL_STYLE),
            _p(form.reference),
        ]
    ]
    story.append(Spacer(1, 3 * mm))
    story.append(_grid(sign, [width * 0.18, width * 0.32, width * 0.18, width * 0.32]))
    story.append(Spacer(1, 2 * mm))
    story.append(
        _p(
            f"For {payer_name(form.payer)}'s decision: allow or refuse each line (or the whole claim) in the "
            "pack's decisions-template.csv; the claimed amounts are the most that may be allowed.",
            SMALL,
        )
    )
    return story
