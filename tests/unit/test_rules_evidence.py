"""Evidence files are told by their content (PDF, JPEG, PNG), bounded in size and count, and
never named after what they came as (issue 17, point 1)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from surrender.errors import Refused
from surrender.rules.evidence import (
    MAX_CLAIM_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES,
    MediaType,
    check_room,
    check_size,
    evidence_from_bytes,
    sniff,
    stored_name,
    tidy_name,
)


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "JPEG")
    return out.getvalue()


def pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Receipt: one zombie knife, £60.00")
    page.save()
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def zip_bomb() -> bytes:
    """A small zip that inflates to 100 MB: never opened here, only recognised."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("receipt.pdf", b"\x00" * (100 * 2**20))
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header stating a size far larger than its data (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + b"\x00" * 64


def jpeg_claiming(width: int, height: int) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x00" * 9
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9 + sof + b"\xff\xd9"


@pytest.mark.parametrize(("content", "kind"), [(pdf(), MediaType.PDF), (jpeg(), MediaType.JPEG), (png(), MediaType.PNG)])
def test_a_pdf_jpeg_or_png_is_known_by_its_first_bytes_whatever_its_name(content, kind):
    for name in ("receipt.pdf", "photo.jpg", "scan.png", "no-extension", "invoice.exe"):
        file = evidence_from_bytes(name, content)
        assert file.media_type == kind and file.size == len(content) and len(file.sha256) == 64


@pytest.mark.parametrize(("content", "looks"), [
    (ELF, "a Linux program"),
    (b"MZ\x90\x00" + b"\x00" * 100, "a Windows program"),
    (b"#!/bin/sh\nrm -rf /\n", "a script"),
    (zip_bomb(), "a ZIP archive"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 40, "a gzip archive"),
    (b"GIF89a" + b"\x00" * 40, "a GIF image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "markup"),
    (b"just some words\n", "plain text"),
])
def test_an_executable_archive_or_anything_else_renamed_pdf_is_refused_saying_what_it_looks_like(content, looks):
    with pytest.raises(Refused, match=f"is not a PDF, JPEG or PNG: it looks like {looks}"):
        evidence_from_bytes("receipt.pdf", content)


def test_bytes_with_no_known_shape_are_refused_without_a_guess():
    with pytest.raises(Refused, match=r"is not a PDF, JPEG or PNG \(the file's content decides"):
        sniff(bytes(range(256)))


def test_an_image_stating_a_huge_size_is_refused_unread_and_a_damaged_one_too():
    with pytest.raises(Refused, match="PNG of 50,000 x 50,000 pixels"):
        sniff(png_claiming(50_000, 50_000))
    with pytest.raises(Refused, match="JPEG of 60,000 x 60,000 pixels"):
        sniff(jpeg_claiming(60_000, 60_000))
    assert sniff(png_claiming(4000, 3000)) == MediaType.PNG
    assert sniff(jpeg_claiming(4000, 3000)) == MediaType.JPEG
    with pytest.raises(Refused, match="damaged PNG"):
        sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 4)
    with pytest.raises(Refused, match="0 x 0 pixels"):
        sniff(png_claiming(0, 0))


def test_size_is_bounded_before_reading_and_an_empty_file_is_refused():
    check_size(1)
    check_size(MAX_FILE_BYTES)
    with pytest.raises(Refused, match="is empty"):
        check_size(0)
    with pytest.raises(Refused, match=f"is 2,147,483,648 bytes; the most is {MAX_FILE_BYTES:,}"):
        check_size(2 * 2**30)


def test_a_claim_holds_a_bounded_number_and_total_of_files():
    check_room(0, 0, [1] * MAX_FILES)
    with pytest.raises(Refused, match=f"at most {MAX_FILES} evidence files; this one has 9 and 2 more"):
        check_room(9, 1000, [10, 10])
    with pytest.raises(Refused, match=f"may total {MAX_CLAIM_BYTES // 2**20} MB"):
        check_room(4, MAX_CLAIM_BYTES - 10, [11])


def test_a_kept_file_is_named_by_reference_and_number_never_by_the_name_it_came_with():
    assert stored_name("TW-Z24-000017-7", 2, "image/png") == "TW-Z24-000017-7-e2.png"
    assert stored_name("TW-Z24-000017-7", 1, "application/pdf") == "TW-Z24-000017-7-e1.pdf"
    with pytest.raises(Refused):
        stored_name("../../etc/passwd", 1, "application/pdf")
    assert tidy_name("/home/jo/../receipt\x1b[2J.pdf") == "receipt?[2J.pdf"
    assert tidy_name("C:\\scans\\r.pdf") == "r.pdf"
    assert len(tidy_name("x" * 500)) == 120
