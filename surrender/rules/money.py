"""Money is integer pence in storage and Decimal in the rules; formatting happens at the edge."""

from __future__ import annotations

import re
from decimal import Decimal

from surrender.errors import Refused

MAX_ITEM_PENCE = 10_000_000  # £100,000 for a single item is absurd at a front desk

_PATTERN = re.compile(r"^\s*£?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$")


def parse_money(text: str, what: str = "amount") -> int:
    """Pence for `25`, `25.5`, `£25.50`; refuses negatives, more than 2 places and absurd values."""
    raw = str(text)
    if raw.strip().startswith("-"):
        raise Refused(f"{what} {raw!r} is negative")
    if re.match(r"^\s*£?\s*\d+\.\d{3,}\s*$", raw):
        raise Refused(f"{what} {raw!r} has more than 2 decimal places")
    match = _PATTERN.match(raw)
    if not match:
        raise Refused(f"{what} {raw!r} is not an amount of money: use e.g. 25.00")
    pounds, pence = match.group(1), (match.group(2) or "0").ljust(2, "0")
    total = int(pounds) * 100 + int(pence)
    if total > MAX_ITEM_PENCE:
        raise Refused(f"{what} {raw!r} is over £{MAX_ITEM_PENCE // 100:,}: check the figure")
    return total


def to_decimal(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def format_pence(pence: int) -> str:
    """`"10.00"`: the form used in JSON and CSV."""
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}{pence // 100}.{pence % 100:02d}"


def format_gbp(pence: int) -> str:
    """`£1,234.50`: the form people read."""
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"
