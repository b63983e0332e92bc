"""`db force-role` and `db backup --force` as typed: on PostgreSQL the admin maps a role, and the
tool connected as that role signs a member in with no other credential and lists only its force's
claims; on SQLite both are one-line refusals pointing at PostgreSQL."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import text
from sqlalchemy.engine import make_url

from surrender import db
from tests.cli.test_force_cli import run
from tests.conftest import copied_database, error_line

PASSWORD = "rls-cli-secret"


def test_on_sqlite_force_role_and_a_force_backup_are_refused_with_a_pointer(tmp_path, request):
    with copied_database("sqlite", request, tmp_path) as url:
        refused = run(url, "db", "force-role", "CAMBS", "cambs_app")
        assert "db force-role is for PostgreSQL: a SQLite file is one force's database" in error_line(refused)
        refused = run(url, "db", "backup", "--force", "CAMBS", "--out", str(tmp_path / "c.db"))
        assert "db backup --force is for PostgreSQL" in error_line(refused)
        assert not (tmp_path / "c.db").exists()


def test_a_mapped_role_runs_the_tool_within_its_force_and_backs_it_up(tmp_path, request):
    role = f"cambs_cli_{uuid.uuid4().hex[:8]}"
    with copied_database("postgresql", request, tmp_path) as url:
        with db.get_engine(url).begin() as conn:
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'"))
        role_url = make_url(url).set(username=role, password=PASSWORD, host="127.0.0.1", query={})
        as_role = role_url.render_as_string(hide_password=False)
        try:
            mapped = run(url, "db", "force-role", "cambs", role)
            assert mapped.exit_code == 0, mapped.output
            assert f"Role {role} mapped to CAMBS: it reads and writes force CAMBS's rows only" in mapped.stdout
            logged = run(as_role, "log", "--anonymous", "--item", "zombie-knife:10in:plain:point:serrated=3in",
                         "--at", "2024-09-10 10:00", staff="2001")
            assert logged.exit_code == 0, logged.output
            listed = run(as_role, "recent", "--date", "2024-09-10", "--format", "json", staff="2001")
            assert listed.exit_code == 0, listed.output
            assert [row["reference"][:2] for row in json.loads(listed.stdout)] == ["TW"]
            granted = run(as_role, "db", "force-role", "CAMBS", role)
            assert "needs the database owner's connection" in error_line(granted)
            out = tmp_path / "cambs.db"
            taken = run(url, "db", "backup", "--force", "CAMBS", "--out", str(out))
            assert taken.exit_code == 0, taken.output
            assert f"Backup of force CAMBS written to {out} (owner-only)" in taken.stdout
            again = run(url, "db", "backup", "--force", "CAMBS", "--out", str(out))
            assert "already exists: backups never overwrite a file" in error_line(again)
        finally:
            db.dispose(as_role)
            with db.get_engine(url).begin() as conn:
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
