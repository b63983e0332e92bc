"""The one way files from users are read: items CSV, remittance CSV, campaign TOML.

Every reader refuses, with the file and line named, what would otherwise surprise the code
behind it: text that is not UTF-8, a header with unknown, missing or repeated columns, rows
with too many or too few cells, a cell longer than any real value, a file far too large.
CSV rows stream (a 35,871-row stock list keeps memory flat).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from surrender.errors import Refused
from surrender.rules.bounds import MAX_CELL_CHARS, MAX_TOML_BYTES

MAX_CSV_BYTES = 512 * 1024 * 1024  # a million-row stock list is ~100 MB
BLOCK_BYTES = 256 * 1024  # decoded at a time: memory stays flat, no per-line decode call
HEADER_BYTES = 4096  # the first block when only the header is wanted


def read_text_file(path: Path, what: str, max_bytes: int = MAX_TOML_BYTES) -> str:
    """A whole small text file, UTF-8 (with or without BOM), size checked before reading."""
    size = _size(path, what)
    if size > max_bytes:
        raise Refused(f"{what} {path} is {size:,} bytes; the most is {max_bytes:,}")
    with _open_binary(path, what) as handle:
        return "".join(_decoded_lines(handle, path)).removeprefix("\ufeff")


class CsvFile:
    """A CSV file with a checked header; iterate for (line number, {column: cell}) rows.

    Each iteration reads the file afresh, so a transaction retried after a busy database
    reads it again instead of finding a spent generator. Blank rows are skipped.
    """

    def __init__(self, path: Path, what: str, known: Collection[str] | None, required: Collection[str] = ()):
        """`known`: the only columns allowed (None: any, the others ignored by the caller)."""
        self.path, self.what = Path(path), what
        self.known, self.required = (None if known is None else tuple(known)), tuple(required)
        if _size(self.path, what) > MAX_CSV_BYTES:
            raise Refused(f"{what} {path} is over {MAX_CSV_BYTES // 2**20} MB")
        self.columns = self._header()

    def _header(self) -> list[str]:
        with _open_binary(self.path, self.what) as handle:
            first = next(_rows(_decoded_lines(handle, self.path, HEADER_BYTES), self.path), None)
        header = first[1] if first else None
        if not header or not any(cell.strip() for cell in header):
            raise Refused(
                f"{self.path}: empty file; the first line must name the columns "
                f"({', '.join(self.required or self.known or ())})"
            )
        columns = [cell.strip().lower() for cell in header]
        unknown = [c for c in columns if self.known is not None and c not in self.known]
        if unknown:
            raise Refused(
                f"{self.path} line 1: unknown column(s) {', '.join(map(repr, unknown))[:200]}; "
                f"known: {', '.join(self.known or ())}"
            )
        repeated = sorted(c for c, n in Counter(columns).items() if n > 1)
        if repeated:
            raise Refused(f"{self.path} line 1: column(s) named twice: {', '.join(repeated)}")
        missing = [c for c in self.required if c not in columns]
        if missing:
            raise Refused(f"{self.path} line 1: the header needs the column(s) {', '.join(missing)}")
        return columns

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        columns = self.columns
        for line, row in self.rows():
            yield line, dict(zip(columns, row, strict=True))

    def rows(self, bad: Callable[[int, str], None] | None = None) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) in column order: what `__iter__` gives, without building a dict
        per row (a reader that memoises identical rows builds one per distinct row). A row with
        the wrong number of cells is refused, or, given `bad`, told to it and skipped."""
        width = len(self.columns)
        with _open_binary(self.path, self.what) as handle:
            rows = _rows(_decoded_lines(handle, self.path), self.path)
            next(rows)
            for line, row in rows:
                if len(row) != width:
                    if not "".join(row).strip():
                        continue
                    if bad is None:
                        raise Refused(f"{self.path} line {line}: {len(row)} cells for {width} columns")
                    bad(line, f"{len(row)} cells for {width} columns")
                    continue
                if not (row[0].strip() or "".join(row).strip()):  # a blank row (any cell not blank keeps it)
                    continue
                yield line, row

    def count_rows(self) -> int:
        """Physical lines after the header: a quick figure for a progress bar (line breaks
        counted a block of bytes at a time)."""
        with _open_binary(self.path, self.what) as handle:
            lines, last = 0, b"\n"
            while block := handle.read(BLOCK_BYTES):
                lines += block.count(b"\n")
                last = block[-1:]
            return max(lines + (last != b"\n") - 1, 0)


def _size(path: Path, what: str) -> int:
    try:
        if path.is_dir():
            raise Refused(f"{what} {path} is a folder, not a file")
        return path.stat().st_size
    except OSError as exc:
        raise Refused(f"cannot read {what} {path}: {exc.strerror}") from None


def _open_binary(path: Path, what: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise Refused(f"cannot read {what} {path}: {exc.strerror}") from None


def _decoded_lines(handle: BinaryIO, path: Path, first_block: int = BLOCK_BYTES) -> Iterator[str]:
    """Lines decoded a block at a time and handed on without a Python step per line; a byte that
    is not UTF-8 is reported with its line (that block is decoded line by line, so the lines
    before it are still read first)."""
    return chain.from_iterable(_decoded_blocks(handle, path, first_block))


def _decoded_blocks(handle: BinaryIO, path: Path, first_block: int) -> Iterator[Iterable[str]]:
    number = 0
    while True:
        block = handle.readlines(BLOCK_BYTES if number else first_block)
        if not block:
            return
        decoded: list[str] | None
        try:
            decoded = b"".join(block).decode("utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            decoded = None
        lines: Iterable[str]
        if decoded is None or len(decoded) != len(block):  # bad UTF-8, or a break str sees and bytes do not
            one_by_one = (
                _decoded_line(raw, start + offset, path) for start in [number] for offset, raw in enumerate(block, 1)
            )
            lines = _without_bom(one_by_one) if number == 0 else one_by_one
        else:
            if number == 0:
                decoded[0] = decoded[0].removeprefix("\ufeff")
            lines = decoded
        number += len(block)
        yield lines


def _without_bom(lines: Iterator[str]) -> Iterator[str]:
    for first in lines:
        yield first.removeprefix("\ufeff")
        yield from lines


def _decoded_line(raw: bytes, number: int, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(
            f"{path} line {number}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
            f"{exc.start + 1}); save the file as UTF-8"
        ) from None


MEMO_LINES = 10_000  # distinct unquoted lines remembered (a stock list has a few dozen)


def _rows(lines: Iterator[str], path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line it ends on, cells) for each CSV record, every cell's length bounded; a malformed
    quote or a cell past the csv module's own limit is a refusal, not a crash.

    A line without a quote is a whole record, and a stock list repeats a few dozen lines tens of
    thousands of times: each distinct one is parsed (by the csv module, strictly) and checked
    once, then handed out again (the same list: callers read rows, never change them). A line
    with a quote goes to the csv module with the lines after it, as a quoted cell may hold
    line breaks."""
    lines = iter(lines)
    seen: dict[str, list[str]] = {}
    number = 0
    for text in lines:
        row = seen.get(text)
        if row is None:
            quoted = '"' in text
            reader = csv.reader(chain((text,), lines) if quoted else (text,), strict=True)
            try:
                row = next(reader, [])
            except csv.Error as exc:
                raise Refused(f"{path} line {number + reader.line_num}: {exc}") from None
            number += reader.line_num - 1 if quoted else 0
            if row and max(map(len, row)) > MAX_CELL_CHARS:
                index, cell = next((i, c) for i, c in enumerate(row, 1) if len(c) > MAX_CELL_CHARS)
                raise Refused(
                    f"{path} line {number + 1}: cell {index} is {len(cell):,} characters; "
                    f"the most is {MAX_CELL_CHARS:,}"
                )
            if not quoted and len(seen) < MEMO_LINES:
                seen[text] = row
        number += 1
        yield number, row
