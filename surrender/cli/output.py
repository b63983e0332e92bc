"""Every listing speaks table, CSV and JSON; money and times are formatted here, at the edge."""

from __future__ import annotations

import enum
import functools
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from surrender.cli.layout import MONEY_COLUMNS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    # A piece of a styled line: plain text, (text, style) such as ("VOID", "bold red"), or a styled Text.
    Part = str | tuple[str, str] | Text


class Format(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


FORMAT_HELP = "Output as a table (for people), csv or json (for scripts)."


def console(stderr: bool = False) -> Console:
    """The one console: markup, emoji codes and highlighting off, so whatever a person typed or a
    file held prints exactly as written (`[/]` in a name cannot crash or vanish). Style comes
    only from `styled()`. Piped output is not cut to 80 columns: scripts get every column."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else PIPE_WIDTH
    return _literal_console_class()(stderr=stderr, highlight=False, markup=False, emoji=False, width=width)


PIPE_WIDTH = 1_000  # wide enough for any listing's table; lines are not padded to it


@functools.lru_cache(maxsize=1)
def _literal_console_class() -> type[Console]:
    """A Rich Console that shows control characters in every plain string (table cells too)."""
    from rich.console import Console

    class LiteralConsole(Console):
        def render_str(self, text: str, **options: Any) -> Text:
            return super().render_str(printable(text), **options)

    return LiteralConsole


def styled(*parts: Part) -> Text:
    """A line from literal pieces: each part is plain text, or (text, style) such as
    ("VOID", "bold red"). Nothing in any part is read as markup."""
    from rich.text import Text

    return Text.assemble(
        *((printable(p[0]), p[1]) if isinstance(p, tuple) else printable(p) if isinstance(p, str) else p for p in parts)
    )


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Control characters (a terminal escape, a carriage return) and bidirectional overrides
    from people's text shown as visible codes such as `\\x1b`, so nobody can repaint the
    officer's screen or reorder what it says. Newlines and tabs stay."""
    if not isinstance(text, str) or not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


def say(*parts: Part, stderr: bool = False) -> None:
    """Print one styled line (see `styled`)."""
    console(stderr).print(styled(*parts))


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    columns: Sequence[str],
    title: str | None = None,
    totals: dict[str, Any] | None = None,
    empty: str = "nothing to show",
    drop_first: Sequence[str] = (),
) -> None:
    """Print rows in the chosen format; `totals` becomes a footer row in the table only.
    `drop_first` names the columns a narrow terminal gives up first (cli/layout.py); CSV and
    JSON always carry every column."""
    import json

    if fmt == Format.json:
        print(json.dumps(list(rows), indent=2, default=str, ensure_ascii=False))
        return
    if fmt == Format.csv:
        import csv

        from surrender.exports import neutralise

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([neutralise(_csv_cell(row.get(c))) for c in columns] for row in rows)
        return
    if not rows:
        say((empty, "dim"))
        return
    _table(rows, columns, title, totals, drop_first)


def _table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    title: str | None,
    totals: dict[str, Any] | None,
    drop_first: Sequence[str],
) -> None:
    """The table for people, laid out by the one policy (cli/layout.py): references and money
    whole, other columns wrapped or left out, and what was left out said below it."""
    from rich.table import Table

    from surrender.cli.layout import Fit, fit_columns

    shown_rows = [{c: _cell(row.get(c)) for c in columns} for row in rows]
    footer = {c: str((totals or {}).get(c, "")) for c in columns}
    cells = {c: [row[c] for row in shown_rows] + ([footer[c]] if totals is not None else []) for c in columns}
    headers = {c: c.replace("_", " ") for c in columns}
    out = console()
    layout = fit_columns(columns, cells, out.width, headers, drop_first)
    table = Table(title=title, show_footer=totals is not None, header_style="bold")
    for placed in layout.shown:
        first = rows[0].get(placed.name)
        numeric = (isinstance(first, (int, float)) and not isinstance(first, bool)) or placed.name in MONEY_COLUMNS
        whole = placed.fit != Fit.WRAP and not layout.cramped
        table.add_column(
            headers[placed.name],
            justify="right" if numeric else "left",
            footer=footer[placed.name],
            width=placed.width,
            no_wrap=whole,
            overflow="fold",  # a word longer than its column goes on to the next line, never cut
        )
    for row in shown_rows:
        table.add_row(*(row[p.name] for p in layout.shown))
    out.print(table)
    if layout.dropped:
        left_out = ", ".join(headers[c] for c in layout.dropped)
        say((f"Left out at {out.width} columns: {left_out}; --format csv has every column.", "dim"))


def _csv_cell(value: object) -> object:
    """Lists and objects as JSON text in a CSV cell (never a Python repr)."""
    import json

    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def print_json(value: object) -> None:
    import json

    print(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def lines(values: Iterable[str]) -> str:
    return "\n".join(values)
