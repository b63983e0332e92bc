"""Every listing speaks table, CSV and JSON; money and times are formatted here, at the edge."""

from __future__ import annotations

import enum
import sys
from typing import Iterable, Sequence


class Format(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


FORMAT_HELP = "Output as a table (for people), csv or json (for scripts)."


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def emit(rows: Sequence[dict], fmt: Format, columns: Sequence[str], title: str | None = None,
         totals: dict | None = None, empty: str = "nothing to show") -> None:
    """Print rows in the chosen format; `totals` becomes a footer row in the table only."""
    import json

    if fmt == Format.json:
        print(json.dumps(list(rows), indent=2, default=str, ensure_ascii=False))
        return
    if fmt == Format.csv:
        import csv

        from surrender.exports import neutralise

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([neutralise(row.get(c)) for c in columns] for row in rows)
        return
    from rich.table import Table

    if not rows:
        console().print(f"[dim]{empty}[/]")
        return
    table = Table(title=title, show_footer=totals is not None, header_style="bold")
    for index, column in enumerate(columns):
        numeric = rows and isinstance(rows[0].get(column), (int, float)) or column in _MONEY_COLUMNS
        table.add_column(column.replace("_", " "), justify="right" if numeric else "left",
                         footer=str((totals or {}).get(column, "")), no_wrap=index < len(columns) - 1)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console().print(table)


_MONEY_COLUMNS = {"claimed", "payable", "amount", "total", "compensation"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def print_json(value) -> None:
    import json

    print(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def lines(values: Iterable[str]) -> str:
    return "\n".join(values)
