"""Upgrading a database that already holds batches: they count as settled (their files were
written by the old code), so no run ever tries to finish or remove anything for them."""

from __future__ import annotations

from sqlalchemy import text

from surrender import db
from surrender.migrate import upgrade
from surrender.services.context import Context
from surrender.services.export import finish_interrupted


def test_batches_from_before_the_upgrade_are_settled_and_left_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    db.run(url, lambda s: s.execute(text(
        "INSERT INTO staff (id, number, name, role, active, created_at) "
        "VALUES (1, '4001', 'Fin Ance', 'finance', 1, '2024-09-30 09:00:00');"
        )))
    db.run(url, lambda s: s.execute(text(
        "INSERT INTO export_batch (id, created_at, staff_id, format, claim_count, total_pence, sha256, filename) "
        "VALUES (1, '2024-09-30 10:00:00', 1, 'csv', 0, 0, :sha, 'batch.csv')"), {"sha": "0" * 64}))
    db.dispose(url)
    upgrade(url)
    row = db.run(url, lambda s: s.execute(text("SELECT settled_at, created_at, path, staged_path, anchor "
                                               "FROM export_batch")).one(), write=False)
    assert row.settled_at == row.created_at and (row.path, row.staged_path, row.anchor) == (None, None, None)
    assert finish_interrupted(Context(url=url), tmp_path) == []
    db.dispose(url)
