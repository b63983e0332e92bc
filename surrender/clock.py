"""The one clock. Services take `now` from their context, so tests control time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def local(at: dt.datetime, zone: str = "Europe/London") -> dt.datetime:
    return at.astimezone(ZoneInfo(zone))


def show_time(at: dt.datetime | None, zone: str = "Europe/London") -> str:
    """`01 Sep 2024 14:30 BST`: how people read times."""
    return "" if at is None else local(at, zone).strftime("%d %b %Y %H:%M %Z")


def iso(at: dt.datetime | None, zone: str = "Europe/London") -> str | None:
    """ISO 8601 with offset, in local time (`2024-09-01T14:30:00+01:00`)."""
    return None if at is None else local(at, zone).isoformat(timespec="seconds")
