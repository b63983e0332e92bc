"""`surrender status`: what this terminal is set up to do, read without writing anything.

Each part is looked at on its own and reports what it found, so a missing database, an
unknown staff number or a bad campaign file shows up as a line, never as a failure.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from surrender.clock import LONDON
from surrender.db import get_engine, normalise_url
from surrender.errors import NotFound
from surrender.rules.permissions import may
from surrender.services.context import Context

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from surrender.rules.campaign import Campaign
    from surrender.rules.window import WindowState

NO_STAFF = "none given (--staff NUMBER or SURRENDER_STAFF)"


@dataclass(frozen=True)
class TodayCounts:
    """What was handed in at the station today (local date)."""

    day: dt.date
    surrenders: int
    items: int
    void: int
    claims: int


@dataclass(frozen=True)
class SystemStatus:
    """Each part as found. The text parts read as they are shown (a problem is a sentence);
    `campaign` is None when it could not be read (`campaign_problem` says why)."""

    database: str
    receipts: str
    schema: str
    staff: str
    station: str
    today: TodayCounts | None
    campaign: Campaign | None
    window: WindowState | None
    campaign_problem: str | None = None


def shown_url(url: str) -> str:
    """The database URL with any password replaced by ***."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - status shows what it can read and says what it cannot
        return "(not a database URL)"


def system_status(ctx: Context) -> SystemStatus:
    """Database and schema revision, receipts folder, acting staff and station, campaign and
    its window, and today's counts at the station."""
    schema, ready = schema_state(ctx.url)
    staff = f"{ctx.staff} (not checked: no database)" if ctx.staff else NO_STAFF
    station = ctx.station.upper() if ctx.station else "not given"
    today = None
    if ready:
        from surrender import db

        try:
            staff, station, today = db.run(ctx.url, lambda conn: _people_and_counts(conn, ctx), write=False)
        except Exception as exc:  # noqa: BLE001 - status shows what it can read and says what it cannot
            staff = f"could not be read: {_first_line(exc)}"
    campaign, window, problem = campaign_state(ctx, ready)
    return SystemStatus(
        database=shown_url(ctx.url),
        receipts=receipts_state(Path(ctx.receipts_dir)),
        schema=schema,
        staff=staff,
        station=station,
        today=today,
        campaign=campaign,
        window=window,
        campaign_problem=problem,
    )


def receipts_state(folder: Path) -> str:
    if folder.is_dir():
        return f"{folder} (exists, {'writable' if os.access(folder, os.W_OK | os.X_OK) else 'NOT writable'})"
    if folder.exists():
        return f"{folder} (NOT a folder)"
    parent = next((p for p in folder.absolute().parents if p.exists()), None)
    can = parent is not None and os.access(parent, os.W_OK | os.X_OK)
    return f"{folder} (does not exist yet; {'will be created' if can else 'can NOT be created'})"


def schema_state(url: str) -> tuple[str, bool]:
    """The schema revision against the one this version needs; True when the tables are there."""
    name = normalise_url(url)
    if (
        name.startswith("sqlite")
        and (path := make_url(name).database)
        and path != ":memory:"
        and not Path(path).exists()
    ):
        return f"no database at {path}: create it with `surrender db upgrade`", False
    try:
        engine = get_engine(url)
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return "empty database: run `surrender db upgrade`", False
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception as exc:  # noqa: BLE001 - status shows what it can read and says what it cannot
        return f"cannot connect: {_first_line(exc)}", False
    heads = _heads(url)
    revision = ", ".join(sorted(current)) or "none"
    if heads is None or set(current) == heads:
        return f"{revision} (up to date)" if heads else revision, bool(current)
    return f"{revision} (this version needs {', '.join(sorted(heads))}: run `surrender db upgrade`)", bool(current)


def _heads(url: str) -> set[str] | None:
    try:
        from alembic.script import ScriptDirectory

        from surrender.migrate import alembic_config

        return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    except Exception:  # noqa: BLE001 - status shows what it can read and says what it cannot
        return None


def _people_and_counts(conn: Connection, ctx: Context) -> tuple[str, str, TodayCounts | None]:
    from surrender.store.reports import day_counts, stations
    from surrender.store.scope import Scope
    from surrender.store.staff import find_staff

    staff = None
    if not ctx.staff:
        staff_text = NO_STAFF
    else:
        try:
            staff = find_staff(conn, ctx.staff, ctx.force)
        except NotFound:
            staff_text = f"{ctx.staff}: no such staff member"
        else:
            staff_text = f"{staff.number} {staff.name} ({staff.role}{'' if staff.active else ', INACTIVE'})"
            if not may(staff.role, "status"):
                staff_text += " (role unknown to this version)"
    code = (ctx.station or (staff.station_code if staff else None) or "").upper()
    names = dict(stations(conn, Scope.everything()))
    if not code:
        station_text = "not given (--station TW|PK, or the staff member's own)"
    elif code not in names:
        station_text = f"{code}: no such station"
    else:
        station_text = f"{code} {names[code]}"
    today = None
    if code in names:
        day = ctx.now().astimezone(LONDON).date()
        today = TodayCounts(day, *day_counts(conn, code, day))
    return staff_text, station_text, today


def campaign_state(ctx: Context, ready: bool) -> tuple[Campaign | None, WindowState | None, str | None]:
    """The campaign by code or file (registered text first, if the database has it) and where
    today falls against its window; or why it could not be read."""
    from surrender.campaigns import resolve
    from surrender.rules.window import window_state

    try:
        campaign = (_stored_campaign(ctx) if ready else None) or resolve(ctx.campaign)
    except Exception as exc:  # noqa: BLE001 - status shows what it can read and says what it cannot
        return None, None, f"{ctx.campaign}: {_first_line(exc)}"
    return campaign, window_state(campaign, ctx.now()), None


def _stored_campaign(ctx: Context) -> Campaign | None:
    name = ctx.campaign or ""
    if not name or name.endswith(".toml") or "/" in name:
        return None
    try:
        from surrender import db
        from surrender.rules.campaign import parse_campaign
        from surrender.store.campaigns import campaign_source

        source = db.run(ctx.url, lambda conn: campaign_source(conn, name), write=False)
        return parse_campaign(source) if source else None
    except Exception:  # noqa: BLE001 - status shows what it can read and says what it cannot
        return None


def _first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__
