"""Campaign queries: the registered schemes, by code (their full text is what records were
made under)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.db import insert_if_absent

campaign_c = tables.campaign.c


def campaign_record(conn: Connection, code: str) -> Row[Any] | None:
    """The registered campaign with this code (code, name, source, sha256, registered_at)."""
    return conn.execute(select(tables.campaign).where(campaign_c.code == code)).one_or_none()


def campaign_source(conn: Connection, code: str) -> str | None:
    """The registered text of campaign `code`, if any."""
    return conn.execute(select(campaign_c.source).where(campaign_c.code == code)).scalar()


def insert_if_new(conn: Connection, code: str, name: str, source: str, sha256: str, at: dt.datetime) -> bool:
    """Register the text under `code` unless the code is taken (two terminals may try at once);
    True if this call inserted it."""
    return insert_if_absent(conn, tables.campaign, code=code, name=name, source=source, sha256=sha256, registered_at=at)


def locked_digest(conn: Connection, code: str) -> str:
    """The registered text's digest, its row held to the end of the transaction."""
    digest: str = conn.execute(select(campaign_c.sha256).where(campaign_c.code == code).with_for_update()).scalar_one()
    return digest


def in_use(conn: Connection, code: str) -> bool:
    """Whether any surrender was logged under the campaign."""
    return bool(conn.execute(select(exists().where(tables.surrender.c.campaign_code == code))).scalar())


def replace_text(conn: Connection, code: str, name: str, source: str, sha256: str, at: dt.datetime) -> None:
    conn.execute(
        update(tables.campaign)
        .where(campaign_c.code == code)
        .values(name=name, source=source, sha256=sha256, registered_at=at)
    )
