"""Reference numbers: `TW-Z24-000017-7` = station, campaign prefix, per-station number, check.

Fixed widths (2-letter station, 6-digit number) keep a reference typed without dashes
unambiguous.

The check character is ISO 7064 MOD 37,36 over the letters and digits, so a single mistyped
character or a swap of neighbours is caught before anyone looks a record up.
"""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_37_36

from surrender.errors import Refused

_SHAPE = re.compile(r"^([A-Z]{2})-?([A-Z0-9]{1,4})-?(\d{6})-?([A-Z0-9])$")
MAX_NUMBER = 999_999


def make_reference(station: str, prefix: str, number: int) -> str:
    if not 1 <= number <= MAX_NUMBER:
        raise Refused(f"station {station} has used all {MAX_NUMBER:,} references for campaign {prefix}")
    body = f"{station}{prefix}{number:06d}"
    return f"{station}-{prefix}-{number:06d}-{mod_37_36.calc_check_digit(body)}"


EXAMPLE = make_reference("TW", "Z24", 17)  # shown in refusals: a real one, check character and all


def normalise_reference(text: str) -> str:
    """Upper-case, spaces dropped, dashes restored; refuses a wrong shape or check character."""
    raw = re.sub(r"\s+", "", text or "").upper()
    match = _SHAPE.match(raw)
    if not match:
        raise Refused(f"{text!r} is not a reference: they look like {EXAMPLE}")
    station, prefix, digits, check = match.groups()
    body = f"{station}{prefix}{digits}"
    if not mod_37_36.is_valid(body + check):
        raise Refused(f"{text!r} fails its check character: a character is probably mistyped")
    return f"{station}-{prefix}-{digits}-{check}"
