"""The managers' campaign report as a PDF: headline figures, charts and claim tables.

Drawn from a CampaignReport only (no database here), with ReportLab's own graphics, so no
plotting stack is needed. ReportLab is imported here and nowhere else on this path; the CLI
imports this module lazily.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import partial
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from surrender.clock import show_time
from surrender.outfiles import check_new, write_new
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.money import format_gbp
from surrender.rules.patterns import REASONS_HELP
from surrender.services.campaign_report import (
    LARGEST,
    CampaignReport,
    ClaimLine,
    Figures,
    PatternLine,
)

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# Paragraph markup: &, < and > as entities, quotes as typed (what xml.sax.saxutils.escape does,
# without loading urllib and http.client for it).
escape = partial(html_escape, quote=False)

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#EEEEEE")
STATION_COLOURS = [
    colors.HexColor("#1F4E79"),
    colors.HexColor("#C55A11"),
    colors.HexColor("#548235"),
    colors.HexColor("#7030A0"),
]
STATUS_COLOURS = {
    ClaimStatus.PENDING: "#F4B183",
    ClaimStatus.APPROVED: "#9DC3E6",
    ClaimStatus.REJECTED: "#C00000",
    ClaimStatus.EXPORTED: "#2E75B6",
    ClaimStatus.PAID: "#548235",
    ClaimStatus.NOT_PAYABLE: "#A6A6A6",
}
STATUS_LABELS = {ClaimStatus.NOT_PAYABLE: "not payable"}


def _label(status: ClaimStatus) -> str:
    return STATUS_LABELS.get(status, str(status))


BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=GREY)
MONO = ParagraphStyle("mono", parent=BODY, fontName="Courier", fontSize=7.5, leading=9.5)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=4)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontName="Helvetica-Bold", fontSize=12.5, leading=16, spaceBefore=8, spaceAfter=4
)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
HEAD_RIGHT = ParagraphStyle("head_right", parent=CELL_RIGHT, fontName="Helvetica-Bold", fontSize=8, leading=10)


def check_out(out: Path) -> None:
    """Refuse a destination that exists or is a folder, before any work is done."""
    check_new(out, "report", "report.pdf")


def write_report(report: CampaignReport, out: Path) -> Path:
    """Render, then put the file at `out` owner-only and atomically, never replacing a file."""
    check_out(out)
    return write_new(out, render_report(report))


def render_report(report: CampaignReport) -> bytes:
    buffer = io.BytesIO()
    made = show_time(report.made_at)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title="Weapons surrender campaign report",
        author=report.made_by,
        subject=report.anchor,
        creator="surrender",
    )

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, f"Campaign report made {made} by {report.made_by}")
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(_story(report), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _story(report: CampaignReport) -> list[Flowable]:
    names = "; ".join(f"{name} ({code})" for code, name in report.campaigns) or "No surrenders logged yet"
    story = [
        Paragraph("Weapons surrender campaign report", TITLE),
        Paragraph(escape(names), BODY),
        Paragraph(f"Period: {escape(_period(report))}", BODY),
        Spacer(1, 3 * mm),
        _meta(report),
        Paragraph("Headline figures", HEADING),
        _headline(report),
        Spacer(1, 2 * mm),
        Paragraph(
            escape(
                f"Void surrenders are left out of every figure ({report.voided} in this period). Payable counts "
                "pending, approved, exported and paid claims; a rejected or not-payable claim adds its claimed "
                "amount but nothing to payable. Outstanding is payable but not yet paid. These figures equal "
                "`surrender report totals` for the same filters."
            ),
            SMALL,
        ),
        Paragraph("Claims by status", HEADING),
        _status_table(report),
        PageBreak(),
        Paragraph(f"Weapons handed in per {report.bucket}, by station", HEADING),
        _weapons_chart(report),
        Spacer(1, 4 * mm),
        KeepTogether([Paragraph("Compensation by station", HEADING), _money_chart(report)]),
        Spacer(1, 4 * mm),
        KeepTogether([Paragraph("Claims by status", HEADING), _status_chart(report)]),
        PageBreak(),
        Paragraph(f"Largest claims (the top {LARGEST} by payable)", HEADING),
        _claims_table(report.largest, "No claims yet."),
        CondPageBreak(40 * mm),
        Paragraph(f"Flagged claims ({len(report.flagged)}): a manager approves them before finance", HEADING),
        _claims_table(report.flagged, "No flagged claims.", manager=True),
        PageBreak(),
        Paragraph(f"Patterns for reviewers ({len(report.patterns)})", HEADING),
        Paragraph(
            escape(
                "Claims flagged because they match a pattern across claims or against the scheme's data "
                f"(`surrender claims list --flag REASON`): {REASONS_HELP}. A pending one needs a manager's "
                "approval before finance approves it."
            ),
            SMALL,
        ),
        Spacer(1, 2 * mm),
        _patterns_table(report.patterns),
    ]
    return story


def _patterns_table(lines: list[PatternLine]) -> Flowable:
    """The patterns page: reason, reference, station, amounts, status, what matched."""
    if not lines:
        return Paragraph("No claim matches a pattern.", BODY)
    head = ["Reason", "Reference", "Station", "Claimed", "Payable", "Status", "What matched"]
    right = {3, 4}
    rows = [[Paragraph(f"<b>{h}</b>", CELL_RIGHT if i in right else CELL) for i, h in enumerate(head)]]
    for line in lines:
        cells = [
            line.reason,
            line.reference,
            line.station,
            format_gbp(line.claimed),
            format_gbp(line.payable),
            _label(line.status),
            line.detail,
        ]
        rows.append([Paragraph(escape(c), CELL_RIGHT if i in right else CELL) for i, c in enumerate(cells)])
    return _striped([36, 34, 17, 19, 19, 22, 53], rows, "TOP")


def _period(report: CampaignReport) -> str:
    if report.date_from is None:
        return "no surrenders yet"
    return f"{report.date_from:%d %b %Y} to {report.date_to:%d %b %Y} (Europe/London dates)"


def _meta(report: CampaignReport) -> Flowable:
    rows = [
        [Paragraph("Made at", CELL), Paragraph(escape(show_time(report.made_at) + " (Europe/London)"), CELL)],
        [Paragraph("Made by", CELL), Paragraph(escape(report.made_by), CELL)],
        [Paragraph("Audit anchor", CELL), Paragraph(escape(report.anchor), MONO)],
    ]
    table = LongTable(rows, colWidths=[28 * mm, WIDTH - 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TEXTCOLOR", (0, 0), (0, -1), GREY),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, LIGHT),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


MEASURES = [  # label, field, is money
    ("Surrenders", "surrenders", False),
    ("Items (weapons)", "items", False),
    ("Claims", "claims", False),
    ("Claimed", "claimed", True),
    ("Payable", "payable", True),
    ("Paid", "paid", True),
    ("Outstanding", "outstanding", True),
]


def _cell(figures: Figures, field: str, money: bool) -> str:
    value = getattr(figures, field)
    return format_gbp(value) if money else f"{value:,}"


def _headline(report: CampaignReport) -> Flowable:
    columns: list[tuple[str, Figures]] = [
        (f"{escape(name)}<br/>({escape(code)})", report.by_station[code]) for code, name in report.stations
    ]
    columns.append(("Total", report.total))
    head = [Paragraph("", CELL)] + [Paragraph(label, HEAD_RIGHT) for label, _ in columns]
    rows = [head] + [
        [Paragraph(label, CELL)] + [Paragraph(_cell(f, field, money), CELL_RIGHT) for _, f in columns]
        for label, field, money in MEASURES
    ]
    first = 40 * mm
    table = LongTable(rows, colWidths=[first] + [(WIDTH - first) / len(columns)] * len(columns))
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]),
                ("BACKGROUND", (-1, 1), (-1, -1), colors.HexColor("#DDEBF7")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _status_table(report: CampaignReport) -> Flowable:
    if not report.by_status:
        return Paragraph("No claims yet.", BODY)
    rows = [
        [
            Paragraph("<b>Status</b>", CELL),
            Paragraph("<b>Claims</b>", CELL_RIGHT),
            Paragraph("<b>Payable</b>", CELL_RIGHT),
        ]
    ]
    rows += [
        [Paragraph(_label(s), CELL), Paragraph(f"{n:,}", CELL_RIGHT), Paragraph(format_gbp(p), CELL_RIGHT)]
        for s, n, p in report.by_status
    ]
    rows.append(
        [
            Paragraph("<b>Total</b>", CELL),
            Paragraph(f"<b>{report.total.claims:,}</b>", CELL_RIGHT),
            Paragraph(f"<b>{format_gbp(report.total.payable)}</b>", CELL_RIGHT),
        ]
    )
    table = LongTable(rows, colWidths=[50 * mm, 30 * mm, 40 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, LIGHT]),
            ]
        )
    )
    return table


def _nothing(height: float, message: str) -> Drawing:
    drawing = Drawing(WIDTH, height)
    drawing.add(Rect(0, 0, WIDTH, height, strokeColor=LIGHT, fillColor=None))
    drawing.add(
        String(WIDTH / 2, height / 2, message, fontName="Helvetica", fontSize=11, fillColor=GREY, textAnchor="middle")
    )
    return drawing


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round axis step (1, 2, 5 x 10^n) giving about `ticks` gridlines, never below 1."""
    raw = max(top / ticks, 1)
    magnitude: int = 10 ** (len(str(int(raw))) - 1)  # an int: the exponent is never negative
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _legend(x: float, y: float, pairs: list[tuple[colors.Color, str]], columns: int = 1) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.fontName, legend.fontSize = "Helvetica", 8
    legend.boxAnchor = "nw"
    legend.columnMaximum = max(1, -(-len(pairs) // columns))
    legend.dx = legend.dy = 7
    legend.deltax = 90
    legend.colorNamePairs = pairs
    return legend


def _weapons_chart(report: CampaignReport) -> Drawing:
    height = 85 * mm
    if not report.buckets or not report.total.items:
        return _nothing(height, "No surrenders yet")
    drawing = Drawing(WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 28, 42
    chart.width, chart.height = WIDTH - 40, height - 62
    codes = [code for code, _ in report.stations]
    chart.data = [report.weapons[code] for code in codes]
    top = max(max(series) for series in chart.data) or 1
    step = _nice_step(top)
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, step
    chart.valueAxis.valueMax = step * -(-top // step)
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = "Helvetica", 7
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, LIGHT
    chart.categoryAxis.categoryNames = [_bucket_label(b, report.bucket) for b in report.buckets]
    labels = chart.categoryAxis.labels
    labels.fontName, labels.fontSize, labels.angle = "Helvetica", 6.5, 90
    labels.boxAnchor, labels.dy, labels.dx = "e", -3, 0
    chart.barSpacing, chart.groupSpacing = 0, 2 if len(report.buckets) > 20 else 6
    for index, _ in enumerate(codes):
        chart.bars[index].fillColor = STATION_COLOURS[index % len(STATION_COLOURS)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height - 8, "Items", fontName="Helvetica", fontSize=7.5, fillColor=GREY))
    pairs = [(STATION_COLOURS[i % 4], f"{name} ({code})") for i, (code, name) in enumerate(report.stations)]
    legend = _legend(60, height - 2, pairs, columns=len(pairs))
    legend.deltax = max(stringWidth(label, "Helvetica", 8) for _, label in pairs) + 24
    drawing.add(legend)
    return drawing


def _bucket_label(day: dt.date, bucket: str) -> str:
    return f"{day:%a %d %b}" if bucket == "day" else f"w/c {day:%d %b %y}"


def _pounds(value: float) -> str:
    return f"£{value:,.0f}"


def _money_chart(report: CampaignReport) -> Drawing:
    height = 70 * mm
    if not report.total.claims:
        return _nothing(height, "No claims yet")
    drawing = Drawing(WIDTH, height)
    series = [
        ("Claimed", "claimed", "#BDD7EE"),
        ("Payable", "payable", "#2E75B6"),
        ("Paid", "paid", "#548235"),
        ("Outstanding", "outstanding", "#C55A11"),
    ]
    chart = VerticalBarChart()
    chart.x, chart.y = 48, 18
    chart.width, chart.height = WIDTH - 180, height - 30
    # Pounds as drawing coordinates only; every figure printed is formatted from exact pence.
    chart.data = [
        [report.by_station[code].__getattribute__(field) / 100 for code, _ in report.stations] for _, field, _ in series
    ]
    top = max(max(row) for row in chart.data) or 1
    step = _nice_step(top)
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, step
    chart.valueAxis.valueMax = step * -(-top // step)
    chart.valueAxis.labelTextFormat = _pounds
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = "Helvetica", 7
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, LIGHT
    chart.categoryAxis.categoryNames = [f"{name} ({code})" for code, name in report.stations]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = "Helvetica", 8
    chart.barLabelFormat = _pounds
    chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.nudge = "Helvetica", 6.5, 6
    chart.barSpacing, chart.groupSpacing = 2, 18
    for index, (_, _, colour) in enumerate(series):
        chart.bars[index].fillColor = colors.HexColor(colour)
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(WIDTH - 110, height - 10, [(colors.HexColor(c), label) for label, _, c in series]))
    return drawing


def _status_chart(report: CampaignReport) -> Drawing:
    height = 62 * mm
    counts = [(status, n) for status, n, _ in report.by_status if n]
    if not counts:
        return _nothing(height, "No claims yet")
    drawing = Drawing(WIDTH, height)
    pie = Pie()
    size = height - 16
    pie.x, pie.y, pie.width, pie.height = 20, 8, size, size
    pie.data = [n for _, n in counts]
    pie.labels = None
    pie.simpleLabels = True
    pie.slices.strokeColor, pie.slices.strokeWidth = colors.white, 1
    for index, (status, _) in enumerate(counts):
        pie.slices[index].fillColor = colors.HexColor(STATUS_COLOURS.get(status, "#808080"))
    drawing.add(pie)
    total = sum(n for _, n in counts)
    pairs = [
        (colors.HexColor(STATUS_COLOURS.get(s, "#808080")), f"{_label(s)}: {n:,} ({_percent(n, total)})")
        for s, n in counts
    ]
    legend = _legend(size + 50, height - 12, pairs)
    legend.fontSize, legend.dy, legend.dx, legend.yGap = 9, 9, 9, 4
    drawing.add(legend)
    return drawing


def _percent(part: int, whole: int) -> str:
    share = 100 * part / whole
    return "<1%" if 0 < share < 1 else f"{share:.0f}%"


def _claims_table(lines: list[ClaimLine], empty: str, manager: bool = False) -> Flowable:
    if not lines:
        return Paragraph(empty, BODY)
    head = ["Reference", "Station", "Items", "Claimed", "Payable", "Status"] + (["Manager"] if manager else [])
    right = {2, 3, 4}
    rows = [[Paragraph(f"<b>{h}</b>", CELL_RIGHT if i in right else CELL) for i, h in enumerate(head)]]
    for line in lines:
        cells = [
            line.reference,
            line.station,
            f"{line.items:,}",
            format_gbp(line.claimed),
            format_gbp(line.payable),
            _label(line.status),
        ]
        if manager:
            cells.append("approved" if line.manager_approved else "awaiting")
        rows.append([Paragraph(escape(c), CELL_RIGHT if i in right else CELL) for i, c in enumerate(cells)])
    return _striped([44, 16, 18, 30, 30, 24] + ([20] if manager else []), rows, "MIDDLE")


def _striped(widths: list[int], rows: list[list[Paragraph]], valign: str) -> LongTable:
    """A listing across the page: relative column `widths`, a ruled header repeated on each
    page, striped rows."""
    scale = WIDTH / (sum(widths) * mm)
    table = LongTable(rows, colWidths=[w * mm * scale for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]),
                ("VALIGN", (0, 0), (-1, -1), valign),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table
