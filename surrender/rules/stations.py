"""Forces and stations as people type them: codes in the shape references need, names and
details within bounds, and the rule that a closed station takes no new surrenders."""

from __future__ import annotations

import datetime as dt
import re

from surrender.errors import Refused
from surrender.rules.bounds import clip, within

STATION_CODE = re.compile(r"[A-Z]{2}")  # the first part of every reference: two letters
FORCE_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}")  # CAMBS, BEDS, MET ...
DETAIL_CHARS = 200  # a station's name, town, address, hours or contact line


def station_code(text: str) -> str:
    """A station code: two letters (upper-cased), as every reference starts with it."""
    code = text.strip().upper()
    if not STATION_CODE.fullmatch(code):
        raise Refused(f"station code {clip(text)} must be two letters, such as TW (references start with it)")
    return code


def force_code(text: str) -> str:
    """A force code: 2-10 letters or digits starting with a letter (upper-cased), such as BEDS."""
    code = text.strip().upper()
    if not FORCE_CODE.fullmatch(code):
        raise Refused(f"force code {clip(text)} must be 2-10 letters or digits starting with a letter, such as BEDS")
    return code


def detail(text: str | None, what: str, required: bool = False) -> str | None:
    """A name, town, address, hours or contact line tidied to single spaces; empty is none
    (refused when `required`)."""
    tidied = " ".join((text or "").split())
    if not tidied:
        if required:
            raise Refused(f"the {what} must not be empty")
        return None
    return within(tidied, what, DETAIL_CHARS)


def closed_refusal(code: str, closed_at: dt.datetime | None, at: dt.datetime) -> str | None:
    """None if the station takes surrenders at `at`; else why not (its records stay readable)."""
    if closed_at is None or at < closed_at:
        return None
    return (
        f"station {code} is closed (since {closed_at.date().isoformat()}): it takes no new surrenders; "
        "log at an open station of your force"
    )
