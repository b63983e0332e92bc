"""Driving the installed `surrender` script through a pseudo-terminal, as a person at a desk does.

`spawn_surrender` starts the console script beside the test's Python with a clean,
explicit environment; answers are sent with `sendline` after `expect`ing the question.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

TIMEOUT_S = 60  # generous: cold starts on a busy two-core machine


def surrender_script() -> str:
    beside_python = Path(sys.executable).parent / "surrender"
    found = str(beside_python) if beside_python.exists() else shutil.which("surrender")
    if not found:
        pytest.fail("the `surrender` console script is not installed: pip install -e .")
    return found


def spawn_surrender(*args: str, env: dict[str, str], cwd: Path | None = None):
    """`surrender ARGS` on a pseudo-terminal (stdin and stdout are ttys), 200 columns wide."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
    child = pexpect.spawn(surrender_script(), list(args), env={**base, "TERM": "dumb", "COLUMNS": "200", "LINES": "50", **env}, cwd=cwd,
                          encoding="utf-8", timeout=TIMEOUT_S, dimensions=(50, 200))
    return child


def finish(child) -> tuple[str, int]:
    """Everything the child still prints, and its exit status."""
    rest = child.read()
    child.close()
    return rest, child.exitstatus
