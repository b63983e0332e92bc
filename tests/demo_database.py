"""The demo's whole campaign, built once per test run and copied for each module that reads it.

Working through 29 days takes seconds, so xdist workers share one build under a file lock
(the run's own temporary folder); each caller gets its own copy to read or change.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from surrender import db
from surrender.demo import PINS, run_demo
from surrender.migrate import upgrade
from surrender.services.context import Context


def build_demo(folder: Path, days: int = 29) -> Context:
    """Run the demo into `folder`; returns the demo manager's context on its database."""
    url = f"sqlite:///{folder / 'demo.db'}"
    upgrade(url)
    from tests.conftest import cheap_pin_hash  # cheap hashes, checked cheaply by every test that reads the copy

    run_demo(Context(url=url, receipts_dir=folder / "receipts", pin_hasher=cheap_pin_hash), folder, days=days,
             say=lambda _: None)
    return manager_on(folder)


def manager_on(folder: Path) -> Context:
    return Context(url=f"sqlite:///{folder / 'demo.db'}", staff="5023", pin=PINS["5023"],
                   receipts_dir=folder / "receipts")


def demo_copy(tmp_path_factory, days: int = 29) -> Path:
    """A private copy of the demo folder (database, exports, receipts) of `days` days, by default
    the whole window; each length is built once per run."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's folder
    name = "demo-whole-window" if days == 29 else f"demo-{days}-days"
    built = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / ".done").exists():
            shutil.rmtree(built, ignore_errors=True)
            built.mkdir()
            db.dispose(build_demo(built, days).url)
            (built / ".done").touch()
    copy = tmp_path_factory.mktemp("demo")
    shutil.copytree(built, copy, dirs_exist_ok=True)
    return copy
