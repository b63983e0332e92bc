"""Evidence of value kept with a claim: scans or photos of receipts, invoices and statements.

Pure rules: what a file is, by its first bytes and never by its name (PDF, JPEG or PNG only),
and how much a claim may hold. The file is never opened as an image or a document here or
anywhere in the tool: it is kept, listed, digested and handed on as it came.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from enum import StrEnum

from surrender.errors import Refused

MAX_FILE_BYTES = 15 * 1024 * 1024  # a phone photo is 2-8 MB, a multi-page scan a few MB
MAX_FILES = 10  # per claim
MAX_CLAIM_BYTES = 60 * 1024 * 1024  # all of a claim's files together
MAX_PIXELS = 100_000_000  # an image claiming more (a decompression bomb) is refused unread
MAX_NAME_CHARS = 120
SNIFF_BYTES = 64 * 1024  # enough to find a JPEG's frame size after its metadata


class MediaType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


EXTENSION = {MediaType.PDF: "pdf", MediaType.JPEG: "jpg", MediaType.PNG: "png"}
LABEL = {MediaType.PDF: "PDF", MediaType.JPEG: "JPEG", MediaType.PNG: "PNG"}

# What a refused file looks like, so the refusal can say it (first bytes -> description).
_KNOWN_OTHERS = (
    (b"\x7fELF", "a Linux program (ELF executable)"),
    (b"MZ", "a Windows program (executable)"),
    (b"\xca\xfe\xba\xbe", "a program (Mach-O or Java class)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP, AVI or WAV)"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"<", "markup (HTML, XML or SVG)"),
)


def check_size(size: int, what: str = "the evidence file") -> None:
    """Refuse an empty file or one over MAX_FILE_BYTES, before a byte of it is read."""
    if size <= 0:
        raise Refused(f"{what} is empty")
    if size > MAX_FILE_BYTES:
        raise Refused(
            f"{what} is {size:,} bytes; the most is {MAX_FILE_BYTES:,} ({MAX_FILE_BYTES // 2**20} MB): "
            "scan at a lower resolution or split it"
        )


def sniff(head: bytes, what: str = "the evidence file") -> MediaType:
    """PDF, JPEG or PNG by the file's own first bytes; anything else is refused saying what it
    looks like. An image's stated size is checked too (a decompression bomb is refused)."""
    if head.startswith(b"%PDF-"):
        return MediaType.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png(head, what)
        return MediaType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        _check_jpeg(head, what)
        return MediaType.JPEG
    looks = next((text for magic, text in _KNOWN_OTHERS if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(magic)), None)
    if looks is None and head[:512] and _is_text(head[:512]):
        looks = "plain text"
    shown = f": it looks like {looks}" if looks else ""
    raise Refused(f"{what} is not a PDF, JPEG or PNG{shown} (the file's content decides, not its name)")


def _is_text(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not re.search(rb"[\x00-\x08\x0e-\x1f]", sample)


def _check_pixels(width: int, height: int, what: str, label: str) -> None:
    if width <= 0 or height <= 0:
        raise Refused(f"{what} is a damaged {label}: it gives its size as {width} x {height} pixels")
    if width * height > MAX_PIXELS:
        raise Refused(
            f"{what} is a {label} of {width:,} x {height:,} pixels, over the {MAX_PIXELS:,} an "
            "evidence image may have: photograph or scan it again at a normal size"
        )


def _check_png(head: bytes, what: str) -> None:
    # Signature, then the IHDR chunk: length (13), b"IHDR", width, height (big-endian).
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise Refused(f"{what} is a damaged PNG (no image header)")
    width, height = struct.unpack(">II", head[16:24])
    _check_pixels(width, height, what, "PNG")


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _check_jpeg(head: bytes, what: str) -> None:
    """Walk the JPEG's segments to its frame header (SOFn) and check the size it states; a
    frame beyond the first SNIFF_BYTES (huge metadata) is left unchecked: nothing decodes it."""
    at = 2
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            raise Refused(f"{what} is a damaged JPEG (bad segment at byte {at})")
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        length = struct.unpack(">H", head[at + 2 : at + 4])[0]
        if length < 2:
            raise Refused(f"{what} is a damaged JPEG (bad segment length at byte {at})")
        if marker in _SOF:
            if at + 9 > len(head):
                return
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            _check_pixels(width, height, what, "JPEG")
            return
        if marker == 0xDA:  # image data before any frame header
            raise Refused(f"{what} is a damaged JPEG (no frame header)")
        at += 2 + length


def check_room(files_held: int, bytes_held: int, adding: list[int]) -> None:
    """Refuse adding files of these sizes to a claim holding `files_held` files of
    `bytes_held` bytes when the count or the total would pass the bounds."""
    if files_held + len(adding) > MAX_FILES:
        raise Refused(
            f"a claim keeps at most {MAX_FILES} evidence files; this one has {files_held} and "
            f"{len(adding)} more would make {files_held + len(adding)}"
        )
    total = bytes_held + sum(adding)
    if total > MAX_CLAIM_BYTES:
        raise Refused(
            f"a claim's evidence files may total {MAX_CLAIM_BYTES // 2**20} MB; these would make it "
            f"{total / 2**20:.1f} MB"
        )


def tidy_name(name: str) -> str:
    """The file's own name as given (its last part), tidied for listing: printable, bounded.
    Kept only to help finance tell files apart; it never names a file the tool writes."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", "?", base).strip()
    return base[:MAX_NAME_CHARS] or "evidence"


@dataclass(frozen=True)
class EvidenceFile:
    """A file read, checked and ready to keep."""

    name: str
    media_type: MediaType
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def evidence_from_bytes(name: str, content: bytes, what: str | None = None) -> EvidenceFile:
    """Check bytes already read (size, kind) and digest them."""
    label = what or f"evidence file {tidy_name(name)}"
    check_size(len(content), label)
    media = sniff(content[:SNIFF_BYTES], label)
    return EvidenceFile(tidy_name(name), media, content, hashlib.sha256(content).hexdigest())


def stored_name(reference: str, number: int, media_type: str) -> str:
    """The name an extracted or packed file gets: `TW-Z24-000017-7-e1.pdf` (never the name it
    came with, which could be anything)."""
    if not re.fullmatch(r"[A-Z0-9-]+", reference):
        raise Refused(f"{reference!r} is not a reference to name a file after")
    return f"{reference}-e{number}.{EXTENSION[MediaType(media_type)]}"
