"""Issue 18.8: a backup is staged and put in place whole, like an export: killed part-way it
leaves nothing under the backup's name and does not block that name; the next backup removes
the abandoned staged copy (and only abandoned backups: a live one, or an export's, is kept)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from surrender import db
from surrender.services.audit import verify_chain
from surrender.services.backup import backup
from surrender.staging import StagedFile, is_staged_name, staged_path
from tests.conftest import PINS, as_staff

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

KILLED = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from surrender.services.backup import backup
    from surrender.services.context import Context

    url, out, stage, pin = sys.argv[1:5]

    def checkpoint(at):
        if at == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    backup(Context(url=url, staff="1", pin=pin, checkpoint=checkpoint), Path(out))
""")


def staged(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if is_staged_name(n))


@pytest.mark.parametrize("stage", ["staged", "copied"])  # before a byte is copied; all copied, not yet placed
def test_a_backup_killed_part_way_leaves_nothing_under_its_name_and_the_name_stays_free(ctx, tmp_path, stage):
    folder = tmp_path / "backups"
    folder.mkdir()
    out = folder / "nightly.db"
    killed = subprocess.run([sys.executable, "-c", KILLED, ctx.url, str(out), stage, PINS["1"]],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    assert not out.exists() and len(staged(folder)) == 1  # only the hidden staged copy
    assert backup(as_staff(ctx, "1"), out) == out  # the same name, free
    assert staged(folder) == []  # the abandoned copy is gone
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    conn.close()
    assert sorted(os.listdir(folder)) == ["nightly.db"]  # no -wal, -shm or journal beside it
    copy = f"sqlite:///{out}"
    assert db.run(copy, lambda conn: verify_chain(conn, "CAMBS"), write=False).problem is None
    db.dispose(copy)


def test_a_backup_leaves_a_live_backups_staged_copy_and_an_exports_staged_file_alone(ctx, tmp_path):
    live = StagedFile(staged_path(tmp_path / "other.db", "backup-0123456789abcdef"))  # held: its maker is at work
    export = StagedFile(staged_path(tmp_path / "batch.csv", "feedfacefeedface"))
    export.close()  # an export's, its maker gone: the export's own finishing decides, not a backup
    try:
        backup(as_staff(ctx, "1"), tmp_path / "copy.db")
        assert staged(tmp_path) == sorted([live.path.name, export.path.name])
    finally:
        live.discard()


def test_a_failed_backup_removes_its_staged_copy(ctx, tmp_path):
    def fail(stage: str) -> None:
        if stage == "copied":
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        backup(replace(as_staff(ctx, "1"), checkpoint=fail), tmp_path / "copy.db")
    assert staged(tmp_path) == [] and not (tmp_path / "copy.db").exists()
