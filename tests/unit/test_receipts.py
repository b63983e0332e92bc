"""Receipt PDFs: what a claimant, an officer and a property store would read on them.

Text is read back from the PDF's own content streams (inflated here), so these tests need
nothing beyond ReportLab; one extra test checks a real reader (pdftotext) agrees.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
import time
import zlib
from pathlib import Path

import pytest

from surrender.errors import Refused
from surrender.receipts import receipt_path, render_receipt, tags_path
from surrender.views import ClaimView, LineView, SurrenderView

UTC = dt.timezone.utc
REF = "TW-Z24-000017-K"


def line(n: int, quantity: int = 1, eligible: bool = True, reasons: tuple[str, ...] = (), unit: int = 1000,
         seal: str = "", rows: int = 1, description: str = "Zombie knife, green handle") -> LineView:
    pence = unit if eligible else 0
    return LineView(first_line=n, rows=rows, kind="zombie-knife", kind_label="Zombie-style knife",
                    description=description, blade_length_mm="254", quantity=quantity, eligible=eligible,
                    reasons=list(reasons), unit_compensation_pence=pence, compensation_pence=pence * quantity,
                    claimed_value_pence=None, evidence="none", seal=seal)


def claim(payable: int = 3000, reasons: tuple[str, ...] = (), flags: tuple[str, ...] = ()) -> ClaimView:
    return ClaimView(status="pending" if payable else "not_payable", claimed_pence=max(payable, 2000),
                     payable_pence=payable, reasons=list(reasons), flags=list(flags), manager_approved=False,
                     batch_id=None, decision_note=None)


def make_view(items: list[LineView] | None = None, **changes) -> SurrenderView:
    items = items if items is not None else [line(1), line(2, seal="SB-1"), line(3)]
    fields = dict(
        reference=REF, campaign="zombie-2024", campaign_name="Zombie-style knives and machetes scheme 2024",
        legal_basis="SI 2024/583, Part 4.", declaration="I declare that I am the legal owner.",
        minimum_note="No compensation is payable where the claim total is under £30.00.",
        timezone="Europe/London", station="TW", station_name="Thorpe Wood Police Station",
        station_town="Peterborough", force="Cambridgeshire Constabulary", payer="home-office",
        surrendered_at=dt.datetime(2024, 9, 1, 13, 30, tzinfo=UTC),
        recorded_at=dt.datetime(2024, 9, 1, 13, 31, tzinfo=UTC),
        officer_number="1234", officer_name="PC Sam Okafor", anonymous=False, declared=True, claimant=None,
        items=items, item_count=sum(i.quantity for i in items), claim=claim(),
        claimant_on_receipt="Jane Smith, PE1 1AA",
    )
    fields.update(changes)
    return SurrenderView(**fields)


def page_texts(path: Path) -> list[str]:
    """The strings drawn on each page, decoded from the inflated content streams."""
    data = path.read_bytes()
    pages = []
    for match in re.finditer(rb"/Filter \[([^\]]*)\][^>]*>>\s*stream\r?\n(.*?)endstream", data, re.S):
        filters, body = match.groups()
        if b"ASCII85Decode" in filters:
            body = base64.a85decode(body.strip().removesuffix(b"~>"))
        if b"FlateDecode" in filters:
            body = zlib.decompress(body)
        strings = re.findall(rb"\(((?:\\.|[^\\()])*)\)", body, re.S)
        pages.append(re.sub(r"\s+", " ", " ".join(_unescape(s) for s in strings)))  # wrapped lines rejoin
    assert len(pages) == len(re.findall(rb"/Type /Page\b", data)), "one content stream per page"
    return pages


def _unescape(raw: bytes) -> str:
    out = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1].isdigit()
                 else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m[1], m[1]), raw)
    return out.decode("cp1252", errors="replace")


def render(tmp_path: Path, view: SurrenderView | None = None, name: str = "r.pdf", **kw) -> list[str]:
    path = render_receipt(view or make_view(), tmp_path / name, **kw)
    assert path.read_bytes().startswith(b"%PDF-")
    return page_texts(path)


def test_receipt_path_names_original_and_reprint(tmp_path):
    assert receipt_path(tmp_path, REF) == tmp_path / f"{REF}.pdf"
    assert receipt_path(tmp_path, REF, reprint=True) == tmp_path / f"{REF}-reprint.pdf"
    with pytest.raises(Refused):
        receipt_path(tmp_path, "../../etc/passwd")


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_claimant_copy_then_retained_copy(tmp_path, paper):
    pages = render(tmp_path, paper=paper)
    text = "\n".join(pages)
    assert "Claimant copy" in pages[0] and "Retained copy" in pages[-1]
    for expected in (REF, "Cambridgeshire Constabulary", "Thorpe Wood Police Station", "SI 2024/583",
                     "01 Sep 2024 14:30 BST", "PC Sam Okafor", "1234", "Jane Smith, PE1 1AA", "£30.00",
                     "I declare that I am the legal owner.", "Made by the claimant", "Claimant signature"):
        assert expected in text, expected
    assert "Recorded" not in text  # recorded a minute after the surrender: not worth a line


def test_paper_sizes(tmp_path):
    def widths(name: str, paper: str) -> set[float]:
        render_receipt(make_view(), tmp_path / name, paper=paper)
        boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", (tmp_path / name).read_bytes())
        return {round(float(w) / 72 * 25.4) for w, _ in boxes}

    assert widths("a4.pdf", "a4") == {210}
    assert widths("roll.pdf", "80mm") == {80}


def test_unknown_paper_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(Refused, match="paper"):
        render_receipt(make_view(), tmp_path / "r.pdf", paper="letter")
    assert not (tmp_path / "r.pdf").exists()


def test_item_table_shows_inches_reasons_and_why_not_payable(tmp_path):
    unmet = ("not a zombie-style knife in law: needs spikes", "not a zombie-style knife in law: needs a point")
    items = [line(1), line(2, eligible=False, reasons=unmet)]
    view = make_view(items, claim=claim(0, reasons=("claim total £10.00 is under the £30.00 minimum",)))
    text = "\n".join(render(tmp_path, view))
    assert "10in (254mm)" in text  # the Order's unit, then the exact length stored
    assert "in law: needs spikes; needs a point" in text  # the shared prefix is said once
    assert "Not payable because" in text and "under the £30.00 minimum" in text


def test_flags_are_referred_for_manager_review(tmp_path):
    text = "\n".join(render(tmp_path, make_view(claim=claim(60000, flags=("claim £600.00 over £500.00",)))))
    assert "Referred for manager review" in text and "claim £600.00 over £500.00" in text


def test_late_recording_shows_both_times(tmp_path):
    view = make_view(recorded_at=dt.datetime(2024, 9, 2, 8, 5, tzinfo=UTC))
    text = "\n".join(render(tmp_path, view))
    assert "01 Sep 2024 14:30 BST" in text and "02 Sep 2024 09:05 BST" in text


def test_anonymous_surrender(tmp_path):
    view = make_view(anonymous=True, declared=False, claim=None, claimant_on_receipt=None)
    text = "\n".join(render(tmp_path, view))
    assert "Anonymous surrender" in text and "No compensation claim made" in text
    assert "Claimant signature" not in text


def test_named_surrender_without_details(tmp_path):
    text = "\n".join(render(tmp_path, make_view(claim=None, claimant_on_receipt=None)))
    assert "No claimant details" in text and "No compensation claim made" in text


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_one_tag_per_item_numbered_across_lines(tmp_path, paper):
    view = make_view([line(1, quantity=3), line(4, seal="SB-77"), line(5, quantity=2)])
    retained = "\n".join(render(tmp_path, view, paper=paper)[1:])
    assert re.findall(r"Item (\d+) of 6", retained) == [str(n) for n in range(1, 7)]
    assert [f"{REF}/{n}" in retained for n in range(1, 7)] == [True] * 6
    assert retained.count("Seal no. SB-77") == 1
    assert retained.count("Seal no. ___") == 5


def test_one_tag_per_group_when_many_items(tmp_path):
    view = make_view([line(1, quantity=40, rows=40), line(41, quantity=21, rows=21)])
    retained = "\n".join(render(tmp_path, view)[1:])
    assert "Item 1 of" not in retained
    assert "Group 1 of 2" in retained and "Group 2 of 2" in retained
    assert "40 \u00d7 Zombie-style knife" in retained and f"{REF}/L41" in retained


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_reprint_is_marked_on_every_page(tmp_path, paper):
    original = render(tmp_path, paper=paper, name="o.pdf")
    assert not any("REPRINT" in page for page in original)
    printed = dt.datetime(2024, 9, 5, 10, 0, tzinfo=UTC)
    reprint = render(tmp_path, paper=paper, name="p.pdf", reprint=True, printed_at=printed)
    assert all("REPRINT" in page and "05 Sep 2024 11:00 BST" in page for page in reprint)


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_void_is_marked_on_every_page(tmp_path, paper):
    assert not any("VOID" in page for page in render(tmp_path, paper=paper, name="o.pdf"))
    view = make_view(voided_at=dt.datetime(2024, 9, 3, 9, 0, tzinfo=UTC), void_reason="logged in error")
    pages = render(tmp_path, view, paper=paper, name="v.pdf", reprint=True)
    assert all("VOID" in page and "REPRINT" in page for page in pages)
    assert "logged in error" in pages[0]


def test_reference_with_star_check_character_renders(tmp_path):
    text = "\n".join(render(tmp_path, make_view(reference="PK-Z24-000031-*")))
    assert "PK-Z24-000031-*/3" in text


def test_big_grouped_stock_claim_is_quick_and_states_the_count(tmp_path):
    items = [line(1 + k * 900, quantity=897, rows=897, description=f"Stock SKU {k}") for k in range(39)]
    items.append(line(40_000, quantity=35_871 - 897 * 39))
    view = make_view(items, item_count=35_871, claim=claim(35_871_000))
    render_receipt(view, tmp_path / "warm.pdf")  # first call loads fonts and modules
    for paper in ("a4", "80mm"):
        start = time.perf_counter()
        path = render_receipt(view, tmp_path / f"big-{paper}.pdf", paper=paper)
        assert time.perf_counter() - start < 1.0  # about 0.12 s measured; the spec wants well under 0.5 s
        text = "\n".join(page_texts(path))
        assert "35,871" in text and "Item 1 of" not in text
        if paper == "a4":
            assert "Group 40 of 40" in text
        else:  # the roll has a summary; the 40 tags are on A4 (test_a_stock_claim_on_the_roll_...)
            assert "40 tags for the sealed bags" in text and "Group 1 of" not in text


def test_written_atomically_into_a_new_directory(tmp_path):
    target = tmp_path / "receipts" / "nested" / f"{REF}.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    render_receipt(make_view(), target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temp file left behind
    fresh = render_receipt(make_view(), tmp_path / "new-dir" / "r.pdf")
    assert fresh.exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_a_real_reader_sees_pounds_and_the_reference(tmp_path):
    path = render_receipt(make_view(), tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert REF in text and "£30.00" in text


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_the_tags_alone_are_the_retained_copy_without_the_claimant_copy(tmp_path, paper):
    view = make_view([line(1, quantity=3), line(4, seal="SB-77")])
    both = render(tmp_path, view, paper=paper, name="both.pdf")
    tags = render(tmp_path, view, paper=paper, name="tags.pdf", copies=("retained",))
    assert not any("Claimant copy" in page for page in tags)
    assert all("Retained copy" in page for page in tags)
    assert re.findall(r"Item (\d+) of 4", "\n".join(tags)) == ["1", "2", "3", "4"]
    unnumbered = [re.sub(r"Page \d+", "", page) for page in both if "Retained copy" in page]
    assert [re.sub(r"Page \d+", "", page) for page in tags] == unnumbered  # numbered from 1 in its own file


def test_the_tags_file_sits_beside_its_receipt(tmp_path):
    assert tags_path(tmp_path / f"{REF}.pdf") == tmp_path / f"{REF}-tags.pdf"
    assert tags_path(tmp_path / f"{REF}-reprint.pdf") == tmp_path / f"{REF}-reprint-tags.pdf"


# -- issue 14.7: receipts that answer the claimant's next question ---------------------------

def pdftotext(path: Path, *options: str) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def page_sizes_mm(path: Path) -> list[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", path.read_bytes())
    return [(round(float(w) / 72 * 25.4), round(float(h) / 72 * 25.4)) for w, h in boxes]


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_a_claim_that_pays_nothing_shows_nothing_payable_on_each_line(tmp_path, paper):
    view = make_view([line(1), line(2)], claim=claim(0, reasons=("claim total under the minimum",)))
    text = "\n".join(render(tmp_path, view, paper=paper))
    assert "£10.00" not in text  # it showed £10.00 a line on a claim that pays nothing
    assert text.count("£0.00") >= 3  # each line, and the payable total


def test_a_payable_claim_shows_each_lines_compensation(tmp_path):
    text = "\n".join(render(tmp_path, make_view([line(1), line(2), line(3, quantity=2)])))
    assert text.count("£10.00") >= 2 and "£20.00" in text and "£10.00 each" in text


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_each_line_says_which_features_made_it_eligible_or_why_not(tmp_path, paper):
    knife = LineView(**{**line(1).__dict__, "decided_by": ["serrated 3in", "spikes"]})
    refused = line(2, eligible=False, reasons=("not a zombie-style knife in law: needs spikes",))
    text = "\n".join(render(tmp_path, make_view([knife, refused]), paper=paper))
    assert "eligible for: serrated 3in, spikes" in text
    assert "not a zombie-style knife in law: needs spikes" in text


def test_what_happens_next_names_the_payer_the_missing_bank_details_and_the_station(tmp_path):
    text = "\n".join(render(tmp_path, make_view()))
    assert "What happens next" in text
    assert "The Home Office decides the claim and pays it" in text and "evidence of value" in text
    assert "None given." in text and "cannot pay until it has them" in text
    assert "Thorpe Wood Police Station, Peterborough: call 101" in text  # no station contact known
    given = "\n".join(render(tmp_path, make_view(payer="force", bank_details_given=True,
                                                 station_contact="Thorpe Wood, Peterborough PE3 6SQ; 01733 555000"),
                             name="force.pdf"))
    assert "The force decides the claim and pays it" in given and "Home Office" not in given
    assert "Recorded: the force pays into the account you gave" in given
    assert "Thorpe Wood, Peterborough PE3 6SQ; 01733 555000" in given and "call 101" not in given


def test_what_happens_next_when_nothing_is_claimed_or_payable(tmp_path):
    anonymous = "\n".join(render(tmp_path, make_view(anonymous=True, claim=None, claimant_on_receipt=None)))
    assert "No compensation was claimed" in anonymous and "Bank details" not in anonymous
    nothing = "\n".join(render(tmp_path, make_view(claim=claim(0, reasons=("under the minimum",))), name="n.pdf"))
    assert "Nothing is payable on this claim" in nothing and "Bank details" not in nothing


def test_a_stock_claim_on_the_roll_is_a_short_summary_with_its_tags_on_a4(tmp_path):
    """A 35,871-item stock claim of 400 lines was 34 roll pages a metre long each."""
    items = [line(1 + k * 90, quantity=89, rows=89, description=f"Stock SKU {k}") for k in range(400)]
    items.append(line(40_000, eligible=False, quantity=271, rows=271, reasons=("not a zombie-style knife "
                                                                              "in law: needs spikes",)))
    view = make_view(items, item_count=35_871, claim=claim(3_560_000))
    path = render_receipt(view, tmp_path / "roll.pdf", paper="80mm")
    sizes = page_sizes_mm(path)
    assert len(sizes) <= 2 and all(w == 80 and h < 600 for w, h in sizes), sizes
    text = " ".join(pdftotext(path).split())
    assert "35,871" in text and "Stock SKU" not in text  # no line-by-line list on the roll
    assert "Zombie-style knife, eligible" in text and "35,600" in text and "271" in text
    assert "needs spikes" in text and "401 tags for the sealed bags" in text
    assert f"{REF}-tags.pdf" in text and "--paper a4" in text


def test_a_small_claim_on_the_roll_keeps_its_item_list_and_tags(tmp_path):
    text = "\n".join(render(tmp_path, make_view([line(n) for n in range(1, 6)]), paper="80mm"))
    assert "Item 5 of 5" in text and "Zombie knife, green handle" in text


# Hyphenated words wider than a column: ReportLab's default splits them anywhere ("Caterin" / "g-").
LONG_NAME = "Oluwaseun Adebayo-Whitfield, Whitfield-Cutlery-and-Catering-Supplies-Wholesale-Limited, PE1 1AA"
LONG_DESCRIPTION = "Stainless zombie-style knife, Sheffield-Stainless-Serrated-Spiked-Presentation-Boxed"


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_long_names_and_descriptions_wrap_at_words_never_mid_word(tmp_path, paper):
    view = make_view([line(1, description=LONG_DESCRIPTION), line(2), line(3)], claimant_on_receipt=LONG_NAME)
    path = render_receipt(view, tmp_path / "r.pdf", paper=paper)
    text = pdftotext(path, "-raw")
    # Rejoin the lines: at a hyphen as written, elsewhere with a space; every word comes back whole.
    joined = " ".join(re.sub(r"-\n", "-", text).split())
    for word in (LONG_NAME + " " + LONG_DESCRIPTION).replace(",", "").split():
        assert word in joined, word
