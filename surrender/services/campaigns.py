"""Campaigns in use are registered in the database with their full text, once."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from surrender.campaigns import resolve
from surrender.errors import Refused
from surrender.models import CampaignRecord
from surrender.rules.campaign import Campaign, parse_campaign


def campaign_for(session: Session, code_or_path: str | None, now) -> Campaign:
    """Resolve a preset or file; a code already registered uses the stored text (for records)."""
    name = code_or_path or "zombie-2024"
    if not (name.endswith(".toml") or "/" in name):
        stored = session.get(CampaignRecord, name)
        if stored is not None:
            return parse_campaign(stored.source)
    campaign = resolve(name)
    register(session, campaign, now)
    return campaign


def register(session: Session, campaign: Campaign, now) -> None:
    digest = hashlib.sha256(campaign.source.encode()).hexdigest()
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Two terminals may use a campaign for the first time at once: insert-if-absent, then compare.
    session.execute(insert(CampaignRecord).values(code=campaign.code, name=campaign.name, source=campaign.source,
                                                  sha256=digest, registered_at=now).on_conflict_do_nothing())
    stored = session.get(CampaignRecord, campaign.code)
    if stored.sha256 != digest:
        raise Refused(f"campaign {campaign.code} is already registered with different rules; "
                      "give a changed scheme a new code")
