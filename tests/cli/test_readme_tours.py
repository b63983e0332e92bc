"""The README's tours, run as written on the demo database: the README cannot drift from the
product. Each `<!-- tour: NAME -->` block runs line by line in bash, in a folder holding the
demo's `demo/`, with the installed `surrender` first on PATH; every line must succeed."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_installed_e2e import installed_surrender
from tests.demo_database import demo_copy

README = Path(__file__).resolve().parents[2] / "README.md"
TOUR = re.compile(r"<!-- tour: (\w+) -->\n```sh\n(.*?)```", re.S)


def tours() -> dict[str, str]:
    return {name: body for name, body in TOUR.findall(README.read_text(encoding="utf-8"))}


def test_the_readme_has_the_finance_and_manager_tours():
    assert {"finance", "manager"} <= set(tours())


@pytest.fixture
def demo_folder(tmp_path_factory) -> Path:
    """A folder whose `demo/` is a private copy of the whole-window demo."""
    copy = demo_copy(tmp_path_factory)
    home = copy.parent / f"{copy.name}-home"
    home.mkdir()
    copy.rename(home / "demo")
    return home


@pytest.mark.parametrize("name", ["finance", "manager"])
def test_a_readme_tour_runs_as_written_on_the_demo_database(name, demo_folder):
    script = tours()[name]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
    env["PATH"] = f"{Path(installed_surrender()).parent}{os.pathsep}{env.get('PATH', '')}"
    run = subprocess.run(["bash", "-e", "-x", "-c", script], cwd=demo_folder, env={**env, "COLUMNS": "200"},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    if name == "finance":
        assert (demo_folder / "demo" / "batch-3.csv").exists()
        assert "already paid: refused, nothing changed" in run.stdout
        status = subprocess.run(["surrender", "show", "PK-Z24-000010-S", "--format", "json"], cwd=demo_folder,
                                env={**env, "SURRENDER_DATABASE_URL": "sqlite:///demo/demo.db",
                                     "SURRENDER_STAFF": "4410", "SURRENDER_PIN": "441024"},
                                capture_output=True, text=True, timeout=60)
        assert '"status": "paid"' in status.stdout  # logged without bank details, completed, paid
    else:
        assert (demo_folder / "demo" / "campaign-report.pdf").exists()
        assert "surrender-anchor events=" in run.stdout
