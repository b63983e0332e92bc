"""The `--items` CSV: checked header, then items one row at a time (memory stays flat)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from surrender.errors import Refused
from surrender.rules.items import CSV_COLUMNS, Item, item_from_fields


def _open(path: Path):
    try:
        return open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise Refused(f"cannot read items file {path}: {exc.strerror}") from None


def read_header(path: Path) -> list[str]:
    with _open(path) as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise Refused(f"{path}: empty file; the first line must name the columns, e.g. kind,blade_length")
    columns = [c.strip().lower() for c in header]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if unknown:
        raise Refused(f"{path}: unknown column(s) {', '.join(unknown)}; known: {', '.join(CSV_COLUMNS)}")
    for required in ("kind", "blade_length"):
        if required not in columns:
            raise Refused(f"{path}: the header needs a {required} column")
    return columns


class ItemsFile:
    """The items of a CSV file, read afresh on every iteration: a transaction retried after a
    busy database reads the whole file again instead of finding a spent generator."""

    def __init__(self, path: Path):
        self.path = path
        read_header(path)  # a bad header is refused before anything starts

    def __iter__(self) -> Iterator[Item]:
        return read_items(self.path)


def read_items(path: Path) -> Iterator[Item]:
    """Yield items; a bad row stops everything with its line number (the transaction rolls back)."""
    columns = read_header(path)
    with _open(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        memo: dict[tuple, Item] = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise Refused(f"{path} line {reader.line_num}: {len(row)} cells for {len(columns)} columns")
            key = tuple(row)
            item = memo.get(key)
            if item is None:
                try:
                    item = item_from_fields(dict(zip(columns, row)))
                except Refused as exc:
                    raise Refused(f"{path} line {reader.line_num}: {exc}") from None
                if len(memo) < 10_000:
                    memo[key] = item
            yield item


def count_rows(path: Path) -> int:
    """Data rows, for the progress bar (a quick count of lines)."""
    with open(path, "rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)
