"""How far "where is my money?" lookups may go wrong before they stop (issue 18.3): a reference
and a postcode are a check, and an unbounded check is an oracle (4 tries found `CB1 2AD` from
the `CB1 ***` that `show` prints). Misses are counted over the last hour per member and per
terminal, as PIN tries are; pure rules, the caller passes the times and `now`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

MISSES_PER_HOUR = 5
WINDOW = dt.timedelta(hours=1)


def free_again_at(misses: Iterable[dt.datetime], now: dt.datetime, limit: int = MISSES_PER_HOUR) -> dt.datetime | None:
    """None if one more lookup may be tried now; else when the oldest of the `limit` latest
    misses of the last hour leaves the window (the next try is allowed from then)."""
    recent = sorted(at for at in misses if now - WINDOW < at <= now)
    if len(recent) < limit:
        return None
    return recent[-limit] + WINDOW


def hour_of(at: dt.datetime) -> dt.datetime:
    """The UTC clock hour `at` falls in: misses are rolled up into one audit event per member per hour."""
    return at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
