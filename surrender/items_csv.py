"""The `--items` CSV: checked header, then items one row at a time (memory stays flat).

The columns are the campaign's (kind, description, blade_length, its declared features, then
the claim columns), so the file is checked against the campaign the surrender is logged in.
`ItemsFile` and `ItemSpecs` are item sources (`services.intake.ItemSource`): read under the
campaign once it is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from surrender.errors import BadLines, Refused
from surrender.rules.features import Features
from surrender.rules.items import Item, csv_columns, item_from_fields, item_from_spec
from surrender.userfiles import CsvFile

REQUIRED = ("kind", "blade_length")


class ItemsFile:
    """The items of a CSV file, read afresh on every iteration: a transaction retried after a
    busy database reads the whole file again instead of finding a spent generator."""

    def __init__(self, path: Path, features: Features | None = None):
        self.path, self.features = path, features
        self.csv = CsvFile(path, "items file", csv_columns(features), REQUIRED)  # a bad header is refused now

    @classmethod
    def unchecked(cls, path: Path) -> ItemsFile:
        """The file before its campaign is known: readable, with a header (checked fully later)."""
        self = cls.__new__(cls)
        self.path, self.features = path, None
        self.csv = CsvFile(path, "items file", None, REQUIRED)
        return self

    def items_for(self, features: Features) -> ItemsFile:
        """The same file with its header checked against this campaign's columns."""
        return ItemsFile(self.path, features)

    def __iter__(self) -> Iterator[Item]:
        return read_items(self.csv, self.features)

    def count_rows(self) -> int:
        return self.csv.count_rows()


class ItemSpecs:
    """`--item` shorthand strings, parsed under the campaign the surrender is logged in (an
    item source, as `ItemsFile`)."""

    def __init__(self, specs: list[str]):
        self.specs = list(specs)

    def items_for(self, features: Features) -> list[Item]:
        return [item_from_spec(spec, features) for spec in self.specs]

    def __len__(self) -> int:
        return len(self.specs)


def read_items(rows: CsvFile, features: Features | None = None) -> Iterator[Item]:
    """Yield items; the bad rows are read past and, at the end, refused all together
    (`BadLines`, each with its line; the transaction rolls back), so a stock list with many
    mistakes is corrected in one go. Identical rows give back the same Item object, which the
    service groups by identity."""
    memo: dict[tuple[str, ...], Item] = {}
    columns = rows.columns
    problems: list[str] = []
    count = 0

    def bad(line: int, problem: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < BadLines.KEPT:
            problems.append(f"line {line}: {problem}")

    for line, cells in rows.rows(bad):
        key = tuple(cells)
        item = memo.get(key)
        if item is None:
            try:
                item = item_from_fields(dict(zip(columns, cells, strict=True)), features)
            except Refused as exc:
                bad(line, str(exc))
                continue
            if len(memo) < 10_000:
                memo[key] = item
        yield item
    if count:
        raise BadLines(rows.path, problems, count)
