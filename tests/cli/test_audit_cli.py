"""`audit anchor`, `audit verify [--anchor]`, `purge` and `db backup` as people type them."""

from __future__ import annotations

import re

from sqlalchemy import text

from surrender import db
from tests.cli.test_finance_cli import cli, log  # noqa: F401  (fixtures)
from tests.conftest import error_line

ANCHOR = re.compile(r"surrender-anchor force=CAMBS events=(\d+) head=([0-9a-f]{64})")


def test_anchor_prints_one_parseable_line_that_verify_accepts(cli):
    log(cli)
    result = cli("5001", "audit", "anchor")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert "\n" not in line and ANCHOR.fullmatch(line), line
    checked = cli("5001", "audit", "verify", "--anchor", line)
    assert checked.exit_code == 0, checked.output
    assert "holds the anchor" in checked.stdout and "every record matches" in checked.stdout


def test_verify_names_the_claim_edited_behind_the_tools_back_in_one_line(cli):
    reference = log(cli)
    db.run(cli.url, lambda s: s.execute(text("UPDATE claim SET payable_pence = 999900")))
    line = error_line(cli("5001", "audit", "verify"))
    assert f"claim.payable_pence of surrender {reference} differs from the audit trail (last event #" in line


def test_verify_with_an_anchor_catches_deleted_tail_events(cli):
    log(cli)
    anchor = cli("5001", "audit", "anchor").stdout.strip()
    count = int(ANCHOR.fullmatch(anchor).group(1))

    def drop_last(session):
        last = session.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
        session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": last})
        head = session.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")).scalar_one()
        session.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": head})
    db.run(cli.url, drop_last)
    line = error_line(cli("5001", "audit", "verify", "--anchor", anchor))
    assert f"anchor vouches for {count} events but only {count - 1} remain" in line


def test_a_malformed_anchor_is_one_line_and_exit_1(cli):
    line = error_line(cli("5001", "audit", "verify", "--anchor", "[bold]nonsense[/]"))
    assert "surrender-anchor force=CAMBS events=123 head=" in line


def test_an_anchor_of_no_events_is_refused_instead_of_vouching_for_nothing(cli):
    log(cli)
    line = error_line(cli("5001", "audit", "verify", "--anchor", f"surrender-anchor events=0 head={'0' * 64}"))
    assert "events=0 proves nothing" in line


def test_purge_through_the_cli_refuses_a_future_date_and_reports_a_count(cli):
    log(cli, at="2024-09-02 10:00")
    assert "in the future" in error_line(cli("1", "purge", "--before", "2999-01-01"))
    assert "still open" in error_line(cli("1", "purge", "--before", "2024-09-03"))
    assert "needs the admin role" in error_line(cli("5001", "purge", "--before", "2024-09-03"))
    bad = cli("1", "purge", "--before", "03/09/2024")
    assert bad.exit_code == 2


def test_db_backup_through_the_cli(cli, tmp_path):
    out = tmp_path / "backup.db"
    result = cli("1", "db", "backup", "--out", str(out))
    if cli.url.startswith("postgresql"):
        assert "pg_dump --format=custom" in error_line(result)
        assert not out.exists()
        return
    assert result.exit_code == 0, result.output
    assert out.exists() and "owner-only" in result.stdout
    assert "already exists" in error_line(cli("1", "db", "backup", "--out", str(out)))
    assert "folder" in error_line(cli("1", "db", "backup", "--out", str(tmp_path)))
    verified = cli("1", "--db", f"sqlite:///{out}", "audit", "verify")
    assert verified.exit_code == 0, verified.output
