"""The report PDF adapter on hand-made figures: long tables paginate, empty reports read well,
and the file is written owner-only without ever replacing one. No database here."""

from __future__ import annotations

import datetime as dt
import shutil
import stat
import subprocess
from dataclasses import replace

import pytest

from surrender.errors import Refused
from surrender.report_pdf import _nice_step, render_report, write_report
from surrender.services.campaign_report import CampaignReport, ClaimLine, Figures

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
UTC = dt.timezone.utc
ZERO = Figures(0, 0, 0, 0, 0, 0, 0)


def _report(flagged: int = 0, **changes) -> CampaignReport:
    days = [dt.date(2024, 8, 26) + dt.timedelta(days=d) for d in range(29)]
    lines = [ClaimLine(f"TW-Z24-{n:06d}-X", "TW", 30 + n, 100_000 + n, 90_000 + n, "pending", n % 2 == 0)
             for n in range(flagged)]
    base = CampaignReport(
        made_at=dt.datetime(2024, 9, 23, 16, 0, tzinfo=UTC), made_by="5023 Insp Morgan Lee",
        anchor="surrender-anchor events=7 head=" + "ab" * 32, campaigns=[("zombie-2024", "Zombie scheme")],
        date_from=days[0], date_to=days[-1], stations=[("PK", "Parkside Police Station"), ("TW", "Thorpe Wood")],
        total=ZERO, by_station={"PK": ZERO, "TW": ZERO}, bucket="day", buckets=days,
        weapons={"PK": [0] * 29, "TW": [0] * 29}, by_status=[], largest=[], flagged=lines, voided=0)
    return replace(base, **changes)


def _pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@needs_pdftotext
def test_a_long_flagged_table_runs_over_pages_with_its_header_on_each(tmp_path):
    pages = _pages(render_report(_report(flagged=150)), tmp_path)
    table_pages = [p for p in pages if "TW-Z24-" in p]
    assert len(table_pages) >= 3
    assert all("Reference" in p and "Payable" in p for p in table_pages)
    listed = [ref for p in table_pages for ref in p.split() if ref.startswith("TW-Z24-")]
    assert len(listed) == 150 and len(set(listed)) == 150  # none lost or repeated at a page break
    assert all(f"page {n}" in page for n, page in enumerate(pages, 1))


@needs_pdftotext
def test_an_empty_campaign_says_no_surrenders_yet_and_still_shows_its_anchor(tmp_path):
    text = "\n".join(_pages(render_report(_report()), tmp_path))
    assert "No surrenders yet" in text and "No claims yet" in text and "No flagged claims" in text
    assert "events=7" in text and "ab" * 32 in text and "5023 Insp Morgan Lee" in text
    assert "23 Sep 2024 17:00 BST" in text


def test_the_report_is_written_owner_only_and_never_over_a_file_or_folder(tmp_path):
    out = write_report(_report(), tmp_path / "sub" / "report.pdf")
    assert out.read_bytes().startswith(b"%PDF") and stat.S_IMODE(out.stat().st_mode) == 0o600
    before = out.read_bytes()
    with pytest.raises(Refused, match="exists already"):
        write_report(_report(), out)
    assert out.read_bytes() == before
    with pytest.raises(Refused, match="is a folder"):
        write_report(_report(), tmp_path)
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["report.pdf"]  # no temp file left behind


@pytest.mark.parametrize("top, step", [(0, 1), (3, 1), (7, 2), (20, 5), (480, 100), (21_158, 5000)])
def test_chart_axes_step_in_round_numbers_never_below_one(top, step):
    assert _nice_step(top) == step
