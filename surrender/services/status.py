"""`surrender status`: what this terminal is set up to do, read without writing anything.

Each part is looked at on its own and reports what it found, so a missing database, an
unknown staff number or a bad campaign file shows up as a line, never as a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from surrender.clock import LONDON
from surrender.db import get_engine, normalise_url
from surrender.rules.permissions import may
from surrender.services.context import Context


def shown_url(url: str) -> str:
    """The database URL with any password replaced by ***."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:
        return "(not a database URL)"


def system_status(ctx: Context) -> dict:
    """Database and schema revision, receipts folder, acting staff and station, campaign and
    its window, and today's counts at the station; every value is a plain string or dict."""
    out: dict = {"database": shown_url(ctx.url), "receipts": receipts_state(Path(ctx.receipts_dir))}
    out["schema"], ready = schema_state(ctx.url)
    out["staff"] = (f"{ctx.staff} (not checked: no database)" if ctx.staff
                    else "none given (--staff NUMBER or SURRENDER_STAFF)")
    out["station"] = ctx.station.upper() if ctx.station else "not given"
    out["today"] = None
    if ready:
        from surrender import db

        try:
            out["staff"], out["station"], out["today"] = db.run(
                ctx.url, lambda session: _people_and_counts(session, ctx), write=False)
        except Exception as exc:
            out["staff"] = f"could not be read: {_first_line(exc)}"
    out["campaign"], out["window"] = campaign_state(ctx, ready)
    return out


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
    if name.startswith("sqlite") and (path := make_url(name).database) and path != ":memory:" \
            and not Path(path).exists():
        return f"no database at {path}: create it with `surrender db upgrade`", False
    try:
        engine = get_engine(url)
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return "empty database: run `surrender db upgrade`", False
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception as exc:
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
    except Exception:
        return None


def _people_and_counts(session: Session, ctx: Context):
    from surrender.models import Staff, Station, Surrender

    staff = None
    if not ctx.staff:
        staff_text = "none given (--staff NUMBER or SURRENDER_STAFF)"
    else:
        staff = session.execute(select(Staff).where(Staff.number == ctx.staff.strip())).scalar_one_or_none()
        if staff is None:
            staff_text = f"{ctx.staff}: no such staff member"
        else:
            staff_text = f"{staff.number} {staff.name} ({staff.role}{'' if staff.active else ', INACTIVE'})"
            if not may(staff.role, "status"):
                staff_text += " (role unknown to this version)"
    code = (ctx.station or (staff.station_code if staff else None) or "").upper()
    station = session.get(Station, code) if code else None
    if not code:
        station_text = "not given (--station TW|PK, or the staff member's own)"
    elif station is None:
        station_text = f"{code}: no such station"
    else:
        station_text = f"{station.code} {station.name}"
    today = None
    if station is not None:
        from surrender.models import Claim

        day = ctx.now().astimezone(LONDON).date()
        s, c = Surrender.__table__.c, Claim.__table__.c
        row = session.execute(
            select(func.count(s.id), func.coalesce(func.sum(s.item_count), 0),
                   func.count(s.voided_at), func.count(c.id))
            .select_from(Surrender).outerjoin(Claim, c.surrender_id == s.id)
            .where(s.station_code == station.code, s.surrendered_on == day)
        ).one()
        today = {"date": day.isoformat(), "surrenders": row[0], "items": int(row[1]), "void": row[2],
                 "claims": row[3]}
    return staff_text, station_text, today


def campaign_state(ctx: Context, ready: bool) -> tuple[str, str]:
    """The campaign by code or file (registered text first, if the database has it) and its window."""
    from surrender.campaigns import resolve
    from surrender.rules.window import window_state

    try:
        campaign = (_stored_campaign(ctx) if ready else None) or resolve(ctx.campaign)
    except Exception as exc:
        return f"{ctx.campaign}: {_first_line(exc)}", "unknown"
    state = window_state(campaign, ctx.now())
    return (f"{campaign.code} {campaign.name}",
            f"{state} ({campaign.opens:%d %b %Y} to {campaign.closes:%d %b %Y}, {campaign.timezone})")


def _stored_campaign(ctx: Context):
    name = ctx.campaign or ""
    if not name or name.endswith(".toml") or "/" in name:
        return None
    try:
        from surrender import db
        from surrender.models import CampaignRecord
        from surrender.rules.campaign import parse_campaign

        source = db.run(ctx.url, lambda s: (r := s.get(CampaignRecord, name)) and r.source, write=False)
        return parse_campaign(source) if source else None
    except Exception:
        return None


def _first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__
