"""Migration 0007: a database that registered a preset before `payer` existed now reads it as
the presets do (Home Office), its text equal to the shipped preset's; a user's own campaign is
left alone (no `payer`: the force). Downgrading takes the line out again."""

from __future__ import annotations

import hashlib

from alembic import command
from sqlalchemy import text

from surrender import db
from surrender.campaigns import load_preset
from surrender.migrate import alembic_config, upgrade
from surrender.rules.campaign import parse_campaign

PAYER_LINES = ('# Who decides and pays claims: the police take them at the counter, the Home Office decides\n'
               '# and pays them (a file without `payer` means "force": the force decides and pays).\n'
               'payer = "home-office"\n')
BOOKING_LINES = ('# Anyone bringing this many items or more is asked to book a time through 101 first\n'
                 '# (Cambridgeshire: "anyone bringing 5 or more items"); the desk is shown the booking.\n'
                 'booking_threshold = 5\n')  # added by 0009_bookings, so absent from a text this old


def test_presets_registered_before_payer_existed_say_home_office_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005_exports")
    shipped = load_preset("zombie-2024").source
    old = shipped.replace(PAYER_LINES, "").replace(BOOKING_LINES, "")
    assert old != shipped and parse_campaign(old).payer == "force"
    mine = old.replace('code = "zombie-2024"', 'code = "zombie-local"')
    for code, source in (("zombie-2024", old), ("zombie-local", mine)):
        db.run(url, lambda c, code=code, source=source: c.execute(text(
            "INSERT INTO campaign (code, name, source, sha256, registered_at) VALUES (:c, 'n', :s, :h, "
            "'2024-08-26 00:00:00')"), {"c": code, "s": source, "h": hashlib.sha256(source.encode()).hexdigest()}))
    db.dispose(url)
    upgrade(url)
    stored = dict(db.run(url, lambda c: c.execute(text("SELECT code, source FROM campaign")).all(), write=False))
    digest = db.run(url, lambda c: c.execute(text("SELECT sha256 FROM campaign WHERE code = 'zombie-2024'")).scalar(),
                    write=False)
    assert stored["zombie-2024"] == shipped and digest == hashlib.sha256(shipped.encode()).hexdigest()
    assert parse_campaign(stored["zombie-2024"]).payer == "home-office"
    assert stored["zombie-local"] == mine and parse_campaign(mine).payer == "force"
    db.dispose(url)
    command.downgrade(alembic_config(url), "0005_exports")
    back = db.run(url, lambda c: c.execute(text("SELECT source FROM campaign WHERE code = 'zombie-2024'")).scalar(),
                  write=False)
    assert back == old
    db.dispose(url)
