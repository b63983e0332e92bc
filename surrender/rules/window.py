"""When a surrender may be logged: the campaign window in local time, never in the future."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from surrender.errors import Refused
from surrender.rules.campaign import Campaign

UTC = dt.UTC


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


class NeedsTime(Refused):
    """A date was typed without the time of day: the desk asks for the time, a script is told."""


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_TIME = re.compile(r"(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s*(?P<ampm>am|pm)?")
_NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})[/.](?P<mo>\d{1,2})(?:[/.](?P<y>\d{2}|\d{4}))?")
_WORDED_DATE = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mo>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?")
FORMS = "2024-09-02 14:30, 2/9/2024 14:30, 2 Sep 14:30, 14:30 (today) or 2:30pm"


def parse_local_datetime(text: str, zone_name: str = "Europe/London", today: dt.date | None = None) -> dt.datetime:
    """A time as people type it, in local time unless it carries an offset: ISO
    (`2024-09-02 14:30`, `2024-09-02T14:30+01:00`), British (`2/9/2024 14:30`, `2 Sep 14:30`,
    `2nd September 2024 2:30pm`), or a time alone for `today`. Day before month, always. A
    date without a time raises `NeedsTime` (midnight is never assumed); a local time the
    clocks skip (spring) or pass twice (autumn) is refused, offering both readings."""
    typed = " ".join(text.split())
    value = _iso(typed) if typed[:4].isdigit() and "-" in typed[:5] else _british(typed.lower(), today, typed)
    if value.tzinfo is not None:
        return value
    zone = ZoneInfo(zone_name)
    early, late = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    wall = value.strftime("%Y-%m-%d %H:%M") + (value.strftime(":%S") if value.second else "")
    readings = " or ".join(f'--at "{wall}{_offset(t)}" ({_as_local(t, zone)})' for t in (early, late))
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise Refused(f"{wall} does not exist in {zone_name} (the clocks went forward): give {readings}")
    raise Refused(f"{wall} happens twice in {zone_name} (the clocks went back): give {readings}")


def _not_a_time(text: str) -> Refused:
    return Refused(f"{text!r} is not a date and time: type it like {FORMS}")


def _iso(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)  # takes "T" or a space between date and time
    except ValueError:
        raise _not_a_time(text) from None
    if not re.search(r"[T ]\d{1,2}:\d{2}", text):
        raise NeedsTime(f"{text} has no time of day: give the time it was handed in too, like {text} 14:30")
    return value


def _british(text: str, today: dt.date | None, typed: str) -> dt.datetime:
    date_text, time_text = _split(text)
    day = _date(date_text, today, typed) if date_text else today
    if time_text is None:
        if day is not None and date_text:
            raise NeedsTime(f"{typed} has no time of day: give the time it was handed in too, like {typed} 14:30")
        raise _not_a_time(typed)
    if day is None:
        raise Refused(f"{typed!r} has no date: give the date too, like 2/9/2024 {typed}")
    return dt.datetime.combine(day, _clock(time_text, typed))


def _split(text: str) -> tuple[str, str | None]:
    """(date part, time part or None): the time is the last word(s), with a colon or am/pm."""
    match = re.search(r"(?:^|\s)(\d{1,2}(?::\d{2}(?::\d{2})?)?\s*(?:am|pm)|\d{1,2}:\d{2}(?::\d{2})?)$", text)
    if match is None:
        return text, None
    return text[: match.start()].strip(" ,"), match.group(1)


def _clock(text: str, whole: str) -> dt.time:
    match = _TIME.fullmatch(text)
    if match is None:
        raise _not_a_time(whole)
    hour, minute, second = int(match["h"]), int(match["m"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise _not_a_time(whole)
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        raise _not_a_time(whole) from None


def _date(text: str, today: dt.date | None, whole: str) -> dt.date:
    if text in ("today", "yesterday") and today is not None:
        return today - dt.timedelta(days=1 if text == "yesterday" else 0)
    numeric, worded = _NUMERIC_DATE.fullmatch(text), _WORDED_DATE.fullmatch(text)
    if numeric:
        day, month, year = int(numeric["d"]), int(numeric["mo"]), numeric["y"]
    elif worded and worded["mo"] in _MONTHS:
        day, month, year = int(worded["d"]), _MONTHS[worded["mo"]], worded["y"]
    else:
        raise _not_a_time(whole)
    if year is None and today is None:
        raise Refused(f"{whole!r} has no year: give it, like 2/9/2024 14:30")
    try:
        if year is not None:
            return dt.date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        assert today is not None
        this_year = dt.date(today.year, month, day)
        return this_year if this_year <= today else dt.date(today.year - 1, month, day)  # the last one
    except ValueError:
        raise Refused(f"{whole!r}: there is no such date") from None


def _offset(moment: dt.datetime) -> str:
    offset = moment.utcoffset()
    assert offset is not None  # an aware time, made in this module
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _as_local(moment: dt.datetime, zone: ZoneInfo) -> str:
    """How the reading shows on the local clock: `BST`, or `= 02:30 BST` when it moves."""
    fixed = dt.datetime.fromisoformat(moment.replace(tzinfo=None).isoformat() + _offset(moment))
    shown = fixed.astimezone(zone)
    if shown.replace(tzinfo=None) == moment.replace(tzinfo=None):
        return shown.strftime("%Z")
    return "= " + shown.strftime("%H:%M %Z")


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
