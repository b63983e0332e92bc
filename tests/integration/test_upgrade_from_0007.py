"""A force's real database, written by the release before field digests and forces (revision
0007, a one-day demo made by that release: `tests/fixtures/demo-1-day-at-0007.db.gz`), upgraded
by today's `db upgrade`: nothing lost, the audit trail goes on vouching for every record, and
ordinary work after the upgrade never turns `audit verify` red (nobody has to remember a step).
"""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest

from surrender import db
from surrender.services.audit_log import verify
from surrender.services.claims import PaymentDetails, approve_claim, set_payment
from surrender.services.context import Context
from surrender.services.schema import upgrade_schema

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "demo-1-day-at-0007.db.gz"
ADMIN, FINANCE, MANAGER = ("1", "100124"), ("4410", "441024"), ("5023", "502324")


@pytest.fixture
def old_database(tmp_path, monkeypatch) -> str:
    monkeypatch.delenv("SURRENDER_TESTS_ONLY_WEAK_PIN_HASH", raising=False)  # sign in as that release's admin would
    path = tmp_path / "demo.db"
    with gzip.open(FIXTURE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    path.chmod(0o600)
    url = f"sqlite:///{path}"
    yield url
    db.dispose(url)


def _as(url: str, who: tuple[str, str]) -> Context:
    return Context(url=url, staff=who[0], pin=who[1])


def _reference_without_bank_details(url: str) -> str:
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        (reference,) = conn.execute(
            "SELECT s.reference FROM surrender s JOIN claim c ON c.surrender_id = s.id JOIN claimant p"
            " ON p.id = s.claimant_id WHERE c.status = 'pending' AND p.account_number IS NULL LIMIT 1").fetchone()
    return reference


def test_upgrading_keeps_every_surrender_and_takes_the_trails_baseline(old_database):
    path = old_database.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        before = conn.execute("SELECT reference FROM surrender ORDER BY reference").fetchall()
    upgraded = upgrade_schema(_as(old_database, ADMIN))
    assert upgraded.trail_problem is None and upgraded.baseline and upgraded.baseline > len(before)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT reference FROM surrender ORDER BY reference").fetchall() == before
    assert verify(_as(old_database, MANAGER)).problem is None


def test_ordinary_work_after_the_upgrade_verifies_and_a_forgery_is_still_caught(old_database):
    upgrade_schema(_as(old_database, ADMIN))
    reference = _reference_without_bank_details(old_database)
    finance = _as(old_database, FINANCE)
    set_payment(finance, reference, PaymentDetails(sort_code="20-00-00", account_number="55779911"))
    approve_claim(dataclasses.replace(finance), reference)
    assert verify(_as(old_database, MANAGER)).problem is None
    with sqlite3.connect(old_database.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE claimant SET account_number = '11223344' WHERE account_number = '55779911'")
    problem = verify(_as(old_database, MANAGER)).problem
    assert problem is not None and reference in problem and "account_number" in problem


def test_a_second_upgrade_takes_no_second_baseline(old_database):
    upgrade_schema(_as(old_database, ADMIN))
    again = upgrade_schema(_as(old_database, ADMIN))
    assert again.baseline is None and again.trail_problem is None
