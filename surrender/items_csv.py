"""The `--items` CSV: checked header, then items one row at a time (memory stays flat)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from surrender.errors import Refused
from surrender.rules.items import CSV_COLUMNS, Item, item_from_fields
from surrender.userfiles import CsvFile

REQUIRED = ("kind", "blade_length")


class ItemsFile:
    """The items of a CSV file, read afresh on every iteration: a transaction retried after a
    busy database reads the whole file again instead of finding a spent generator."""

    def __init__(self, path: Path):
        self.path = path
        self.csv = CsvFile(path, "items file", CSV_COLUMNS, REQUIRED)  # a bad header is refused now

    def __iter__(self) -> Iterator[Item]:
        return read_items(self.csv)

    def count_rows(self) -> int:
        return self.csv.count_rows()


def read_items(rows: CsvFile) -> Iterator[Item]:
    """Yield items; a bad row stops everything with its line number (the transaction rolls back).
    Identical rows give back the same Item object, which the service groups by identity."""
    memo: dict[tuple, Item] = {}
    for line, cells in rows:
        key = tuple(cells.values())
        item = memo.get(key)
        if item is None:
            try:
                item = item_from_fields(cells)
            except Refused as exc:
                raise Refused(f"{rows.path} line {line}: {exc}") from None
            if len(memo) < 10_000:
                memo[key] = item
        yield item
