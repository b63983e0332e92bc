"""The installed `surrender` console script, end to end in real subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def installed_surrender() -> str:
    beside_python = Path(sys.executable).parent / "surrender"
    found = str(beside_python) if beside_python.exists() else shutil.which("surrender")
    if not found:
        pytest.fail("the `surrender` console script is not installed: pip install -e .")
    return found


@pytest.fixture
def run(tmp_path):
    exe = installed_surrender()
    env = {**os.environ, "SURRENDER_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
           "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts")}
    env.pop("SURRENDER_PIN", None)
    env.pop("SURRENDER_STAFF", None)

    def invoke(*args: str, expect: int = 0, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run([exe, *args], env={**env, **extra}, capture_output=True, text=True,
                                cwd=tmp_path, timeout=120)
        assert result.returncode == expect, (args, result.stdout, result.stderr)
        return result
    return invoke


def test_a_fresh_desk_from_empty_database_to_reprinted_receipt(run, tmp_path):
    run("db", "upgrade")
    run("staff", "add", "1", "--name", "Alex Admin", "--role", "admin", "--pin", "246802")
    run("--staff", "1", "staff", "add", "2041", "--name", "PC Sam Patel", "--role", "desk", "--station", "TW",
        SURRENDER_PIN="246802", SURRENDER_NEW_PIN="204141")
    assert os.stat(tmp_path / "desk.db").st_mode & 0o777 == 0o600
    # Each command closes its connections as it ends, so SQLite has folded the write-ahead log
    # back into the file: a copy of desk.db alone holds everything committed.
    assert not (tmp_path / "desk.db-wal").exists()
    items = tmp_path / "items.csv"
    items.write_text("kind,description,blade_length,plain_edge,sharp_point,serrated_length,holes,quantity\n"
                     "zombie-knife,serrated survival knife,10in,yes,yes,3in,,2\n"
                     "zombie-machete,,45cm,yes,yes,,3,\n")
    logged = json.loads(run("--staff", "2041", "log", "--at", "2024-09-05 11:15", "--name", "Jane Smith",
                            "--address", "14 Mill Road, Cambridge", "--postcode", "CB1 2AD", "--declare",
                            "--items", str(items), "--format", "json", SURRENDER_PIN="204141").stdout)
    assert logged["claim"]["payable"] == "30.00" and logged["reference"].startswith("TW-Z24-000001-")
    shown = run("show", logged["reference"].lower(), "--staff", "2041", SURRENDER_PIN="204141").stdout
    assert logged["reference"] in shown and "J*** S****" in shown and "Jane Smith" not in shown
    run("--staff", "2041", "receipt", logged["reference"], "--paper", "80mm", SURRENDER_PIN="204141")
    receipts = sorted(p.name for p in (tmp_path / "receipts").iterdir())
    assert receipts == [f"{logged['reference']}-reprint.pdf", f"{logged['reference']}.pdf"]
    refused = run("--staff", "2041", "void", logged["reference"], "--reason", "test", expect=1,
                  SURRENDER_PIN="204141")
    assert refused.stderr.startswith("Error:") and "manager" in refused.stderr and "Traceback" not in refused.stderr


def test_python_dash_m_runs_the_same_cli(run):
    result = subprocess.run([sys.executable, "-m", "surrender", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "surrender" in result.stdout and "log" in result.stdout


def test_show_never_builds_the_orm_classes(run, tmp_path):
    """`surrender show` is the commonest cold start at the desk: it reads through the light table
    clauses (surrender/tables.py) on a plain Connection, so SQLModel's classes and SQLAlchemy's
    ORM are never loaded (~100 ms of every show; benchmarks/bench_show.py)."""
    run("db", "upgrade")
    run("staff", "add", "1", "--name", "Alex Admin", "--role", "admin", "--pin", "246802")
    run("--staff", "1", "staff", "add", "2041", "--name", "PC Sam Patel", "--role", "desk", "--station", "TW",
        SURRENDER_PIN="246802", SURRENDER_NEW_PIN="204141")
    logged = json.loads(run("--staff", "2041", "log", "--at", "2024-09-05 11:15", "--name", "Jane Smith",
                            "--address", "14 Mill Road", "--postcode", "CB1 2AD", "--declare", "--item",
                            "zombie-knife:10in:plain:point", "--format", "json", SURRENDER_PIN="204141").stdout)
    probe = ("import sys\nfrom surrender.cli import main\nsys.argv = ['surrender', 'show', sys.argv[1]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = ('surrender.models', 'sqlmodel', 'sqlalchemy.orm')\n"
             "print('LOADED', sorted(m for m in sys.modules if m in heavy))\n")
    shown = subprocess.run([sys.executable, "-c", probe, logged["reference"]], capture_output=True, text=True,
                           timeout=120, cwd=tmp_path,
                           env={**os.environ, "SURRENDER_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
                                "SURRENDER_STAFF": "2041", "SURRENDER_PIN": "204141"})
    assert logged["reference"] in shown.stdout and "J*** S****" in shown.stdout, shown.stderr
    assert "LOADED []" in shown.stdout
