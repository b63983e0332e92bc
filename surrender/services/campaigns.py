"""Campaigns in use are registered in the database with their full text, once, and audited.

The presets shipped in the package register themselves on first use; a campaign from a file
changes the money rules, so only an admin may bring one into use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy.engine import Connection, Row

from surrender.campaigns import DEFAULT_CAMPAIGN, load_file, load_preset, preset_codes, resolve
from surrender.errors import Refused
from surrender.rules.campaign import Campaign, parse_campaign
from surrender.services import audit
from surrender.services.auth import RoleRefused, perform
from surrender.services.context import Context
from surrender.store import campaigns as registry
from surrender.store.campaigns import campaign_source


def _is_file(name: str) -> bool:
    return name.endswith(".toml") or "/" in name


def campaign_for(conn: Connection, ctx: Context, staff: Row, store: bool = True) -> Campaign:
    """The campaign named by the context: stored text for a registered code, else register it
    (unless `store` is False: a preview reads and writes nothing)."""
    name = ctx.campaign or DEFAULT_CAMPAIGN
    if not _is_file(name):
        stored = campaign_source(conn, name)
        if stored is not None:
            return parse_campaign(stored)
    campaign = resolve(name)
    if _is_file(name) and campaign_source(conn, campaign.code) is None and staff.role != "admin":
        raise RoleRefused(
            f"bringing campaign {campaign.code} into use from a file needs the admin role; "
            f"{staff.number} is {staff.role} (an admin runs `surrender campaign register {name}`)",
            staff.id,
            "campaign.register",
        )
    if store:
        register(conn, campaign, ctx.now(), staff.id)
    return campaign


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def register(
    conn: Connection, campaign: Campaign, now: dt.datetime, staff_id: int | None, replace_unused: bool = False
) -> bool:
    """Store the campaign's text if new (audited). A preset's code only ever holds the preset's
    own text; a known code's text never changes once a surrender uses it (`replace_unused`:
    an admin may correct it before then)."""
    digest = _digest(campaign.source)
    if campaign.code in preset_codes() and digest != _digest(load_preset(campaign.code).source):
        raise Refused(
            f"campaign code {campaign.code} is the preset shipped with surrender; a file with other "
            "rules needs a code of its own (change `code` in the file and register that)"
        )
    # Two terminals may use a campaign for the first time at once: insert-if-absent, then compare.
    inserted = registry.insert_if_new(conn, campaign.code, campaign.name, campaign.source, digest, now)
    stored = registry.locked_digest(conn, campaign.code)
    if stored != digest:
        used = registry.in_use(conn, campaign.code)
        if used or not replace_unused:
            raise Refused(
                f"campaign {campaign.code} is already registered with different rules"
                f"{' and surrenders were logged under it' if used else ''}; its rules never change: "
                "give the changed scheme a new code (edit `code` in the file) and register that"
            )
        registry.replace_text(conn, campaign.code, campaign.name, campaign.source, digest, now)
        audit.record(
            conn,
            now,
            staff_id,
            "campaign.replaced",
            "campaign",
            campaign.code,
            {"sha256": digest, "previous_sha256": stored},
        )
        return True
    if inserted:
        audit.record(conn, now, staff_id, "campaign.registered", "campaign", campaign.code, {"sha256": digest})
    return bool(inserted)


def register_file(ctx: Context, path: Path) -> tuple[Campaign, bool]:
    """Admin: bring a campaign file into use; returns it and whether it was new."""
    campaign = load_file(path)

    def work(conn: Connection, admin: Row) -> tuple[Campaign, bool]:
        return campaign, register(conn, campaign, ctx.now(), admin.id, replace_unused=True)

    return perform(ctx, "campaign.register", work)


def campaign_to_ask_about(ctx: Context) -> Campaign:
    """The campaign the counter's questions come from: a preset or file as named, or, for a code
    registered from a file earlier, its stored text (read only)."""
    from surrender.errors import NotFound

    try:
        return resolve(ctx.campaign)
    except NotFound as exc:
        not_found = str(exc)

    def work(conn: Connection, staff: Row) -> Campaign:
        stored = campaign_source(conn, ctx.campaign or "")
        if stored is None:
            raise NotFound(not_found)
        return parse_campaign(stored)

    return perform(ctx, "show", work, write=False)
