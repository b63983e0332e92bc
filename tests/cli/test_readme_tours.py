"""The README's command blocks, run as written: the README cannot drift from the product.

Every ```sh block is marked: `<!-- tour: NAME ... -->` blocks run line by line in bash with the
installed `surrender` first on PATH, in a folder laid out like the repository after the
README's first line (`demo/` from `surrender demo --dir demo`, `docs/examples/`); a block
marked `<!-- not run: WHY -->` says why it cannot run here. The demo tours run on the
whole-window demo and on a one-day demo (finance's and managers' work holds on either); the
station tours (setup, desk, custody) run in turn on a fresh database, as a new force would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_installed_e2e import installed_surrender
from tests.demo_database import demo_copy

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"(?:<!-- (tour|not run): ([^\n]*?) -->\n)?```sh\n(.*?)```", re.S)
STATION_TOURS = ["setup", "stations", "desk", "custody"]  # in this order, on one fresh database
DEMO_TOURS = ["finance", "manager", "evidence", "backup"]
NATIONAL_TOURS = ["national"]  # makes its own two-force demo in a fresh folder
NEW_PIN = "246813"  # every member the station tours add gets it (SURRENDER_NEW_PIN)


def blocks() -> list[tuple[str, str, str]]:
    """(mark, name or reason, body) for every sh block; mark is '' when unmarked."""
    found = []
    for mark, label, body in BLOCK.findall(README.read_text(encoding="utf-8")):
        found.append((mark, label.split(" ", 1)[0] if mark == "tour" else label, body))
    return found


def tours() -> dict[str, str]:
    return {name: body for mark, name, body in blocks() if mark == "tour"}


def test_every_command_block_in_the_readme_is_run_or_says_why_not():
    unmarked = [body.splitlines()[0] for mark, _, body in blocks() if not mark]
    assert not unmarked, f"README sh blocks neither a tour nor 'not run': {unmarked}"
    assert set(tours()) == set(STATION_TOURS) | set(DEMO_TOURS) | set(NATIONAL_TOURS)


def _laid_out_like_the_repository(folder: Path) -> Path:
    shutil.copytree(ROOT / "docs" / "examples", folder / "docs" / "examples")
    return folder


def _run(script: str, cwd: Path, **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
    env["PATH"] = f"{Path(installed_surrender()).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(COLUMNS="200", **env_extra)
    run = subprocess.run(["bash", "-e", "-x", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    return run


@pytest.fixture(params=[29, 1], ids=["whole-window demo", "one-day demo"])
def demo_folder(request, tmp_path_factory) -> Path:
    """A folder holding `demo/` (a private copy of a demo of that length) and `docs/examples/`."""
    copy = demo_copy(tmp_path_factory, days=request.param)
    home = copy.parent / f"{copy.name}-home"
    home.mkdir()
    copy.rename(home / "demo")
    return _laid_out_like_the_repository(home)


def _surrender(folder: Path, *args: str, staff: str, pin: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
    result = subprocess.run([installed_surrender(), *args], cwd=folder, capture_output=True, text=True, timeout=60,
                            env={**env, "SURRENDER_DATABASE_URL": "sqlite:///demo/demo.db", "SURRENDER_STAFF": staff,
                                 "SURRENDER_PIN": pin})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", DEMO_TOURS)
def test_a_readme_tour_runs_as_written_on_a_demo_of_any_length(name, demo_folder):
    run = _run(tours()[name], demo_folder)
    if name == "finance":
        assert (demo_folder / "demo" / "batch-3.csv").exists()
        assert "already paid: refused, nothing changed" in run.stdout
        assert "refused" in run.stderr  # the second remittance really was refused
        shown = _surrender(demo_folder, "show", "PK-Z24-000001-U", "--format", "json", staff="4410", pin="441024")
        assert '"status": "paid"' in shown  # logged without bank details, completed, paid
    elif name == "manager":
        assert (demo_folder / "demo" / "campaign-report.pdf").exists()
        assert "surrender-anchor force=CAMBS events=" in run.stdout
    elif name == "evidence":
        assert (demo_folder / "demo" / "pack-2024-09-30.zip").exists()
        assert list((demo_folder / "demo" / "scans").iterdir())
        shown = _surrender(demo_folder, "show", "TW-Z24-000001-N", "--format", "json", staff="4410", pin="441024")
        assert '"status": "paid"' in shown and '"payable": "160.00"' in shown
    else:
        assert (demo_folder / "demo" / "surrender-2025-01-31.db").exists()
        assert "intact" in run.stdout.lower()


def test_the_station_tours_run_as_written_on_a_fresh_database(tmp_path):
    """Setting up a station, a day at the desk, then the store: what a new force does first."""
    folder = _laid_out_like_the_repository(tmp_path)
    runs = {name: _run(tours()[name], folder, SURRENDER_NEW_PIN=NEW_PIN, SURRENDER_PIN=NEW_PIN)
            for name in STATION_TOURS}
    assert "TW-Z24-000001-N" in runs["desk"].stdout  # the first reference, as the README names it
    assert (folder / "cert-1.pdf").exists() and list((folder / "receipts").glob("TW-Z24-000001-N*.pdf"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
    report = subprocess.run([installed_surrender(), "report", "custody", "--format", "json"], cwd=folder, text=True,
                            capture_output=True, timeout=60, env={**env, "SURRENDER_STAFF": "6101",
                                                                  "SURRENDER_PIN": NEW_PIN})
    total = json.loads(report.stdout)["total"]
    assert total["destroyed"] == 3 and total["unaccounted"] == 0 and total["held"] == total["received"] - 3


def test_the_national_tour_runs_as_written_in_a_fresh_folder(tmp_path):
    """A force's own SQLite file, then two forces' returns merged into the national table."""
    run = _run(tours()["national"], tmp_path, SURRENDER_NEW_PIN=NEW_PIN, SURRENDER_PIN=NEW_PIN)
    assert "Return of CAMBS for zombie-2024 written" in run.stdout and "Return of BEDS" in run.stdout
    national = (tmp_path / "national-zombie-2024.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in national[1:]] == ["BEDS", "CAMBS", "Total"]
    assert "Bedfordshire Police" in run.stdout and "Cambridgeshire Constabulary" in run.stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
    herts = subprocess.run([installed_surrender(), "--db", "herts.db", "--staff", "1", "station", "list", "--format",
                            "json"], cwd=tmp_path, text=True, capture_output=True, timeout=60,
                           env={**env, "SURRENDER_PIN": NEW_PIN})
    assert [(row["code"], row["force"]) for row in json.loads(herts.stdout)] == [("HH", "HERTS")]
