"""Limits on what people and files may hand us, checked before anything is parsed.

A 5,000-digit quantity, a 128 KB cell or TOML nested 10,000 deep is refused here with one line,
instead of reaching `int()`, the csv module or tomllib and ending in a traceback.
"""

from __future__ import annotations

import datetime as dt

from surrender.errors import Refused

MAX_CELL_CHARS = 2_000  # a description or address; nothing at a counter is longer
MAX_TOML_BYTES = 256 * 1024  # a campaign file is a few KB
MAX_TOML_NESTING = 16  # campaigns use 3 levels
MAX_DIGITS = 12  # whole numbers: quantities, hole counts, ids


def clip(value: object, limit: int = 40) -> str:
    """A value as quoted in an error message: repr-quoted and cut short, so a huge or hostile
    input cannot flood the one-line message."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"


# The longest each stored text may be; longer is refused with its limit, never cut silently.
NAME_CHARS = 120  # claimant, business and account names
ADDRESS_CHARS = 300
EMAIL_CHARS = 254  # RFC 5321's longest path
REASON_CHARS = 500  # a void reason, a rejection reason, a decision note


# Dates people type are bounded before any work: a scheme runs for weeks, its records for years;
# year 1 or 9999 is a slip (or an attempt to make a report run for minutes or overflow a day).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def day_in_range(day: dt.date, option: str) -> dt.date:
    """`day` if it lies between FIRST_DAY and LAST_DAY, else a one-line refusal naming the option."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Refused(
            f"{option} {day.isoformat()} is outside {FIRST_DAY:%Y}-{LAST_DAY:%Y}: give a date in the scheme's years"
        )
    return day


def within(text: str, what: str, limit: int) -> str:
    """`text` (already tidied) if it fits in `limit` characters; otherwise a refusal naming the
    field, its length and the limit, so the person can shorten it themselves."""
    if len(text) > limit:
        raise Refused(f"the {what} is {len(text):,} characters long; the most is {limit:,}: shorten it")
    return text


def whole_number(text: str, what: str, maximum: int, minimum: int = 0) -> int:
    """An ASCII whole number within [minimum, maximum], refused by length before `int()`."""
    raw = str(text).strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_DIGITS:
        raise Refused(f"{what} {clip(text)} is not a whole number from {minimum:,} to {maximum:,}")
    number = int(raw)
    if not minimum <= number <= maximum:
        raise Refused(f"{what} {clip(text)} is out of range: {minimum:,} to {maximum:,}")
    return number


def check_cell(text: str, what: str) -> str:
    if len(text) > MAX_CELL_CHARS:
        raise Refused(f"{what} is {len(text):,} characters long; the most is {MAX_CELL_CHARS:,}")
    return text


def check_toml_shape(source: str) -> None:
    """Size and nesting depth of TOML text, measured without parsing it (tomllib recurses once
    per level, so 10,000 levels would exhaust the stack). Strings and comments are skipped."""
    if len(source.encode("utf-8", "surrogatepass")) > MAX_TOML_BYTES:
        raise Refused(f"the campaign text is over {MAX_TOML_BYTES // 1024} KB; a campaign is a few KB")
    depth = deepest = 0
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "#":
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "\"'":
            quote = source[i : i + 3] if source[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and not source.startswith(quote, i):
                i += 2 if (c == '"' and source[i] == "\\") else 1
            i += len(quote)
            continue
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_TOML_NESTING:
                raise Refused(f"the campaign text nests deeper than {MAX_TOML_NESTING} levels")
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
