"""Blade lengths: parsed exactly into millimetres (Decimal), since 1 in is exactly 25.4 mm."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from surrender.errors import Refused

MM_PER_UNIT = {"in": Decimal("25.4"), '"': Decimal("25.4"), "cm": Decimal(10), "mm": Decimal(1)}
MAX_MM = Decimal(3000)  # nothing handed over a counter is three metres long
MAX_PLACES = 4  # decimal places a typed length may have (trailing zeros aside)

_PATTERN = re.compile(r'^\s*(\d+(?:\.\d+)?|\.\d+)\s*(in|inch|inches|"|cm|mm)?\s*$', re.IGNORECASE)


def parse_length(text: str | None) -> Decimal:
    """Millimetres for `9.5in`, `9.5"`, `24cm`, `241mm`; a bare number means inches."""
    raw = "" if text is None else str(text)
    match = _PATTERN.match(raw)
    if not match:
        raise Refused(f"blade length {raw!r} is not a length: use e.g. 9.5in, 24cm or 241mm")
    if len(match.group(1).partition(".")[2].rstrip("0")) > MAX_PLACES:
        # Beyond this, Decimal's 28-digit context would round the product and break exactness.
        raise Refused(f"length {raw!r} has more than {MAX_PLACES} decimal places: no ruler is that fine")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise Refused(f"blade length {raw!r} is not a number") from None
    unit = (match.group(2) or "in").lower()
    if unit in ("inch", "inches"):
        unit = "in"
    mm = number * MM_PER_UNIT[unit]
    if mm <= 0:
        raise Refused(f"length {raw!r} must be more than zero")
    if mm > MAX_MM:
        raise Refused(f"length {raw!r} is over {MAX_MM} mm: check the units")
    return mm


def parse_optional_length(text: str | None) -> Decimal:
    """Like parse_length, but empty or 0 means none (e.g. no serrated edge)."""
    if text is None or str(text).strip() in ("", "0", "0in", "0mm", "0cm", "no", "none"):
        return Decimal(0)
    return parse_length(text)


def format_length(mm: Decimal) -> str:
    """`241.3 mm (9.5 in)`: both units, so an officer can check against a ruler either way."""
    inches = (mm / MM_PER_UNIT["in"]).quantize(Decimal("0.01")).normalize()
    return f"{mm.normalize():f} mm ({inches:f} in)"


LEGAL_UNIT = "in"  # both schemes' Orders measure blades in inches; lengths are stored in exact mm


def format_inches(mm: Decimal) -> str:
    """`9.5in` when two decimal places hold the length exactly; else `about 9.449in` (24 cm),
    three places, so a blade just over a limit (203.3 mm) never reads as the limit itself.
    In words, not `≈`: the PDF's standard fonts have no such sign."""
    inches = mm / MM_PER_UNIT["in"]
    exact = inches.quantize(Decimal("0.01"))
    if exact == inches:
        return f"{exact.normalize():f}in"
    return f"about {inches.quantize(Decimal('0.001')):f}in"


def format_legal(mm: Decimal) -> str:
    """`about 9.449in (240mm)`: the unit the Order measures in, then the exact stored length. What
    was typed (24cm) is not stored, so every length is shown this one way."""
    return f"{format_inches(mm)} ({mm.normalize():f}mm)"
