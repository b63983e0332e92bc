"""Migration 0006_custody on a database with surrenders from before it, SQLite and PostgreSQL:
every station gets its counter, every surrender its exhibits by the receipt's tag rule, and
one audit event vouches for them so `audit verify` holds."""

from __future__ import annotations

import json

from sqlalchemy import text

from surrender import db
from surrender.migrate import alembic_config, upgrade
from surrender.rules.items import item_from_spec
from surrender.services.audit import canonical
from surrender.services.audit_log import verify
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import as_staff
from tests.integration.test_tamper import rewrite_chain_from

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"


def back_to_before_custody(url: str) -> None:
    """Downgrade to 0005 and take the exhibits' digests out of every event, as events written
    before custody existed were (the chain rehashed to match)."""
    from alembic import command

    db.dispose(url)
    command.downgrade(alembic_config(url), "0005_exports")

    def strip(session):
        for ident, state in session.execute(text("SELECT id, state FROM audit_event WHERE state IS NOT NULL")).all():
            parts = json.loads(state)
            for record in parts.values():
                record.pop("exhibits", None)
            session.execute(text("UPDATE audit_event SET state = :s WHERE id = :i"),
                            {"s": canonical({k: v for k, v in parts.items() if v}), "i": ident})
    db.run(url, strip)
    rewrite_chain_from(url, 0)
    db.dispose(url)


def test_upgrading_gives_old_surrenders_their_exhibits_and_the_trail_vouches_for_them(ctx):
    first = log_surrender(ctx, LogRequest(items=[item_from_spec(f"{KNIFE}:qty=2")], anonymous=True)).reference
    stock = log_surrender(ctx, LogRequest(items=[item_from_spec(f"{KNIFE}:qty=61")], anonymous=True)).reference
    void_surrender(as_staff(ctx, "5001"), first, "logged twice")
    back_to_before_custody(ctx.url)
    upgrade(ctx.url)

    def read(session):
        tags = session.execute(text("SELECT e.tag, e.quantity, e.state, l.code FROM exhibit e "
                                    "JOIN location l ON l.id = e.location_id ORDER BY e.id")).all()
        counters = session.execute(text("SELECT code FROM location ORDER BY code")).scalars().all()
        last = session.execute(text("SELECT action, detail FROM audit_event ORDER BY id DESC LIMIT 1")).one()
        return tags, counters, last
    tags, counters, last = db.run(ctx.url, read, write=False)
    assert [(t.tag, t.quantity, t.state, t.code) for t in tags] == [
        (f"{first}/1", 1, "held", "TW-COUNTER"), (f"{first}/2", 1, "held", "TW-COUNTER"),
        (f"{stock}/L1", 61, "held", "TW-COUNTER")]
    assert counters == ["PK-COUNTER", "TW-COUNTER"]
    assert last.action == "custody.backfilled" and json.loads(last.detail) == {"surrenders": 2, "exhibits": 3}
    assert verify(as_staff(ctx, "5001")).problem is None


def test_a_fresh_database_gets_counters_and_no_event(db_url):
    def read(session):
        return (session.execute(text("SELECT code, kind, max_days FROM location ORDER BY code")).all(),
                session.execute(text("SELECT count(*) FROM audit_event WHERE action = 'custody.backfilled'")).scalar())
    locations, events = db.run(db_url, read, write=False)
    assert [tuple(r) for r in locations] == [("PK-COUNTER", "counter", 2), ("TW-COUNTER", "counter", 2)]
    assert events == 0
