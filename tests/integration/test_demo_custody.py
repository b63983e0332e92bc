"""The demo's custody (issue 16, done when): every weapon of the campaign scanned to the store,
destroyed in witnessed batches, `report custody` at zero unaccounted; one custody record
deleted or edited with sqlite3 is caught by `audit verify`."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from itertools import pairwise

import pytest

from surrender import db
from surrender.services.audit_log import verify
from surrender.services.custody_report import custody_report
from tests.demo_database import demo_copy, manager_on


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = demo_copy(tmp_path_factory)
    yield folder
    db.dispose(manager_on(folder).url)


def rows(folder, sql: str) -> list:
    con = sqlite3.connect(folder / "demo.db")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_weapon_went_to_the_store_and_all_but_the_accounted_few_were_destroyed(demo):
    states = dict(rows(demo, "SELECT state, sum(quantity) FROM exhibit GROUP BY state"))
    logged = rows(demo, "SELECT sum(item_count) FROM surrender")[0][0]
    assert sum(states.values()) == logged
    assert set(states) == {"destroyed", "retained", "never_received"} and states["retained"] == 1
    never = rows(demo, "SELECT count(*) FROM exhibit e JOIN surrender s ON s.id = e.surrender_id "
                       "WHERE e.state = 'never_received' AND s.voided_at IS NULL")
    assert never == [(0,)]  # only the voided surrender's tags were never received
    unbooked = rows(demo, "SELECT count(*) FROM exhibit e WHERE e.state != 'never_received' AND NOT EXISTS ("
                          "SELECT 1 FROM custody_event c JOIN location l ON l.id = c.to_location_id "
                          "WHERE c.exhibit_id = e.id AND c.action = 'moved' AND l.kind = 'store')")
    assert unbooked == [(0,)]


def test_each_batch_was_sealed_by_two_witnesses_never_the_same_pair_twice_in_a_row(demo):
    batches = rows(demo, "SELECT station_code, witness_1, witness_2, certificate FROM destruction_batch "
                         "ORDER BY station_code, sealed_at, id")
    assert len(batches) >= 2 and all(w1 != w2 and cert for _, w1, w2, cert in batches)
    for before, after in pairwise(batches):
        if before[0] == after[0]:
            assert {before[1], before[2]} != {after[1], after[2]}
    assert sorted(p.name for p in demo.glob("destruction-*.pdf"))


def test_report_custody_shows_nothing_unaccounted_and_the_audit_chain_vouches_for_it(demo):
    manager = manager_on(demo)
    report = custody_report(manager)
    assert report.unaccounted == 0 and report.total.held == 0 and report.exceptions == []
    assert report.total.received == report.total.destroyed + report.total.retained + report.total.never_received
    assert verify(manager).problem is None


def _sqlite3(path, sql: str) -> None:
    tool = shutil.which("sqlite3")
    if tool:
        subprocess.run([tool, str(path), sql], check=True)
    else:
        con = sqlite3.connect(path)
        con.execute(sql)
        con.commit()
        con.close()


@pytest.mark.parametrize("edit", [
    "DELETE FROM custody_event WHERE id = (SELECT min(id) FROM custody_event WHERE action = 'destroyed')",
    "UPDATE exhibit SET state = 'held', batch_id = NULL WHERE id = (SELECT min(id) FROM exhibit "
    "WHERE state = 'destroyed')",
    "UPDATE destruction_batch SET contractor = 'Somebody Else Ltd' WHERE id = 1",
])
def test_one_custody_record_edited_with_sqlite3_is_caught_by_audit_verify(demo, tmp_path, edit):
    copy = tmp_path / "demo"
    shutil.copytree(demo, copy)
    _sqlite3(copy / "demo.db", edit)
    manager = manager_on(copy)
    try:
        problem = verify(manager).problem
    finally:
        db.dispose(manager.url)
    assert problem and ("exhibits.all of surrender" in problem or "destruction batch 1 differs" in problem)
