"""The README's finance tour, in order, on the demo database: the commands a finance officer
(and, for two steps, the manager and the desk) types, as typed."""

from __future__ import annotations

import json
import shlex

import pytest
from typer.testing import CliRunner

from surrender import db
from surrender.cli import app
from surrender.demo import PINS
from tests.demo_database import demo_copy

CLEAN = {"SURRENDER_DATABASE_URL": None, "SURRENDER_STAFF": None, "SURRENDER_PIN": None, "SURRENDER_STATION": None,
         "SURRENDER_CAMPAIGN": None, "COLUMNS": "200"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = demo_copy(tmp_path_factory)
    yield folder
    db.dispose(f"sqlite:///{folder / 'demo.db'}")


FINANCE_TOUR = [  # (staff, command) in the README's order; finance is 4410
    ("4410", "claims list --awaiting-manager"),
    ("5023", "claims approve TW-Z24-000161-S"),
    ("4410", "claims approve TW-Z24-000161-S --note 'receipt for the £150 knife seen'"),
    ("4410", "claims list --needs-payment --station PK"),
    ("4410", "claims set-payment PK-Z24-000010-S --sort-code 20-00-00 --account-number 55779911"),
    ("4410", "claims approve PK-Z24-000010-S"),
    ("4410", "claims list --search turner"),
    ("4410", "claims export --out {folder}/batch-3.csv"),
    ("4410", "claims batches"),
    ("4410", "show PK-Z24-000010-S"),
    ("2041", "claims status PK-Z24-000010-S --postcode 'cb1 2ad'"),
    ("4410", "report totals --by kind"),
]


def test_the_finance_tour_runs_in_order_on_the_demo_database(demo):
    outputs = []
    for staff, line in FINANCE_TOUR:
        env = {**CLEAN, "SURRENDER_DATABASE_URL": f"sqlite:///{demo / 'demo.db'}", "SURRENDER_STAFF": staff,
               "SURRENDER_PIN": PINS.get(staff)}
        result = CliRunner().invoke(app, shlex.split(line.format(folder=demo)), env=env)
        assert result.exit_code == 0, (line, result.output)
        outputs.append(result.stdout)
    awaiting, _, approved, needing, completed, _, found, exported, batches, shown, status, by_kind = outputs
    assert "TW-Z24-000161-S" in awaiting and "needed" in awaiting
    assert "TW-Z24-000161-S: approved" in approved
    assert "PK-Z24-000010-S" in needing and "Zoe Turner" in needing
    assert "payment details complete" in completed
    assert "PK-Z24-000010-S" in found and "Zoe Turner" in found
    assert "Batch 3:" in exported and (demo / "batch-3.csv").exists()
    assert all(f"│     {n} │" in batches for n in (1, 2, 3))
    assert "approved" in shown and "by 4410" in shown and "batch 3" in shown
    assert status.splitlines()[0] == "PK-Z24-000010-S  exported" and "payable   £30.00" in status
    assert "surrenders with kind" in by_kind and "each counted once" in by_kind
    rows = json.loads(CliRunner().invoke(app, ["claims", "batches", "--format", "json"], env={
        **CLEAN, "SURRENDER_DATABASE_URL": f"sqlite:///{demo / 'demo.db'}", "SURRENDER_STAFF": "4410",
        "SURRENDER_PIN": PINS["4410"]}).stdout)
    assert [(r["batch"], r["outstanding_claims"] > 0) for r in rows] == [(1, False), (2, True), (3, True)]
