"""`surrender demo` and `surrender report pdf` as a manager uses them: the demo's printout is
enough to carry on, and the PDF made on the demo database says what `report totals` says."""

from __future__ import annotations

import json
import shlex
import shutil
import stat
import subprocess

import pytest
from typer.testing import CliRunner

from surrender import db
from surrender.cli import app
from surrender.demo import PINS, STAFF
from surrender.rules.money import format_gbp, parse_money
from tests.demo_database import demo_copy

needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
                                   reason="poppler-utils (pdftotext, pdftoppm) not installed")
CLEAN = {"SURRENDER_DATABASE_URL": None, "SURRENDER_STAFF": None, "SURRENDER_PIN": None, "SURRENDER_STATION": None,
         "SURRENDER_CAMPAIGN": None}


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """One day of the demo, run as a user runs it: (folder, what it printed)."""
    folder = tmp_path_factory.mktemp("printed") / "demo"
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder), "--days", "1"], env={**CLEAN, "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    yield folder, result.stdout
    db.dispose(f"sqlite:///{folder / 'demo.db'}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A copy of the whole-window demo: (folder, the manager's environment)."""
    folder = demo_copy(tmp_path_factory)
    yield folder, {"SURRENDER_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}", "SURRENDER_STAFF": "5023",
                   "SURRENDER_PIN": PINS["5023"]}
    db.dispose(f"sqlite:///{folder / 'demo.db'}")


def _next_command(output: str) -> tuple[dict, list[str]]:
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("export "))
    env = dict(pair.split("=", 1) for pair in shlex.split(lines[at])[1:])
    return env, shlex.split(lines[at + 1])


def _as_manager(demo, *args):
    _, env = demo
    return CliRunner().invoke(app, list(args), env={**CLEAN, **env, "COLUMNS": "200"})


def test_the_demo_prints_every_staff_number_name_role_and_pin(printed):
    _, output = printed
    for number, name, role, _, pin in STAFF:
        assert any(number in line and name in line and role in line and pin in line for line in output.splitlines()), number


def test_the_demos_next_command_is_two_unwrapped_lines_that_work_as_pasted(printed):
    folder, output = printed
    env, command = _next_command(output)
    assert env == {"SURRENDER_DATABASE_URL": f"sqlite:///{folder.resolve() / 'demo.db'}", "SURRENDER_STAFF": "5023",
                   "SURRENDER_PIN": "502324"}
    assert command == ["surrender", "report", "totals", "--by", "station"]
    result = CliRunner().invoke(app, command[1:], env={**CLEAN, **env})
    assert result.exit_code == 0, result.output
    assert "TW" in result.stdout and "PK" in result.stdout and "Total" in result.stdout


def test_the_demo_refuses_a_folder_that_already_holds_a_demo(printed):
    folder, _ = printed
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder), "--days", "1"], env=CLEAN)
    assert result.exit_code == 2 and "exists already" in result.output


@needs_poppler
def test_the_report_pdf_shows_the_figures_of_report_totals(demo, tmp_path):
    out = tmp_path / "report.pdf"
    made = _as_manager(demo, "report", "pdf", "--out", str(out))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and "surrender-anchor force=CAMBS events=" in made.stdout
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    rows = json.loads(_as_manager(demo, "report", "totals", "--by", "station", "--format", "json").stdout)
    total = json.loads(_as_manager(demo, "report", "totals", "--format", "json").stdout)[0]
    for row in [*rows, total]:
        figures = [f"{row['surrenders']:,}", f"{row['items']:,}", f"{row['claims']:,}",
                   format_gbp(parse_money(row["claimed"])), format_gbp(parse_money(row["payable"]))]
        assert all(f in text for f in figures), (row, figures)
    summary = text.split("\f")[0]
    for label in ("Surrenders", "Items (weapons)", "Claims", "Claimed", "Payable", "Paid", "Outstanding"):
        assert label in summary
    anchor = made.stdout.split("Anchor: ")[1].split()
    assert "5023 Insp Morgan Lee" in summary and anchor[1] in summary and anchor[2] in summary


@needs_poppler
def test_every_page_of_the_report_renders(demo, tmp_path):
    out = tmp_path / "report.pdf"
    assert _as_manager(demo, "report", "pdf", "--out", str(out), "--campaign", "zombie-2024").exit_code == 0
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3 and all(p.stat().st_size > 1000 for p in pages)


def test_the_report_pdf_refuses_an_existing_file_or_a_folder_in_one_line(demo, tmp_path):
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"keep me")
    for out in (existing, tmp_path):
        result = _as_manager(demo, "report", "pdf", "--out", str(out))
        assert result.exit_code == 1 and "Traceback" not in result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and str(out) in lines[0]
    assert existing.read_bytes() == b"keep me"


def test_a_desk_officer_cannot_make_the_report(demo, tmp_path):
    _, env = demo
    result = CliRunner().invoke(app, ["report", "pdf", "--out", str(tmp_path / "r.pdf")],
                                env={**CLEAN, **env, "SURRENDER_STAFF": "2041", "SURRENDER_PIN": PINS["2041"]})
    assert result.exit_code == 1 and "manager" in result.stderr and not (tmp_path / "r.pdf").exists()


def test_the_report_pdf_refuses_an_unknown_campaign_and_dates_the_wrong_way_round(demo, tmp_path):
    unknown = _as_manager(demo, "report", "pdf", "--out", str(tmp_path / "a.pdf"), "--campaign", "nope")
    backwards = _as_manager(demo, "report", "pdf", "--out", str(tmp_path / "b.pdf"),
                            "--from", "2024-09-10", "--to", "2024-09-01")
    assert unknown.exit_code == 1 and "no campaign 'nope'" in unknown.stderr
    assert backwards.exit_code == 1 and "--from is after --to" in backwards.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_demo_writes_its_exports_and_remittance_owner_only_in_its_own_folder(demo):
    folder, _ = demo
    for name in ("batch-1.csv", "batch-2.csv", "remittance-batch-1.csv"):
        assert (folder / name).exists(), name
    assert stat.S_IMODE((folder / "batch-1.csv").stat().st_mode) == 0o600
