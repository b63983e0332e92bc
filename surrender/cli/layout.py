"""The one table layout policy for the terminal: what stays whole, what wraps, what drops.

A reference or an amount of money is never wrapped or shortened: a clipped `TW-Z24-00…`
cannot be read back over a counter, and a clipped `£5,6…` is a different number. Other columns
wrap at spaces (a long word folds onto the next line, so a name's start is never cut) or, when
even that does not fit the terminal, are left out whole, the table says which, and
`--format csv/json` still carry every column. `emit` (cli/output.py) lays every listing out
through `fit_columns`; it is pure, so the policy is tested at any width without a terminal.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Columns that hold a reference or money, by name: shown whole at any width and never dropped.
REFERENCE_COLUMNS = frozenset({"reference", "tag"})
MONEY_COLUMNS = frozenset(
    {"claimed", "payable", "amount", "total", "compensation", "paid", "outstanding", "allowed", "each"}
    | {"retail_claimed", "retail_payable"}  # a scheme return's retailers' claims
)
# People's and businesses' names: wrapped (never cut), and the last columns given up.
NAME_COLUMNS = frozenset({"claimant", "name", "business", "staff_name", "officer_name", "account_name"})
SHORT = 12  # a value this wide or narrower (a code, a date, a count) is never wrapped: dropped instead
LONGEST_WORD = 20  # a wrapping column is never narrower than its longest word, up to this
NARROWEST_WRAP = 12  # nor narrower than this (a date and time wraps once, not into a column of words)


class Fit(enum.Enum):
    KEY = "key"  # a reference or money: whole, never dropped
    WHOLE = "whole"  # short values: never wrapped, dropped when there is no room
    WRAP = "wrap"  # text: wraps at spaces, dropped when there is no room


@dataclass(frozen=True)
class Placed:
    """A column as it will be drawn: its content width (padding aside) and how it fits."""

    name: str
    width: int
    fit: Fit


@dataclass(frozen=True)
class Layout:
    shown: tuple[Placed, ...]
    dropped: tuple[str, ...]  # left out at this width, in the order the listing gave them
    cramped: bool = False  # even the references and money alone are wider than the terminal


def table_width(content_widths: Sequence[int]) -> int:
    """Columns drawn by Rich's default table: one space of padding each side, a rule between
    columns and at both edges."""
    return sum(content_widths) + 3 * len(content_widths) + 1


def fit_of(name: str, cells: Sequence[str]) -> Fit:
    if name in REFERENCE_COLUMNS or name in MONEY_COLUMNS:
        return Fit.KEY
    if max((_width(c) for c in cells), default=0) <= SHORT:
        return Fit.WHOLE
    return Fit.WRAP


def fit_columns(
    columns: Sequence[str],
    cells: Mapping[str, Sequence[str]],
    width: int,
    headers: Mapping[str, str] | None = None,
    drop_first: Sequence[str] = (),
) -> Layout:
    """Which columns to show at `width` terminal cells, and how wide each is.

    `cells` are each column's printed values (footer included); `headers` what heads them (the
    name by default). Columns are given up in `drop_first` order, then as `_drop_order` says, until what remains fits at its narrowest (a wrapped column never
    narrower than its longest word); the room left widens the wrapped columns back."""
    headers = headers or {}
    head = {c: headers.get(c, c) for c in columns}
    fits = {c: fit_of(c, cells.get(c, ())) for c in columns}
    natural = {c: max([_width(head[c]), *(_width(v) for v in cells.get(c, ()))]) for c in columns}
    narrowest = {c: natural[c] if fits[c] != Fit.WRAP else _narrowest(head[c], cells.get(c, ())) for c in columns}
    # Where room is short, a header wraps at its spaces ("manager approval" over two lines)
    # rather than widen a column of short values.
    for c in columns:
        if fits[c] != Fit.WRAP:
            narrowest[c] = max([_longest_word(head[c]), *(_width(v) for v in cells.get(c, ()))])
    order = _drop_order(columns, fits, drop_first)
    shown = list(columns)
    dropped: list[str] = []
    while table_width([narrowest[c] for c in shown]) > width and order:
        victim = order.pop(0)
        shown.remove(victim)
        dropped.append(victim)
    for column in reversed(dropped[:-1]):  # one given up early may fit beside a wider one given up later
        if table_width([narrowest[c] for c in shown] + [narrowest[column]]) <= width:
            shown = [c for c in columns if c in shown or c == column]
            dropped.remove(column)
    widths = {c: narrowest[c] for c in shown}
    room = width - table_width(list(widths.values()))
    for c in shown:  # widen columns back towards their natural width, left to right
        if room <= 0:
            break
        grow = min(room, natural[c] - widths[c])
        widths[c] += grow
        room -= grow
    placed = tuple(Placed(c, widths[c], fits[c]) for c in shown)
    return Layout(placed, tuple(c for c in columns if c in dropped), cramped=room < 0)


def _drop_order(columns: Sequence[str], fits: Mapping[str, Fit], drop_first: Sequence[str]) -> list[str]:
    """`drop_first`, then long text (it frees the most room), then short values, from the right
    (a listing puts what matters most on the left), and people's names last."""
    droppable = [c for c in columns if fits[c] != Fit.KEY]
    chosen = [c for c in drop_first if c in droppable]
    rest = [c for c in reversed(droppable) if c not in chosen and c not in NAME_COLUMNS]
    names = [c for c in reversed(droppable) if c not in chosen and c in NAME_COLUMNS]
    return chosen + [c for c in rest if fits[c] == Fit.WRAP] + [c for c in rest if fits[c] == Fit.WHOLE] + names


def _width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in str(text).split("\n")), default=0)


def _longest_word(text: str) -> int:
    return max((_width(word) for word in str(text).split()), default=0)


def _narrowest(header: str, values: Sequence[str]) -> int:
    longest = max([_longest_word(header), *(_longest_word(v) for v in values)])
    natural = max([_width(header), *(_width(v) for v in values)])
    return min(natural, max(NARROWEST_WRAP, min(longest, LONGEST_WORD)))
