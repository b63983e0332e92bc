"""Receipt PDFs (SPEC 6): the claimant's copy, then the copy retained with the weapon(s).

Rendered from a SurrenderView only, so a first print and a reprint always agree. ReportLab
is imported here and nowhere else; callers import this module lazily, so commands that
print nothing do not pay for it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from surrender.clock import show_time, utcnow
from surrender.errors import Refused
from surrender.rules import custody as custody_rules
from surrender.rules.lengths import format_inches
from surrender.rules.money import format_gbp
from surrender.rules.payer import HOME_OFFICE, payer_name
from surrender.views import LineView, SurrenderView

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# Paragraph markup: &, < and > as entities, quotes as typed (what xml.sax.saxutils.escape does,
# without loading urllib and http.client for it).
escape = partial(html_escape, quote=False)

UNIT_TAG_LIMIT = custody_rules.UNIT_TAG_LIMIT  # above this many items, one tag per stock line (rules.custody)
LATE_RECORDING = dt.timedelta(minutes=5)
ROLL_MAX_PAGE = 1000 * mm  # a roll "page" grows with its content up to this, then flows on
ROLL_MAX_LINES = 12  # a surrender with more item lines (a stock claim) gets a summary on the roll
GREY = colors.HexColor("#555555")
COPIES = ("claimant", "retained")
Styles = dict[str, ParagraphStyle]  # the named paragraph styles of one paper (`_styles`)


@dataclass(frozen=True)
class Paper:
    name: str
    width: float
    height: float | None  # None: a roll, as long as the content
    margin: float
    size: float  # body font size
    tag_columns: int
    tag_height: float

    @property
    def roll(self) -> bool:
        return self.height is None

    @property
    def inner(self) -> float:
        return self.width - 2 * self.margin


PAPERS = {
    "a4": Paper("a4", A4[0], A4[1], 15 * mm, 9, tag_columns=2, tag_height=40 * mm),
    "80mm": Paper("80mm", 80 * mm, None, 4 * mm, 7.5, tag_columns=1, tag_height=38 * mm),
}


def receipt_path(receipts_dir: Path, reference: str, reprint: bool = False) -> Path:
    """Where a surrender's receipt lives; a reprint never overwrites the original."""
    if not re.fullmatch(r"[A-Z0-9*-]+", reference):
        raise Refused(f"{reference!r} is not a reference to name a receipt file after")
    return Path(receipts_dir) / f"{reference}{'-reprint' if reprint else ''}.pdf"


def summarised(view: SurrenderView, paper: str) -> bool:
    """Whether `paper` takes a summary of the items instead of the list: a stock claim on the
    roll (more lines than fit a hand's length, or more items than one tag each), whose full
    list and bag tags go on A4."""
    many = len(view.items) > ROLL_MAX_LINES or not custody_rules.per_unit(view.item_count)
    return paper in PAPERS and PAPERS[paper].roll and many


def tags_paper(view: SurrenderView, paper: str) -> str:
    """The paper a surrender's bag tags are printed on: A4 when the roll has only a summary."""
    return "a4" if summarised(view, paper) else paper


def tags_path(receipt: Path) -> Path:
    """The retained copy alone (bag tags), beside its receipt: `REF-tags.pdf`."""
    receipt = Path(receipt)
    return receipt.with_name(f"{receipt.stem}-tags{receipt.suffix}")


def render_receipt(
    view: SurrenderView,
    path: Path,
    paper: str = "a4",
    reprint: bool = False,
    printed_at: dt.datetime | None = None,
    copies: tuple[str, ...] = COPIES,
) -> Path:
    """Render the receipt and put it at `path` atomically: a reader never sees half a PDF.

    `copies` picks the copies in the file: both (the receipt), or ("retained",) for the tags
    that go with the weapons, printed alone with `--print tags`."""
    if paper not in PAPERS:
        raise Refused(f"unknown paper {paper!r}: use one of {', '.join(PAPERS)}")
    if not copies or set(copies) - set(COPIES):
        raise ValueError(f"copies must be among {COPIES}")
    job = _Job(view, PAPERS[paper], reprint, printed_at or utcnow())
    data = _build(job, copies)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class _Job:
    view: SurrenderView
    paper: Paper
    reprint: bool
    printed_at: dt.datetime

    def time(self, at: dt.datetime | None) -> str:
        return show_time(at, self.view.timezone)

    @property
    def summary(self) -> bool:
        """The roll shows a summary of a stock claim's items; the list and tags are on A4."""
        return summarised(self.view, self.paper.name)

    def banners(self) -> list[str]:
        """The marks every page carries: a reprint and a void must never pass for an original."""
        out = []
        if self.view.voided_at is not None:
            out.append(f"VOID \u2014 voided {self.time(self.view.voided_at)}: {self.view.void_reason or ''}")
        if self.reprint:
            out.append(f"REPRINT \u2014 reprinted {self.time(self.printed_at)}")
        return out


# -- the document --------------------------------------------------------------------------


def _build(job: _Job, copies: tuple[str, ...] = COPIES) -> bytes:
    """One page template per copy; on a roll each is as long as its content."""
    paper, st = job.paper, _styles(job.paper)
    makers = {"claimant": _claimant_copy, "retained": _retained_copy}
    parts = {name: makers[name](job, st) for name in COPIES if name in copies}
    top = paper.margin + 6 * mm + 7 * mm * len(job.banners())
    templates = []
    for name, flowables in parts.items():
        height = paper.height or min(ROLL_MAX_PAGE, top + _measure(flowables, paper.inner) + paper.margin + 4 * mm)
        frame = Frame(
            paper.margin,
            paper.margin,
            paper.inner,
            height - top - paper.margin,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=name,
        )
        label = "Claimant copy" if name == "claimant" else "Retained copy"
        templates.append(
            PageTemplate(
                id=name,
                frames=[frame],
                pagesize=(paper.width, height),
                onPage=lambda canv, doc, label=label: _page_header(canv, job, label, doc.page),
                onPageEnd=lambda canv, doc: _watermark(canv, job),
            )
        )
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=templates[0].pagesize,
        pageTemplates=templates,
        title=f"Receipt {job.view.reference}",
        author=job.view.force,
        subject=job.view.campaign_name,
    )
    story = []
    for index, flowables in enumerate(parts.values()):
        if index:
            story += [NextPageTemplate(templates[index].id), PageBreak()]
        story += flowables
    doc.build(story)
    return buffer.getvalue()


def _measure(flowables: list[Flowable], width: float) -> float:
    """Height the flowables need in one frame: the length of a roll page."""
    height: float = sum(f.wrap(width, 10**6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)
    return height


def _styles(paper: Paper) -> Styles:
    s = paper.size
    # Words are never split mid-word (ReportLab's default for a word wider than its column):
    # lines break at spaces, and a long hyphenated name also at its hyphens.
    base = ParagraphStyle(
        "body",
        fontName="Helvetica",
        fontSize=s,
        leading=s * 1.25,
        splitLongWords=0,
        embeddedHyphenation=1,
    )
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=s - 1.5, leading=(s - 1.5) * 1.2, textColor=GREY),
        "cell": ParagraphStyle("cell", base, fontSize=s - 0.5, leading=(s - 0.5) * 1.2),
        "right": ParagraphStyle("right", base, fontSize=s - 0.5, leading=(s - 0.5) * 1.2, alignment=TA_RIGHT),
        "force": ParagraphStyle("force", base, fontName="Helvetica-Bold", fontSize=s + 4, leading=(s + 4) * 1.2),
        "title": ParagraphStyle(
            "title", base, fontName="Helvetica-Bold", fontSize=s + 2, leading=(s + 2) * 1.3, spaceBefore=3
        ),
        "h": ParagraphStyle("h", base, fontName="Helvetica-Bold", fontSize=s + 1, spaceBefore=8, spaceAfter=3),
        "ref": ParagraphStyle(
            "ref",
            base,
            fontName="Helvetica-Bold",
            fontSize=22 if not paper.roll else 17,
            leading=28 if not paper.roll else 21,
            spaceBefore=4,
        ),
        "big": ParagraphStyle("big", base, fontName="Helvetica-Bold", fontSize=s + 3, leading=(s + 3) * 1.2),
        "center": ParagraphStyle("center", base, fontSize=s - 0.5, leading=(s - 0.5) * 1.2, alignment=TA_CENTER),
        "void": ParagraphStyle(
            "void",
            base,
            fontName="Helvetica-Bold",
            fontSize=s + 1,
            textColor=colors.white,
            backColor=colors.black,
            borderPadding=3,
            spaceBefore=8,
            spaceAfter=8,
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


class _Cell(Paragraph):  # reportlab ships no type stubs: Paragraph is Any to mypy
    """A table cell's paragraph, broken into lines once per width: a long item table wraps
    every cell to measure its rows, again at each page break and once more to draw it, always
    at its column's width (it was ~40% of a stock claim's receipt). Cells are never split."""

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped is None or self._wrapped[0] != availWidth:
            self._wrapped = (availWidth, super().wrap(availWidth, availHeight))
        return self._wrapped[1]


def _e(text: object) -> str:
    return escape(str(text))


# -- claimant copy -------------------------------------------------------------------------


def _claimant_copy(job: _Job, st: Styles) -> list[Flowable]:
    out = _header(job, st, "Weapon surrender receipt \u2014 claimant copy")
    out += [_p("Details", st["h"]), _details(job, st)]
    heading = _p(f"Items surrendered ({job.view.item_count:,})", st["h"])
    out += [heading] + (_item_summary(job, st) if job.summary else [_item_table(job, st)])
    out += [_p("Totals", st["h"])] + _totals(job, st)
    out += [_p("What happens next", st["h"]), _next_steps(job, st)]
    out += [_p("Declaration", st["h"])] + _declaration(job, st)
    out += [Spacer(1, 14 * mm), _signatures(job, st)]  # room to sign above the rule
    return out


def _header(job: _Job, st: Styles, title: str) -> list[Flowable]:
    """Force, station, campaign and the reference big enough to read across a counter."""
    v, paper = job.view, job.paper
    lines = [
        _p(_e(v.force), st["force"]),
        _p(f"{_e(v.station_name)}, {_e(v.station_town)}", st["body"]),
        _p(title, st["title"]),
        _p(_e(v.reference), st["ref"]),
    ]
    about = [_p(f"<b>{_e(v.campaign_name)}</b>", st["body"]), _p(_e(v.legal_basis), st["small"])]
    void = (
        [_p(f"VOID: voided {job.time(v.voided_at)} \u2014 {_e(v.void_reason or '')}", st["void"])]
        if v.voided_at
        else []
    )
    if paper.roll:
        qr = _qr(v.reference, 26 * mm)
        qr.hAlign = "CENTER"
        return lines + [Spacer(1, 2 * mm), qr] + about + void
    qr_size = 32 * mm
    table = Table([[lines, _qr(v.reference, qr_size)]], colWidths=[paper.inner - qr_size, qr_size])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table, Spacer(1, 2 * mm)] + about + void


def _qr(value: str, size: float) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _details(job: _Job, st: Styles) -> Table:
    v = job.view
    rows = [("Surrendered", job.time(v.surrendered_at))]
    if abs(v.recorded_at - v.surrendered_at) > LATE_RECORDING:
        rows.append(("Recorded", f"{job.time(v.recorded_at)} (entered later)"))
    rows.append(("Receiving officer", f"{_e(v.officer_name)} (collar no. {_e(v.officer_number)})"))
    rows.append(("Claimant", _e(_claimant_text(v))))
    return _label_table(job, st, rows)


def _claimant_text(view: SurrenderView) -> str:
    if view.anonymous:
        return "Anonymous surrender"
    return view.claimant_on_receipt or "No claimant details"


def _label_table(job: _Job, st: Styles, rows: list[tuple[str, str | Flowable]]) -> Table:
    """Label and value pairs; a value is paragraph markup or a ready flowable."""
    label = 24 * mm if job.paper.roll else 38 * mm
    data = [
        [_p(f"<b>{name}</b>", st["cell"]), _p(value, st["cell"]) if isinstance(value, str) else value]
        for name, value in rows
    ]
    table = Table(data, colWidths=[label, job.paper.inner - label], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _item_table(job: _Job, st: Styles) -> Table:
    """One row per line or group of identical lines; the header repeats on every page.

    Cells without markup are plain strings styled by the table, not Paragraphs: a stock claim
    has hundreds of cells, and each Paragraph is parsed and wrapped again at every page break."""
    roll = job.paper.roll
    head = ["Line", "Item", "Qty", "£"] if roll else ["Line", "Item", "Blade", "Qty", "Eligible", "Compensation"]
    rows: list[list[str | Flowable]] = [head]
    rows += [_item_row(job, st, line) for line in job.view.items]
    widths = [7 * mm, 0, 10 * mm, 18 * mm] if roll else [11 * mm, 0, 24 * mm, 16 * mm, 16 * mm, 26 * mm]
    widths[1] = job.paper.inner - sum(widths)
    cell = st["cell"]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", cell.fontSize, cell.leading),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDDDDD")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for column, name in enumerate(head):
        if name in ("Qty", "£", "Compensation"):
            style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
        elif name == "Eligible":
            style.append(("ALIGN", (column, 0), (column, -1), "CENTER"))
    if not roll:  # "No" stands out
        style += [
            ("FONTNAME", (4, row), (4, row), "Helvetica-Bold")
            for row, line in enumerate(job.view.items, 1)
            if not line.eligible
        ]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _item_row(job: _Job, st: Styles, line: LineView) -> list[str | Flowable]:
    """A4 gives blade and eligibility their own columns; the roll folds them under the item.
    Under the item: the features that made it eligible, or why it is not."""
    claim = job.view.claim is not None
    small = st["small"].fontSize
    what = f"<b>{_e(line.kind_label)}</b>" + (f" \u2014 {_e(line.description)}" if line.description else "")
    if line.rows > 1:
        what += f" <font color='#555555'>({line.rows:,} identical lines)</font>"
    blade, eligible = _blade(line.blade_length_mm), "Yes" if line.eligible else "No"
    if job.paper.roll:
        shown = eligible.lower() if line.eligible else "<b>no</b>"
        what += f"<br/>Blade {blade.replace(chr(10), ' ')} \u00b7 eligible {shown}"
    reasons = _compact([r for r in line.reasons if claim or r != "no claim made"])  # said once, in the totals
    why = f"eligible for: {', '.join(line.decided_by)}" if line.eligible and line.decided_by else reasons
    if why:
        what += f"<br/><font size='{small}' color='#555555'><i>{_e(why)}</i></font>"
    pays = job.view.payable_on(line)
    money: str | Flowable = format_gbp(pays) if claim else "\u2014"
    if pays and line.quantity > 1:
        money = _Cell(
            f"{money}<br/><font size='{small}'>{format_gbp(line.unit_compensation_pence)} each</font>", st["right"]
        )
    number, qty = str(line.first_line), f"{line.quantity:,}"
    if job.paper.roll:
        return [number, _Cell(what, st["cell"]), qty, money]
    return [number, _Cell(what, st["cell"]), blade, qty, eligible, money]


def _compact(reasons: list[str]) -> str:
    """`not a knife in law: needs A; needs B`: a repeated `prefix:` is said once."""
    out, last = [], None
    for reason in reasons:
        head, sep, tail = reason.partition(": ")
        out.append(tail if sep and head == last else reason)
        last = head if sep else None
    return "; ".join(out)


def _blade(mm_text: str) -> str:
    """`9.5in` over `(241.3mm)` (two lines of a table cell): the Order's unit, then the exact
    length stored. What was typed (24cm) is not kept, so every blade reads this one way."""
    try:
        length = Decimal(mm_text)
    except (InvalidOperation, TypeError):
        return "\u2014"
    return f"{format_inches(length)}\n({format(length.normalize(), 'f')}mm)"


def _item_summary(job: _Job, st: Styles) -> list[Flowable]:
    """A stock claim on the roll: one row per kind and verdict with its count and what it pays,
    then where the full list and the bag tags are (A4)."""
    v = job.view
    groups: dict[tuple[str, bool], list[LineView]] = {}
    for line in v.items:
        groups.setdefault((line.kind_label, line.eligible), []).append(line)
    rows: list[list[str | Flowable]] = [["Items", "Qty", "\u00a3"]]
    for (label, eligible), lines in groups.items():
        what = f"<b>{_e(label)}</b>, {'eligible' if eligible else '<b>not eligible</b>'}"
        what += f"<br/><font color='#555555'>{len(lines):,} line{'s' if len(lines) != 1 else ''}</font>"
        reasons = [] if eligible else list(dict.fromkeys(r for line in lines for r in line.reasons))
        if reasons:  # every reason once, in the order first met
            what += f"<br/><font size='{st['small'].fontSize}' color='#555555'><i>{_e(_compact(reasons))}</i></font>"
        pays = sum(v.payable_on(line) for line in lines)
        money = format_gbp(pays) if v.claim is not None else "\u2014"
        rows.append([_Cell(what, st["cell"]), f"{sum(line.quantity for line in lines):,}", money])
    widths = [0.0, 14 * mm, 20 * mm]
    widths[0] = job.paper.inner - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1)
    cell = st["cell"]
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", cell.fontSize, cell.leading),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDDDDD")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    note = (
        f"A stock claim of {len(v.items):,} lines: the full item list is on the A4 receipt "
        f"(<i>surrender receipt {_e(v.reference)} --paper a4</i>); the bag tags are printed on A4."
    )
    return [table, Spacer(1, 2 * mm), _p(note, st["small"])]


def _totals(job: _Job, st: Styles) -> list[Flowable]:
    v = job.view
    lines = f" in {len(v.items):,} groups of identical lines" if any(i.rows > 1 for i in v.items) else ""
    small = f"<font name='Helvetica' size='{st['cell'].fontSize}'>{lines}</font>"
    rows: list[tuple[str, str | Flowable]] = [("Total items", _p(f"{v.item_count:,}{small}", st["big"]))]
    if v.claim is None:
        rows.append(("Compensation", "<b>No compensation claim made</b>"))
        return [_label_table(job, st, rows)]
    c = v.claim
    rows += [
        ("Claimed", format_gbp(c.claimed_pence)),
        ("Payable", f"<b>{format_gbp(c.payable_pence)}</b>"),
        ("Claim status", _e(c.status.replace("_", " ").capitalize())),
    ]
    if c.reasons:
        rows.append(("Not payable because", "<br/>".join(_e(r) for r in c.reasons)))
    if c.flags:
        rows.append(("Manager review", "Referred for manager review: " + "; ".join(_e(f) for f in c.flags)))
    if c.decision_note:
        rows.append(("Note", _e(c.decision_note)))
    return [_label_table(job, st, rows)]


def _next_steps(job: _Job, st: Styles) -> Table:
    """The claimant's next question answered: who decides and pays, what they still need from
    the claimant, and whom to ask (the station's contact line, else its name, town and 101)."""
    v = job.view
    payer = payer_name(v.payer)
    rows: list[tuple[str, str | Flowable]] = []
    if v.claim is None:
        rows.append(("Next", "No compensation was claimed, so nothing more is needed from you. Keep this receipt."))
    elif v.voided_at is not None or v.claim.payable_pence == 0:
        rows.append(
            (
                "Next",
                "Nothing is payable on this claim (see Totals), so no payment will follow. If you think "
                "that is wrong, contact us quoting the reference.",
            )
        )
    else:
        sent = " The police send it your claim and any evidence of value." if v.payer == HOME_OFFICE else ""
        review = " A manager reviews the claim first." if v.claim.flags else ""
        rows.append(("Who decides", f"{_e(payer[0].upper() + payer[1:])} decides the claim and pays it.{sent}{review}"))
        if v.bank_details_given:
            rows.append(("Bank details", f"Recorded: {_e(payer)} pays into the account you gave."))
        else:
            rows.append(
                (
                    "Bank details",
                    f"<b>None given.</b> {_e(payer[0].upper() + payer[1:])} cannot pay until it has them: "
                    "contact us quoting the reference to give them.",
                )
            )
        rows.append(("Ask about it", "Contact us with the reference and your postcode to hear where the claim is."))
    rows.append(("Contact", _e(v.station_contact or f"{v.station_name}, {v.station_town}: call 101")))
    return _label_table(job, st, rows)


def _declaration(job: _Job, st: Styles) -> list[Flowable]:
    v = job.view
    made = "Made by the claimant at the desk." if v.declared else "Not made."
    out = [_p(f"<i>{_e(v.declaration)}</i>", st["body"]), Spacer(1, 1 * mm), _p(f"<b>{made}</b>", st["body"])]
    if v.minimum_note:
        out += [Spacer(1, 2 * mm), _p(_e(v.minimum_note), st["small"])]
    return out


def _signatures(job: _Job, st: Styles) -> Table:
    """Space to sign above a rule; a person surrendering anonymously is not asked to sign."""
    v = job.view
    officer = f"Receiving officer: {_e(v.officer_name)} ({_e(v.officer_number)})"
    who = [] if v.anonymous else ["Claimant signature"]
    cells = [_p(f"{label}<br/>Date:", st["small"]) for label in who + [officer]]
    if job.paper.roll:
        data = [[c] for c in cells]
        style = [("LINEABOVE", (0, i), (0, i), 0.5, colors.black) for i in range(len(cells))]
        widths = [job.paper.inner]
    else:
        data, widths = [cells], [job.paper.inner / 2 - 5 * mm] * len(cells)
        style = [("LINEABOVE", (i, 0), (i, 0), 0.5, colors.black) for i in range(len(cells))]
    table = Table(data, colWidths=widths, hAlign="LEFT", spaceBefore=0)
    table.setStyle(
        TableStyle(
            style
            + [
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 14 * mm if job.paper.roll else 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10 * mm),
            ]
        )
    )
    return table


# -- retained copy -------------------------------------------------------------------------


@dataclass(frozen=True)
class _TagSpec:
    title: str  # "Item 3 of 4" or "Group 2 of 40"
    kind: str
    detail: str
    seal: str
    code: str  # what the barcode says


def _retained_copy(job: _Job, st: Styles) -> list[Flowable]:
    v = job.view
    per_unit = custody_rules.per_unit(v.item_count)
    out = [_p("Retained copy \u2014 keep with the weapon(s)", st["title"]), _p(_e(v.reference), st["ref"])]
    out.append(
        _label_table(
            job,
            st,
            [
                ("Station", f"{_e(v.force)}, {_e(v.station_name)}"),
                ("Campaign", _e(v.campaign_name)),
                ("Surrendered", job.time(v.surrendered_at)),
                ("Receiving officer", f"{_e(v.officer_name)} ({_e(v.officer_number)})"),
                ("Items", f"<b>{v.item_count:,}</b>"),
            ],
        )
    )
    how = "one per item" if per_unit else "one per group of identical stock lines"
    tags = _tag_specs(v) if per_unit else _group_tag_specs(v)
    if job.summary:
        name = tags_path(receipt_path(Path("."), v.reference, job.reprint)).name
        where = f"<b>{len(tags):,} tags for the sealed bags ({how}) are printed on A4</b>: {_e(name)}."
        return out + [Spacer(1, 2 * mm), _p(where, st["body"])]
    out += [
        Spacer(1, 2 * mm),
        _p(f"Tags for the sealed bags, {how}: cut out and attach.", st["small"]),
        Spacer(1, 3 * mm),
    ]
    n = job.paper.tag_columns
    out += [_TagRow(tags[i : i + n], job.paper) for i in range(0, len(tags), n)]
    return out


def _tag_specs(view: SurrenderView) -> list[_TagSpec]:
    """One tag per weapon, numbered 1..N in the order of the item table (rules.custody.tags_for,
    the rule the exhibits are stored by)."""
    specs = []
    for tag in custody_rules.tags_for(view.reference, view.item_count, view.items):
        line = view.items[tag.line]
        specs.append(
            _TagSpec(
                f"Item {tag.ordinal} of {tag.total}",
                line.kind_label,
                f"Line {line.first_line}" + (f": {line.description}" if line.description else ""),
                line.seal,
                tag.code,
            )
        )
    return specs


def _group_tag_specs(view: SurrenderView) -> list[_TagSpec]:
    """One tag per group of identical stock lines: a bag per product, not per blade."""
    specs = []
    for tag in custody_rules.tags_for(view.reference, view.item_count, view.items):
        line = view.items[tag.line]
        specs.append(
            _TagSpec(
                f"Group {tag.ordinal} of {tag.total}",
                f"{tag.quantity:,} \u00d7 {line.kind_label}",
                f"Line {line.first_line}"
                + (f" + {line.rows - 1:,} identical lines" if line.rows > 1 else "")
                + (f": {line.description}" if line.description else ""),
                line.seal,
                tag.code,
            )
        )
    return specs


class _TagRow(Flowable):  # reportlab ships no type stubs: Flowable is Any to mypy
    """A row of bag tags side by side, so tags flow down the page and across pages."""

    GAP = 4 * mm

    def __init__(self, specs: list[_TagSpec], paper: Paper):
        super().__init__()
        self.specs, self.paper = specs, paper
        self.tag_w = (paper.inner - self.GAP * (paper.tag_columns - 1)) / paper.tag_columns

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.paper.inner, self.paper.tag_height + self.GAP

    def draw(self) -> None:
        for i, spec in enumerate(self.specs):
            self._tag(spec, i * (self.tag_w + self.GAP), self.GAP)

    def _tag(self, spec: _TagSpec, x: float, y: float) -> None:
        c, w, h, pad = self.canv, self.tag_w, self.paper.tag_height, 3 * mm
        inner = w - 2 * pad
        c.saveState()
        c.setDash(3, 2)
        c.roundRect(x, y, w, h, 2 * mm)
        c.setDash()
        top = y + h - pad - 9
        c.setFont("Helvetica-Bold", 11)
        c.drawString(x + pad, top, spec.code.split("/")[0])
        c.setFont("Helvetica-Bold", 9.5)
        c.drawRightString(x + w - pad, top, spec.title)
        c.setFont("Helvetica", 8.5)
        c.drawString(x + pad, top - 12, _fit(spec.kind, "Helvetica", 8.5, inner))
        c.setFont("Helvetica", 7.5)
        c.drawString(x + pad, top - 22, _fit(spec.detail, "Helvetica", 7.5, inner))
        c.setFont("Helvetica-Bold" if spec.seal else "Helvetica", 9)
        c.drawString(x + pad, top - 35, _fit(f"Seal no. {spec.seal or '_' * 22}", "Helvetica-Bold", 9, inner))
        self._barcode(spec.code, x + pad, y + pad + 8, inner, h - 2 * pad - 60)
        c.setFont("Helvetica", 6.5)
        c.drawCentredString(x + w / 2, y + pad, spec.code)
        c.restoreState()

    def _barcode(self, value: str, x: float, y: float, width: float, height: float) -> None:
        """Code128 scaled to the tag's width, never wider than 0.5 mm a bar (scanners prefer it)."""
        modules = Code128(value, barWidth=1, humanReadable=False, quiet=True)
        bar = min(0.5 * mm, width / modules.width)
        code = Code128(value, barWidth=bar, barHeight=height, humanReadable=False, quiet=True)
        code.drawOn(self.canv, x + (width - code.width) / 2, y)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut text to the width with an ellipsis, at a word's end where one is near; a tag has
    one line for it (the whole text is on the claimant's copy)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", font, size) > width:
        text = text[:-1]
    words = text.rsplit(" ", 1)[0]
    return (words if len(words) > len(text) // 2 else text).rstrip(" ,;:") + "\u2026"


# -- every page ----------------------------------------------------------------------------


def _page_header(canv: Canvas, job: _Job, label: str, page: int) -> None:
    """Which copy and page this is, then the REPRINT/VOID banners, in the top margin."""
    width, height = canv._pagesize
    m = job.paper.margin
    canv.saveState()
    canv.setFont("Helvetica", 7)
    canv.setFillColor(GREY)
    canv.drawString(m, height - m - 7, f"{label} \u00b7 {job.view.reference}")
    canv.drawRightString(width - m, height - m - 7, f"Page {page}")
    y = height - m - 6 * mm
    for text in job.banners():
        canv.setFillColor(colors.black)
        canv.rect(m, y - 6 * mm, width - 2 * m, 6 * mm, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont("Helvetica-Bold", 8)
        canv.drawString(m + 2 * mm, y - 4.2 * mm, _fit(text, "Helvetica-Bold", 8, width - 2 * m - 4 * mm))
        y -= 7 * mm
    canv.restoreState()


def _watermark(canv: Canvas, job: _Job) -> None:
    """A pale diagonal VOID (or REPRINT) over the content; on a roll, repeated down its length."""
    word = "VOID" if job.view.voided_at is not None else "REPRINT" if job.reprint else None
    if word is None:
        return
    width, height = canv._pagesize
    size = min(170, 0.8 * width / stringWidth(word, "Helvetica-Bold", 1))
    step = max(height, 1) if height <= width * 1.5 else width * 1.2
    canv.saveState()
    canv.setFillColor(colors.red, alpha=0.22)
    canv.setFont("Helvetica-Bold", size)
    y = step / 2
    while y < height:
        canv.saveState()
        canv.translate(width / 2, y)
        canv.rotate(35)
        canv.drawCentredString(0, -size / 3, word)
        canv.restoreState()
        y += step
    canv.restoreState()
