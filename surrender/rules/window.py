"""When a surrender may be logged: the campaign window in local time, never in the future."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from surrender.errors import Refused
from surrender.rules.campaign import Campaign

UTC = dt.timezone.utc


def window_bounds(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC: local midnight opening the first day to local midnight after the last."""
    zone = ZoneInfo(campaign.timezone)
    start = dt.datetime.combine(campaign.opens, dt.time(0), zone)
    end = dt.datetime.combine(campaign.closes + dt.timedelta(days=1), dt.time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def check_surrender_time(campaign: Campaign, at: dt.datetime, now: dt.datetime) -> None:
    """Refuse a naive time, a time in the future, or one outside the window."""
    if at.tzinfo is None or now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    zone = ZoneInfo(campaign.timezone)
    shown = at.astimezone(zone).strftime("%d %b %Y %H:%M %Z")
    if at > now:
        raise Refused(f"surrender time {shown} is in the future; give --at as the time it was handed in")
    start, end = window_bounds(campaign)
    if not start <= at < end:
        raise Refused(
            f"surrendered {shown}: outside the {campaign.code} window "
            f"({campaign.opens:%d %b %Y} to {campaign.closes:%d %b %Y} inclusive, local time); "
            "nothing was saved"
        )


def parse_local_datetime(text: str, zone_name: str = "Europe/London") -> dt.datetime:
    """`2024-09-01 14:30` is local time; a time with an offset is taken as given."""
    try:
        value = dt.datetime.fromisoformat(text.strip())  # takes "T" or a space between date and time
    except ValueError:
        raise Refused(f"--at {text!r} is not a date and time like 2024-09-01 14:30") from None
    if value.tzinfo is not None:
        return value
    zone = ZoneInfo(zone_name)
    local = value.replace(tzinfo=zone)
    # A wall-clock time skipped by the spring change does not survive the round trip.
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise Refused(f"--at {text!r} does not exist in {zone_name} (clocks went forward)")
    return local


@dataclass(frozen=True)
class WindowState:
    """Where today falls against the campaign window, in its local calendar days."""

    state: str  # "open", "not yet open" or "closed"
    days: int  # days until it opens, or since it closed (0 while open)

    def __str__(self) -> str:
        plural = "" if self.days == 1 else "s"
        if self.state == "not yet open":
            return "opens tomorrow" if self.days == 1 else f"opens in {self.days} day{plural}"
        if self.state == "closed":
            return "closed yesterday" if self.days == 1 else f"closed {self.days} day{plural} ago"
        return "open"


def window_state(campaign: Campaign, now: dt.datetime) -> WindowState:
    """Open from local midnight of the first day to local midnight after the last; the days
    before or after are counted in local calendar days (so 23:59 the night before is 1 day)."""
    if now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    today = now.astimezone(ZoneInfo(campaign.timezone)).date()
    if today < campaign.opens:
        return WindowState("not yet open", (campaign.opens - today).days)
    if today > campaign.closes:
        return WindowState("closed", (today - campaign.closes).days)
    return WindowState("open", 0)
