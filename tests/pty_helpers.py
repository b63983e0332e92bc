"""Driving the installed `surrender` script through a pseudo-terminal, as a person at a desk does.

`spawn_surrender` starts the console script beside the test's Python with a clean,
explicit environment; answers are sent with `sendline` after `expect`ing the question.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
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
    # A dumb terminal gets no colour codes; COLUMNS keeps Rich's tables on one line each.
    env = {**base, "TERM": "dumb", "COLUMNS": "200", "LINES": "50", **env}
    return pexpect.spawn(surrender_script(), list(args), env=env, cwd=cwd, encoding="utf-8", timeout=TIMEOUT_S,
                         dimensions=(50, 200))


def finish(child) -> tuple[str, int]:
    """Everything the child still prints, and its exit status."""
    rest = child.read()
    child.close()
    return rest, child.exitstatus


def interrupt_when_reading(child) -> None:
    """Ctrl-C once the child is blocked reading the terminal.

    A SIGINT that lands between Python printing a prompt and entering `select()` for the answer
    is only noticed at the next keystroke (a race no person's finger can hit, but a test can);
    so wait, by polling the kernel's view of the process, until it sleeps on the terminal."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if _waiting_for_input(child.pid):
            child.sendintr()
            return
        time.sleep(0.01)
    raise AssertionError("the child never waited for input")


def _waiting_for_input(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        channel = Path(f"/proc/{pid}/wchan").read_text().strip()
    except OSError:  # no /proc (not Linux): fall back to sending at once
        return True
    if state != "S":
        return False
    return channel in ("", "0") or any(word in channel for word in ("select", "poll", "tty_read", "wait_woken"))
